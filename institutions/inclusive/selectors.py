"""Reads of support cases: who sees and writes which cases, the choices offered on the forms,
the access log, and the bureau's counts per township (inclusive_care_by_township)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from portal.roles import Role, can_write, has_role, is_bureau, scope

from ..models import HealthFacility, Institution, InstitutionDetails, MonthlyReport, Township
from ..selectors import counted_institutions_as_of, dated_value
from .models import SupportCase, SupportCaseAccess, open_on

# Who reads support cases at all (pages and API); scope() then narrows to their own cases.
CASE_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.OPERATOR, Role.HEALTH_CENTRE})


def may_read(user) -> bool:
    return is_bureau(user) or has_role(user, Role.OPERATOR, Role.HEALTH_CENTRE)


def cases(user) -> QuerySet[SupportCase]:
    """The cases `user` may see (portal.roles.scope: bureau all, operators their institutions',
    a facility's users the cases it supports), newest first."""
    return scope(user, SupportCase.objects.select_related("institution", "facility"))


def may_write(user, *, institution_id: int | None, facility_id: int | None) -> bool:
    """The bureau writes every case; an operator its institutions' cases; a facility's user the
    cases its facility supports. Read-only roles never write."""
    if not can_write(user):
        return False
    if is_bureau(user):
        return True
    if has_role(user, Role.OPERATOR) and institution_id is not None:
        if Institution.objects.filter(pk=institution_id, operators=user).exists():
            return True
    if has_role(user, Role.HEALTH_CENTRE) and facility_id is not None:
        return HealthFacility.objects.filter(pk=facility_id, users=user).exists()
    return False


def may_open(user) -> bool:
    return can_write(user) and may_read(user)


def institution_choices(user) -> QuerySet[Institution]:
    """Where `user` may open a case: an operator's own institutions; any open institution for the
    bureau and for a facility's user (the county centre supports institutions city-wide)."""
    institutions = Institution.objects.filter(closed_on__isnull=True).select_related("township")
    if is_bureau(user) or has_role(user, Role.HEALTH_CENTRE):
        return institutions
    if has_role(user, Role.OPERATOR):
        return institutions.filter(operators=user)
    return institutions.none()


def facility_choices(user) -> QuerySet[HealthFacility]:
    """The supporting facility: a facility's user names its own; others any facility."""
    facilities = HealthFacility.objects.select_related("township")
    if has_role(user, Role.HEALTH_CENTRE) and not is_bureau(user):
        return facilities.filter(users=user)
    return facilities


def accesses(case: SupportCase) -> QuerySet[SupportCaseAccess]:
    return case.accesses.select_related("user").order_by("-at", "-pk")


@dataclass
class TownshipInclusiveCare:
    township: Township
    open_cases: int = 0
    inclusive_institutions: int = 0
    special_needs_children: int = 0
    reports: int = 0


@dataclass
class InclusiveCare:
    day: dt.date
    month: dt.date
    rows: list[TownshipInclusiveCare]

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        names = ("open_cases", "inclusive_institutions", "special_needs_children", "reports")
        return {name: self.total(name) for name in names}


def _township_at(day: dt.date, institution: str = "institution"):
    """The township at `day` of the institution at the path `institution` (dated details)."""
    return dated_value(
        InstitutionDetails,
        "institution",
        "township",
        day,
        outer=institution,
        current=f"{institution}__township_id",
    )


def inclusive_care_by_township(day: dt.date) -> InclusiveCare:
    """Per township at `day`: support cases open at `day` (opened on or before it, not closed on
    or before it), counted institutions offering inclusive care at `day` (the dated
    `InstitutionDetails.special_needs_care`) and the special-needs children of the accepted
    monthly reports of `day`'s month, each under its institution's township at `day`. Four
    queries, whatever the number of townships, cases or institutions."""
    month = day.replace(day=1)
    rows = {t.pk: TownshipInclusiveCare(t) for t in Township.objects.order_by("sort_order", "code")}
    open_cases = (
        SupportCase.objects.filter(open_on(day))
        .annotate(township_id_at=_township_at(day))
        .order_by()
        .values("township_id_at")
        .annotate(n=Count("pk"))
    )
    for row in open_cases:
        rows[row["township_id_at"]].open_cases = row["n"]
    offering = (
        counted_institutions_as_of(day)
        .annotate(
            special_needs_care_at=dated_value(
                InstitutionDetails,
                "institution",
                "special_needs_care",
                day,
                current="special_needs_care",
            )
        )
        .filter(special_needs_care_at=True)
        .order_by()
        .values("township_id_at")
        .annotate(n=Count("pk"))
    )
    for row in offering:
        rows[row["township_id_at"]].inclusive_institutions = row["n"]
    reports = (
        MonthlyReport.objects.filter(period=month, state=MonthlyReport.State.ACCEPTED)
        .annotate(township_id_at=_township_at(day))
        .order_by()
        .values("township_id_at")
        .annotate(n=Sum("special_needs_children"), reports=Count("pk"))
    )
    for row in reports:
        rows[row["township_id_at"]].special_needs_children = row["n"] or 0
        rows[row["township_id_at"]].reports = row["reports"]
    return InclusiveCare(day=day, month=month, rows=list(rows.values()))
