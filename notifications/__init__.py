"""Notifications: one service every app calls (services.notify), the channels it sends through
(the in-portal inbox, e-mail, SMS), each person's choice of channels, and the inbox pages.

On its own floor just above `portal`: it imports only portal, Django and libraries, so every app
may call it. The events and who receives them are in docs/notifications.md.
"""
