"""Each role's home at /wode/, the page everyone lands on after signing in: what waits for them
today, each item linking to the page where it is done.

The reads are each app's own selectors; this module, on the top floor, only assembles them:
- operators, per institution they operate: the reports the bureau returned (first, with its
  reason), this month's report to file, findings overdue or due soon, and the children whose
  voucher can be redeemed this month, and a star rating that expires within 60 days;
- inspectors: the routine visits their institutions (as health instructor) still need, the spot
  checks drawn for them and the rectifications of their inspections waiting for verification;
- department users of the task force: their department's tasks with state and what is due;
- health facilities' users: last month's screening figures and "1+1" services to enter, the
  institutions under contract without a guidance visit this quarter, sessions without a list;
- bureau staff: the day's work (`day_work`), which the admin's home page counts too.

Each section runs a fixed number of queries whatever the amount of data (tests/home pin it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Finding
from inspections.selectors import (
    RoutineVisit,
    concerns_waiting,
    finding_list,
    findings_needing_action,
    rectifications_to_verify,
    routine_visits_due,
    spot_checks_assigned,
)
from institutions.health.selectors import FacilityWork, facility_work
from institutions.models import Institution, MonthlyReport
from institutions.reports.selectors import (
    ReportMonth,
    reports_due,
    returned_reports,
    review_queue,
)
from metrics.selectors import not_met_in_last_complete_month
from portal.dates import month_end
from portal.pages import bureau_acts, is_operator, operated_ids
from portal.roles import Role, can_write, has_role, scope
from programme.selectors import BoardRow, department_tasks
from ratings.services import expiring_ratings
from vouchers import codes
from vouchers.selectors import applications_waiting, redeemable_this_month

# Rows of each list on the bureau's home; its "全部" link leads to the whole list.
TOP = 5
# Institutions with visits due, and rectifications to verify, on an inspector's home: an
# instructor of thousands of institutions gets the earliest due and the totals (issue 21).
INSPECTOR_TOP = 30
# The report states as the home's badges say them (the label is always written out too).
REPORT_BADGES = {
    None: "alert",
    MonthlyReport.State.DRAFT: "info",
    MonthlyReport.State.SUBMITTED: "muted",
    MonthlyReport.State.ACCEPTED: "ok",
    MonthlyReport.State.RETURNED: "alert",
}


# --- The bureau's day: the admin's home page and the bureau's home ---------------------------------


def _row(text: str, url: str, meta: str = "") -> dict:
    return {"text": text, "url": url, "meta": meta}


def _report_rows(reports) -> list[dict]:
    return [
        _row(
            f"{report.institution.name} · {report.period:%Y-%m}",
            reverse("reports:review_detail", args=[report.pk]),
            _("提交于 %(day)s") % {"day": f"{timezone.localtime(report.submitted_at):%Y-%m-%d}"}
            if report.submitted_at
            else "",
        )
        for report in reports
    ]


def _finding_rows(findings) -> list[dict]:
    return [
        _row(
            f"{finding.inspection.institution.name} · {finding.title}",
            reverse("inspections:finding_detail", args=[finding.pk]),
            _("整改期限 %(day)s") % {"day": f"{finding.deadline:%Y-%m-%d}"},
        )
        for finding in findings
    ]


def _application_rows(applications) -> list[dict]:
    return [
        _row(
            f"{application.child.name} · {application.batch.name}",
            reverse("vouchers:application_detail", args=[application.pk]),
            _("申请于 %(day)s") % {"day": f"{application.applied_on:%Y-%m-%d}"},
        )
        for application in applications
    ]


def _concern_rows(concerns) -> list[dict]:
    return [
        _row(
            f"{concern.institution.name} · {concern.get_kind_display()}",
            reverse("admin:inspections_concern_change", args=[concern.pk]),
            _("%(reference)s，收到于 %(day)s")
            % {
                "reference": concern.reference,
                "day": f"{timezone.localtime(concern.received_at):%Y-%m-%d}",
            },
        )
        for concern in concerns
    ]


def day_work(user, *, today: dt.date | None = None, top: int = 0) -> list[dict] | None:
    """What waits for the bureau today: reports to review, rectifications past their deadline,
    voucher applications waiting, concerns from the public not yet answered and the city's
    indicators not met in the last complete month. None for anyone but bureau staff who act.

    Each item has its count, label and the link to the page where the work is done; with `top`
    (the bureau's home), also the first `top` rows of its list (`rows`). The admin's home page
    asks for the counts only: six queries; with rows, ten; whatever the amount of data.
    """
    if not bureau_acts(user):
        return None
    today = today or timezone.localdate()
    reports = scope(user, review_queue())
    # Open findings past their deadline (inclusive), as the findings page counts them: the
    # selector behind its "已逾期" filter, so the number and the list it links to agree.
    overdue = finding_list(user, today=today).filter(is_overdue_now=True)
    applications = applications_waiting(user)
    concerns = concerns_waiting()
    period, not_met = not_met_in_last_complete_month(today)
    work = [
        {
            "key": "reports",
            "count": reports.count(),
            "label": _("待审核的月报"),
            "url": reverse("reports:review_queue"),
            "rows": _report_rows(reports[:top]) if top else [],
        },
        {
            "key": "findings",
            "count": overdue.count(),
            "label": _("逾期未整改"),
            "url": reverse("inspections:finding_list") + "?state=unclosed&overdue=1",
            "rows": _finding_rows(overdue[:top]) if top else [],
        },
        {
            "key": "applications",
            "count": applications.count(),
            "label": _("待审核的托育券申请"),
            "url": reverse("vouchers:applications") + "?state=pending",
            "rows": _application_rows(applications[:top]) if top else [],
        },
        {
            "key": "concerns",
            "count": concerns.count(),
            "label": _("待答复的投诉与反映"),
            "url": reverse("admin:inspections_concern_changelist") + "?state__in=received,in_hand",
            "rows": _concern_rows(concerns[:top]) if top else [],
        },
        {
            "key": "indicators",
            "count": len(not_met),
            "label": (
                _("%(month)s 未达标的指标") % {"month": f"{period:%Y-%m}"}
                if period
                else _("未达标的指标")
            ),
            "url": reverse("metrics:dashboard") + (f"?month={period:%Y-%m}" if period else ""),
            # (id, name): shown as kpis.md's number and the name, never the stored id.
            "detail": not_met,
            "rows": [],
        },
    ]
    return work


# --- Operators ------------------------------------------------------------------------------------


@dataclass
class OperatorHome:
    institutions: list[Institution]
    returned: list[MonthlyReport]
    due: list[ReportMonth]
    findings: list[Finding]
    redeemable: list  # vouchers, each with `enrolled_at`, `institution` and `display_code`
    month: dt.date  # this month: the fee month the vouchers are redeemed for
    findings_url: str = ""
    due_returned: int = 0  # this month's reports returned (listed on top, not again)
    ratings_expiring: list = field(default_factory=list)  # star ratings ending within 60 days


def _report_url(institution_id: int, period: dt.date) -> str:
    return reverse("reports:report_form", args=[institution_id, f"{period:%Y-%m}"])


def operator_home(user, *, today: dt.date) -> OperatorHome:
    """The operator's work for every institution they operate. Seven queries."""
    ids = sorted(operated_ids(user))
    institutions = list(Institution.objects.filter(pk__in=ids).order_by("name", "pk"))
    by_id = {institution.pk: institution for institution in institutions}
    returned = list(returned_reports(ids))
    for report in returned:
        report.url = _report_url(report.institution_id, report.period)
    # A month the bureau returned is already on top, with its reason.
    due, due_returned = [], 0
    for month in reports_due(institutions, today=today):
        if month.report and month.report.state == MonthlyReport.State.RETURNED:
            due_returned += 1
        else:
            due.append(month)
    for month in due:
        month.url = _report_url(month.institution.pk, month.period)
        month.badge = REPORT_BADGES.get(month.report.state if month.report else None, "info")
        month.state_label = month.report.get_state_display() if month.report else _("未填报")
        month.overdue = not month.is_submitted and today > month.due_on
    findings = list(findings_needing_action(ids, today=today))
    for finding in findings:
        finding.url = reverse("inspections:finding_detail", args=[finding.pk])
    this_month = today.replace(day=1)
    redeemable = list(redeemable_this_month(ids, today=today))
    for voucher in redeemable:
        voucher.institution = by_id.get(voucher.enrolled_at)
        voucher.display_code = codes.display(voucher.code)
    expiring = sorted(expiring_ratings(ids, today=today).values(), key=lambda r: r.expires_on)
    for rating in expiring:
        rating.institution = by_id.get(rating.institution_id)
        rating.days_left = (rating.expires_on - today).days
    return OperatorHome(
        institutions=institutions,
        returned=returned,
        due=due,
        findings=findings,
        redeemable=redeemable,
        month=this_month,
        findings_url=reverse("inspections:finding_list"),
        due_returned=due_returned,
        ratings_expiring=expiring,
    )


# --- Inspectors -----------------------------------------------------------------------------------


@dataclass
class InspectorHome:
    visits: list[tuple[Institution, list[RoutineVisit]]]  # by institution, earliest due first
    spot_checks: list
    to_verify: list[Finding]
    month_end: dt.date
    may_start: bool = False
    visits_total: int = 0  # institutions needing a visit, `visits` shows the first INSPECTOR_TOP
    to_verify_total: int = 0  # `to_verify` shows the first INSPECTOR_TOP


def inspector_home(user, *, today: dt.date) -> InspectorHome:
    """The inspector's visits, spot checks and rectifications to verify. Three queries; the
    visits and rectifications lists stop at INSPECTOR_TOP rows (with their totals)."""
    visits, visits_total = routine_visits_due(user, today=today, limit=INSPECTOR_TOP)
    for visit in visits:
        visit.url = (
            reverse("inspections:inspection_new")
            + f"?institution={visit.institution.pk}&kind={visit.kind}"
        )
    spot_checks = list(spot_checks_assigned(user))
    for assignment in spot_checks:
        started = getattr(assignment, "inspection", None)
        assignment.started = started
        assignment.url = (
            reverse("inspections:inspection_form", args=[started.pk])
            if started
            else reverse("inspections:draw_detail", args=[assignment.draw_id])
        )
    by_institution: dict[int, tuple[Institution, list[RoutineVisit]]] = {}
    for visit in visits:
        by_institution.setdefault(visit.institution.pk, (visit.institution, []))[1].append(visit)
    # The total is a window over the same rows, counted before the slice: still one query.
    to_verify = list(
        rectifications_to_verify(user).annotate(waiting=Window(Count("pk")))[:INSPECTOR_TOP]
    )
    for finding in to_verify:
        finding.url = reverse("inspections:finding_detail", args=[finding.pk])
    return InspectorHome(
        visits=list(by_institution.values()),
        spot_checks=spot_checks,
        to_verify=to_verify,
        month_end=month_end(today),
        may_start=can_write(user),
        visits_total=visits_total,
        to_verify_total=to_verify[0].waiting if to_verify else 0,
    )


# --- The task force's departments ------------------------------------------------------------------


@dataclass
class DepartmentHome:
    rows: list[BoardRow] = field(default_factory=list)


def department_home(user, *, today: dt.date) -> DepartmentHome:
    return DepartmentHome(rows=department_tasks(user, today=today))


# --- Health facilities' users -------------------------------------------------------------------------


@dataclass
class HealthHome:
    facilities: list[FacilityWork] = field(default_factory=list)


def health_home(user, *, today: dt.date) -> HealthHome:
    return HealthHome(facilities=facility_work(user, today=today))


# --- Who sees which section -------------------------------------------------------------------------


@dataclass
class Home:
    operator: OperatorHome | None = None
    inspector: InspectorHome | None = None
    department: DepartmentHome | None = None
    health: HealthHome | None = None
    bureau: list[dict] | None = None
    today: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.operator or self.inspector or self.department or self.health or self.bureau
        )


def home_of(user, *, today: dt.date | None = None) -> Home:
    """Every section `user`'s roles give them (a user with two roles sees both); empty for those
    whose home is elsewhere (families, education and audit staff)."""
    today = today or timezone.localdate()
    home = Home(today=today)
    if is_operator(user):
        home.operator = operator_home(user, today=today)
    if has_role(user, Role.INSPECTOR) and can_write(user):
        home.inspector = inspector_home(user, today=today)
    if has_role(user, Role.DEPARTMENT):
        home.department = department_home(user, today=today)
    if has_role(user, Role.HEALTH_CENTRE):
        home.health = health_home(user, today=today)
    home.bureau = day_work(user, today=today, top=TOP)
    return home
