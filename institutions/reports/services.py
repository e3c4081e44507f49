"""Every write to monthly reports: drafts, submission, review, reopening, window exceptions.

Every change locks the report row first and reads its state after the lock
(select_for_update): two reviewers clicking at once, or a submit racing an accept, change the
row once and the other gets a clear error. Every transition is in the report's audit history with who and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.health import services as health_services
from institutions.health.validators import parse_mobiles
from institutions.lecturers.services import session_lecturers_set
from institutions.models import HealthFacility, Institution
from institutions.reports.window import window_state
from institutions.selectors import institutions_as_of
from portal.dates import add_months, month_end

from . import notices
from .models import CLASS_FIELDS, MonthlyReport, ParentingSession, ReportWindowException
from .validators import CheckResult, check_report, registry_state

EDITABLE_STATES = (MonthlyReport.State.DRAFT, MonthlyReport.State.RETURNED)
EDITABLE_FIELDS = (
    *CLASS_FIELDS.values(),
    "voucher_children",
    "special_needs_children",
    "fee_full_day",
    "fee_half_day",
    "staff_on_duty",
    "staff_certified",
    "staff_override_reason",
    "attendance_days",
    "safety_incidents",
    "warning_comment",
)


class ReportError(ValidationError):
    """A report action that is not allowed now, with the reason for the user."""


def _exception_until(report: MonthlyReport) -> dt.date | None:
    return (
        ReportWindowException.objects.filter(
            institution_id=report.institution_id, period=report.period
        )
        .values_list("open_until", flat=True)
        .first()
    )


def edit_block_reason(report: MonthlyReport, *, today: dt.date | None = None) -> str:
    """Why the operator cannot edit this report now; empty when they can."""
    if report.state == MonthlyReport.State.ACCEPTED:
        return _("该月报已审核通过，数据已锁定。如需更正，请联系卫健局重新打开。")
    if report.state == MonthlyReport.State.SUBMITTED:
        return _("该月报已提交，正在等待卫健局审核。")
    if report.state == MonthlyReport.State.RETURNED:
        return ""  # the bureau asked for a correction: its return reopens the window
    return window_state(report.period, today=today, exception_until=_exception_until(report)).reason


def edit_block_reason_with_exception(
    report: MonthlyReport, *, exception_until: dt.date | None, today: dt.date | None = None
) -> str:
    """`edit_block_reason` for a report whose window exception was read with it
    (`selectors.reports_with_exception`): the same answer without a query per report in a list."""
    if report.state != MonthlyReport.State.DRAFT:
        return edit_block_reason(report, today=today)  # answered from the state alone
    return window_state(report.period, today=today, exception_until=exception_until).reason


def _require_editable(report: MonthlyReport) -> None:
    reason = edit_block_reason(report)
    if reason:
        raise ReportError(reason, code="report_locked")


def _history(report: MonthlyReport, actor, reason: str = "") -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        report._history_user = actor
    report._change_reason = reason[:100] if reason else None


def _prefill(report: MonthlyReport) -> None:
    """Staff numbers from the registry at the month's end; enrolment and fees from last month."""
    state = institutions_as_of(month_end(report.period)).get(pk=report.institution_id)
    report.staff_on_duty = report.registry_staff_on_duty = state.care_staff_count
    report.staff_certified = report.registry_staff_certified = state.certified_care_staff_count
    previous = MonthlyReport.objects.filter(
        institution_id=report.institution_id, period=add_months(report.period, -1)
    ).first()
    if previous is not None:
        for name in (*CLASS_FIELDS.values(), "voucher_children", "special_needs_children"):
            setattr(report, name, getattr(previous, name))
        report.fee_full_day = previous.fee_full_day
        report.fee_half_day = previous.fee_half_day
    else:
        report.fee_full_day = state.fee_full_day
        report.fee_half_day = state.fee_half_day


@transaction.atomic
def report_get_or_start(*, institution: Institution, period: dt.date, actor=None) -> MonthlyReport:
    """The institution's report for the month, started as a pre-filled draft if there is none."""
    existing = MonthlyReport.objects.filter(institution=institution, period=period).first()
    if existing is not None:
        return existing
    report = MonthlyReport(institution=institution, period=period)
    reason = window_state(period, exception_until=_exception_until(report)).reason
    if reason:
        raise ReportError(reason, code="report_locked")
    _prefill(report)
    report.full_clean(exclude=["warnings"], validate_constraints=False)
    _history(report, actor, "created")
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Another request started the same month a moment earlier: use that one.
        return MonthlyReport.objects.get(institution=institution, period=period)
    return report


@transaction.atomic
def report_update(*, report: MonthlyReport, actor=None, **fields) -> MonthlyReport:
    """Change a draft or returned report. Accepted or submitted data does not move."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    _require_editable(report)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ReportError(_("这些字段不能修改：%s") % ", ".join(sorted(unknown)), code="readonly")
    for name, value in fields.items():
        setattr(report, name, value)
    result = check_report(report)
    # Rules that make the numbers impossible are refused even in a draft; the rest wait for submit.
    hard = {k: v for k, v in result.errors.items() if k not in ("staff_override_reason",)}
    if hard:
        raise ValidationError(hard, code="invalid")
    report.warnings = [w.as_dict() for w in result.warnings]
    report.full_clean()
    _history(report, actor, "updated")
    report.save()
    return report


@transaction.atomic
def report_submit(*, report: MonthlyReport, actor=None, **fields) -> MonthlyReport:
    """Submit (optionally with last changes). Errors block; every warning needs a comment."""
    if fields:
        report = report_update(report=report, actor=actor, **fields)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    _require_editable(report)
    result: CheckResult = check_report(report)
    if result.errors:
        raise ValidationError(result.errors, code="invalid")
    if result.warnings and not report.warning_comment.strip():
        raise ValidationError(
            {
                "warning_comment": [
                    _("有%(n)s条预警，请填写说明后再提交：%(list)s")
                    % {
                        "n": len(result.warnings),
                        "list": "；".join(w.message for w in result.warnings),
                    }
                ]
            },
            code="warning_comment_required",
        )
    now = timezone.now()
    report.warnings = [w.as_dict() for w in result.warnings]
    report.state = MonthlyReport.State.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    _history(report, actor, "submitted")
    report.save()
    return report


def _transition(
    *, report: MonthlyReport, actor, to: str, allowed_from: Iterable[str], reason: str = ""
) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.state not in allowed_from:
        raise ReportError(
            _("该月报当前状态为“%(state)s”，不能执行此操作。")
            % {"state": report.get_state_display()},
            code="bad_state",
        )
    report.state = to
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    if reason:
        report.return_reason = reason
    _history(report, actor, f"{to}: {reason}" if reason else to)
    report.save()
    return report


@transaction.atomic
def report_accept(*, report: MonthlyReport, actor) -> MonthlyReport:
    return _transition(
        report=report,
        actor=actor,
        to=MonthlyReport.State.ACCEPTED,
        allowed_from=[MonthlyReport.State.SUBMITTED],
    )


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写原因，机构经办人会看到。")]}, code="required")
    return reason


@transaction.atomic
def report_return(*, report: MonthlyReport, actor, reason: str) -> MonthlyReport:
    """Send a submitted report back; its operators are told after commit."""
    report = _transition(
        report=report,
        actor=actor,
        to=MonthlyReport.State.RETURNED,
        allowed_from=[MonthlyReport.State.SUBMITTED],
        reason=_need_reason(reason),
    )
    notices.report_sent_back(report, reopened=False)
    return report


@transaction.atomic
def report_reopen(*, report: MonthlyReport, actor, reason: str) -> MonthlyReport:
    """Unlock accepted data for a correction: the report goes back to the operator as returned,
    and its operators are told after commit."""
    report = _transition(
        report=report,
        actor=actor,
        to=MonthlyReport.State.RETURNED,
        allowed_from=[MonthlyReport.State.ACCEPTED],
        reason=_need_reason(reason),
    )
    notices.report_sent_back(report, reopened=True)
    return report


def reports_review_many(
    *, report_ids: Iterable[int], actor, action: str, reason: str = ""
) -> tuple[int, list[str]]:
    """Accept or return many reports; each in its own transaction. Returns (done, errors)."""
    done, errors = 0, []
    for report in MonthlyReport.objects.filter(pk__in=list(report_ids)).select_related(
        "institution"
    ):
        try:
            if action == "accept":
                report_accept(report=report, actor=actor)
            elif action == "return":
                report_return(report=report, actor=actor, reason=reason)
            else:
                raise ValueError(action)
            done += 1
        except ValidationError as error:
            errors.append(f"{report}: {' '.join(error.messages)}")
    return done, errors


@transaction.atomic
def exception_grant(
    *, institution: Institution, period: dt.date, open_until: dt.date, reason: str, actor
) -> ReportWindowException:
    exception, _created = ReportWindowException.objects.update_or_create(
        institution=institution,
        period=period,
        defaults={"open_until": open_until, "reason": _need_reason(reason), "granted_by": actor},
    )
    return exception


@transaction.atomic
def parenting_session_save(
    *,
    session: ParentingSession,
    lecturers=None,
    facility: HealthFacility | None = None,
    mobiles=None,
    actor=None,
) -> ParentingSession:
    """Save a session; `lecturers` (when given) are its lecturers, members of the team on its day.
    A health centre's session names its `facility` (required for a new one: a session typed as
    free text would join the records still to link) and is saved as the health pages save theirs.
    `mobiles` (when given and not empty) is its attendance list: the head count becomes the
    list's length."""
    if session.organiser_kind == ParentingSession.OrganiserKind.HEALTH_CENTRE:
        facility = facility or session.facility
        if facility is None:
            if session.pk is None:
                raise ValidationError({"facility": _("请选择组织活动的卫生院或社区卫生服务中心。")})
        else:
            return health_services.health_session_save(
                session=session,
                facility=facility,
                mobiles=mobiles,
                lecturers=lecturers,
                actor=actor,
            )
    if session.community_id and session.community.township_id != session.township_id:
        raise ValidationError({"community": _("所选社区不在该镇街。")})
    numbers = parse_mobiles(mobiles) if mobiles else []
    if numbers:
        session.families_reached = len(numbers)
    if session.pk is None and getattr(actor, "is_authenticated", False):
        session.created_by = actor
    session.full_clean()
    if getattr(actor, "is_authenticated", False):
        session._history_user = actor
    session.save()
    if numbers:
        health_services.attendance_replace(session=session, mobiles=numbers, actor=actor)
    if lecturers is not None:
        session_lecturers_set(session=session, lecturers=lecturers, actor=actor)
    return session


__all__ = [
    "ReportError",
    "edit_block_reason",
    "edit_block_reason_with_exception",
    "exception_grant",
    "parenting_session_save",
    "registry_state",
    "report_accept",
    "report_get_or_start",
    "report_reopen",
    "report_return",
    "report_submit",
    "report_update",
    "reports_review_many",
]
