"""What operators are told about their monthly reports, through notifications.services: a report
returned or reopened (at once, after the bureau's commit), and the reminders (reminders.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import Message, notify

from .models import MonthlyReport


def report_form_path(institution_id: int, period) -> str:
    return reverse(
        "reports:report_form", kwargs={"institution_pk": institution_id, "period": period}
    )


def operators_of(institution) -> list:
    return list(institution.operators.filter(is_active=True))


def report_sent_back(report: MonthlyReport, *, reopened: bool) -> None:
    """To the institution's operators: the report is theirs to correct, with the bureau's reason.
    Once per transition (the key holds the moment of the review)."""
    institution = report.institution
    month = f"{report.period:%Y年%m月}"
    with translation.override(settings.LANGUAGE_CODE):
        if reopened:
            event = Event.REPORT_REOPENED
            subject = _("【月报重新打开】%(name)s %(month)s月报需要更正") % {
                "name": institution.name,
                "month": month,
            }
        else:
            event = Event.REPORT_RETURNED
            subject = _("【月报退回】%(name)s %(month)s月报被退回") % {
                "name": institution.name,
                "month": month,
            }
        body = _("卫健局的意见：%(reason)s\n请修改后重新提交。") % {"reason": report.return_reason}
    notify(
        Message(
            event=event,
            key=f"report:{report.pk}:{report.reviewed_at:%Y%m%d%H%M%S%f}",
            subject=subject,
            body=body,
            url=report_form_path(institution.pk, report.period),
            users=operators_of(institution),
        )
    )
