"""Confirmed spreadsheet imports run as Celery tasks, with a progress page (issue #11).

The preview (a dry run rolled back) stays in the request; once the user confirms, the file is kept
encrypted in an `ImportJob` row, a task imports it with the same resource and the same
all-or-nothing rules, and the admin shows a progress bar and then the result.
"""
