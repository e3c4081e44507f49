"""Reminders to operators who have not submitted last month's report.

Sent on the due day minus 3 ("due soon") and the day after the due day ("overdue"), by the daily
Celery task in lequing_tuoyu/celery.py. Each (institution, month, kind) is claimed in the
database (ReportReminder) and each operator's notification again by notifications.services, so
reruns and parallel workers never send twice. The operators get it in their inbox and by the
channels they chose (e-mail, SMS).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import Message, send_now
from portal.dates import add_months, due_on

from .models import ReportReminder
from .notices import report_form_path
from .selectors import missing_reports

logger = logging.getLogger(__name__)

EVENTS = {
    ReportReminder.Kind.DUE_SOON: Event.REPORT_DUE_SOON,
    ReportReminder.Kind.OVERDUE: Event.REPORT_OVERDUE,
}


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
            recipients = [user for user in institution.operators.all() if user.is_active]
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
            subject, body = _message(institution, period, kind)
            send_now(
                Message(
                    event=EVENTS[kind],
                    key=f"{institution.pk}:{period:%Y-%m}",
                    subject=subject,
                    body=body,
                    url=report_form_path(institution.pk, period),
                    users=recipients,
                )
            )
            sent += 1
    logger.info("report reminders: %s %s sent to %s institutions", period, kind, sent)
    return sent
