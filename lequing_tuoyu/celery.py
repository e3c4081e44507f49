"""The Celery app and the portal's one beat schedule.

Every periodic job is listed here, with when it runs and why. Times are Asia/Shanghai.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lequing_tuoyu.settings")

app = Celery("lequing_tuoyu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Hourly: records in the result store that the broker is alive and the worker consumes, so
    # /healthz and the dashboard can tell a stalled worker from an idle one.
    "heartbeat": {
        "task": "lequing_tuoyu.tasks.heartbeat",
        "schedule": 3600.0,
    },
    # Daily 09:00: the task itself decides whether today is a reminder day for last month's
    # report (due day minus 3, and the day after the due day), so the deadline stays a setting.
    "report-reminders": {
        "task": "institutions.tasks.report_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Nightly 00:30: vouchers whose last valid day was yesterday lose their remaining balance
    # (an expiry ledger entry), before anyone redeems in the new day.
    "voucher-expiry": {
        "task": "vouchers.tasks.expire_vouchers",
        "schedule": crontab(hour=0, minute=30),
    },
    # Nightly 01:30: findings past their (inclusive) rectification deadline are marked overdue
    # once, and the operators and the bureau are notified (inbox, e-mail or SMS as chosen).
    "mark-overdue-rectifications": {
        "task": "inspections.tasks.mark_overdue_rectifications",
        "schedule": crontab(hour=1, minute=30),
    },
    # Daily 08:30: operators are reminded of findings whose (inclusive) rectification deadline is
    # at most three days away, once per finding and deadline (notifications claims each).
    "rectification-deadline-reminders": {
        "task": "inspections.tasks.remind_rectification_deadlines",
        "schedule": crontab(hour=8, minute=30),
    },
    # Daily 10:00 (a civil hour for an SMS): families whose voucher expires within 30 days are
    # told by SMS on the guardian's mobile, once per voucher and expiry date.
    "voucher-expiry-notices": {
        "task": "vouchers.tasks.notify_expiring_vouchers",
        "schedule": crontab(hour=10, minute=0),
    },
    # Nightly 02:00: recompute the indicators of the current and the previous month, so reports
    # filed late and facts entered late count. Idempotent; two runs at once serialise per month.
    "indicators-nightly": {
        "task": "metrics.tasks.compute_recent",
        "schedule": crontab(hour=2, minute=0),
    },
    # Every 15 minutes: recomputes asked for while Redis was down never reached the queue; they
    # wait in the database as "queued" and are queued again here once the broker is back.
    "requeue-waiting-recomputes": {
        "task": "metrics.tasks.requeue_waiting_runs",
        "schedule": 900.0,
    },
    # Every 15 minutes: imports confirmed while Redis was down wait as "queued" jobs; queue them.
    "requeue-waiting-imports": {
        "task": "institutions.tasks.requeue_waiting_imports",
        "schedule": 900.0,
    },
    # Nightly 03:00: previewed spreadsheets never confirmed (staff ID numbers) are removed.
    "purge-import-files": {
        "task": "institutions.tasks.purge_import_files",
        "schedule": crontab(hour=3, minute=0),
    },
    # Nightly 01:00: compare each voucher's stored balance with its ledger and log any drift.
    "voucher-reconciliation": {
        "task": "vouchers.tasks.reconcile_balances",
        "schedule": crontab(hour=1, minute=0),
    },
}
