"""Medical–childcare integration (医育结合, plan tasks 7.1, 7.2, 7.4): health facilities and their
users, the three-level guidance network, sessions' attendance lists, instructors' guidance and
facilities' monthly screening figures. Registered under the `institutions` app
(institutions/models.py imports models.py here), so contracts and sessions can point to a
facility."""
