"""Reminders to operators who have not submitted last month's report.

Sent on the due day minus 3 ("due soon") and the day after the due day ("overdue"), by the daily
Celery task in lequing_tuoyu/celery.py. Each (institution, month, kind) is claimed in the
database before its mail goes out, so reruns and parallel workers never send twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.dates import add_months, due_on

from .models import ReportReminder
from .selectors import missing_reports

logger = logging.getLogger(__name__)


def reminder_kind_for(today: dt.date) -> tuple[dt.date, str] | None:
    """(month, kind) if `today` is a reminder day for last month's report, else None."""
    period = add_months(today.replace(day=1), -1)
    due = due_on(period)
    if today == due - dt.timedelta(days=3):
        return period, ReportReminder.Kind.DUE_SOON
    if today == due + dt.timedelta(days=1):
        return period, ReportReminder.Kind.OVERDUE
    return None


def _message(institution, period: dt.date, kind: str) -> tuple[str, str]:
    month = f"{period:%Y年%m月}"
    due = due_on(period).isoformat()
    if kind == ReportReminder.Kind.DUE_SOON:
        subject = _("【月报提醒】%(name)s %(month)s月报将于%(due)s截止") % {
            "name": institution.name,
            "month": month,
            "due": due,
        }
        body = _(
            "您好！%(name)s %(month)s的月报尚未提交，截止日期为%(due)s。请登录乐清市普惠托育服务平台填报。"
        )
    else:
        subject = _("【月报逾期】%(name)s %(month)s月报已逾期") % {
            "name": institution.name,
            "month": month,
        }
        body = _(
            "您好！%(name)s %(month)s的月报已超过截止日期（%(due)s）仍未提交，请尽快登录乐清市普惠托育服务平台补报。"
        )
    return subject, body % {"name": institution.name, "month": month, "due": due}


def send_report_reminders(*, today: dt.date | None = None) -> int:
    """Send the reminders due today; returns how many institutions were reminded."""
    today = today or timezone.localdate()
    due = reminder_kind_for(today)
    if due is None:
        return 0
    period, kind = due
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for institution in missing_reports(period).prefetch_related("operators"):
            recipients = [u.email for u in institution.operators.all() if u.is_active and u.email]
            try:
                with transaction.atomic():
                    ReportReminder.objects.create(
                        institution=institution,
                        period=period,
                        kind=kind,
                        recipients=len(recipients),
                    )
            except IntegrityError:
                continue  # already sent by an earlier run
            if recipients:
                subject, body = _message(institution, period, kind)
                send_mail(subject, body, None, recipients)
            sent += 1
    logger.info("report reminders: %s %s sent to %s institutions", period, kind, sent)
    return sent
