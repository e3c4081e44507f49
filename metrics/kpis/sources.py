"""The month's sources besides the registry, each summed per township in SQL: accepted reports
(K6, K15), parenting-care sessions (K9), new communities (K10), findings due (K12d) and vouchers
(K13); issue 19's tracked indicators are metrics.kpis.tracked's. Each source's rows are a queryset of their own, listed as they are by the drill-down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from inspections.models import Inspection
from inspections.selectors import findings_due
from institutions.facts import dated_order_sql
from institutions.models import (
    Community,
    CommunityFacts,
    InclusiveRecognition,
    InstitutionDetails,
    MonthlyReport,
    ParentingSession,
    SessionAttendance,
)
from institutions.selectors import dated_value
from vouchers.models import Child, ChildRegistration, LedgerEntry, Redemption, Voucher

from ..models import CITY
from . import registry
from .conditions import where_sql
from .month import ZERO, Month, Totals
from .registry import by_township_at, counted_ids
from .tracked import TRACKED_SOURCES


def township_at(day: dt.date, institution: str) -> Case:
    """The township at `day` of the institution at the path `institution`."""
    return dated_value(
        InstitutionDetails,
        "institution",
        "township",
        day,
        outer=institution,
        current=f"{institution}__township_id",
    )


def child_township_at(day: dt.date, child: str) -> Case:
    """The registered township at `day` of the child at the path `child` (null: outside
    Yueqing)."""
    return dated_value(
        ChildRegistration,
        "child",
        "hukou_township",
        day,
        outer=child,
        current=f"{child}__hukou_township_id",
    )


# K6 reads the accepted reports of inclusive institutions with enrolment and a full-day fee.
FEE_ROWS = Q(inclusive_at_d=True, enrolled__gt=0, fee_full_day__isnull=False)
# The same rule on a report row joined to the set-based registry (`by_township_at`'s `y`).
FEE_ROWS_AT_D = Q(is_inclusive=True, enrolled__gt=0, fee__isnull=False)
ENROLLED = F("enrolled_infant") + F("enrolled_toddler") + F("enrolled_older") + F("enrolled_mixed")


def accepted_reports(period: dt.date, day: dt.date) -> QuerySet[MonthlyReport]:
    """Accepted reports for M of the institutions counted at D, annotated `enrolled` (children
    in every class) and `inclusive_at_d` (the institution's recognition is valid at D)."""
    inclusive_at_d = Exists(
        InclusiveRecognition.objects.filter(
            institution=OuterRef("institution"), valid_from__lte=day
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    counted = counted_ids(day)
    return MonthlyReport.objects.filter(
        period=period, state=MonthlyReport.State.ACCEPTED, institution__in=counted
    ).annotate(
        enrolled=ENROLLED,
        inclusive_at_d=inclusive_at_d,
        township_id_at=township_at(day, "institution"),
    )


def report_totals(totals: Totals, month: Month) -> None:
    """K15's enrolment and K6's enrolment-weighted fee. On PostgreSQL the reports are joined to
    the set-based registry at D (each report's institution counted, its township and inclusive
    status at D) by hash, instead of a correlated lookup per report."""
    if registry.set_based():
        # order_by(): the model's default ordering joined the institutions and townships to
        # sort the reports, which the sums do not need.
        reports = (
            MonthlyReport.objects.filter(period=month.period, state=MonthlyReport.State.ACCEPTED)
            .order_by()
            .values(institution_ref=F("institution_id"), enrolled=ENROLLED, fee=F("fee_full_day"))
        )
        fee_rows, fee_params = where_sql(FEE_ROWS_AT_D, "y")
        rows = by_township_at(
            reports,
            month.day,
            "sum(y.enrolled) AS enrolled_children, "
            f"sum(y.fee * y.enrolled) FILTER (WHERE {fee_rows}) AS fee_weighted, "
            f"sum(y.enrolled) FILTER (WHERE {fee_rows}) AS fee_enrolment",
            [*fee_params, *fee_params],
            counted_only=True,
        )
        totals.add_rows(rows, month.townships, "township_id_at")
        return
    rows = (
        accepted_reports(month.period, month.day)
        .order_by()
        .values("township_id_at")
        .annotate(
            enrolled_children=Sum("enrolled"),
            fee_weighted=Sum(F("fee_full_day") * F("enrolled"), filter=FEE_ROWS),
            fee_enrolment=Sum("enrolled", filter=FEE_ROWS),
        )
    )
    totals.add_rows(rows, month.townships, "township_id_at")


def sessions(day: dt.date) -> QuerySet[ParentingSession]:
    """Parenting-care sessions held from 1 January to D."""
    return ParentingSession.objects.filter(held_on__gte=dt.date(day.year, 1, 1), held_on__lte=day)


def session_totals(totals: Totals, month: Month) -> None:
    """K9: the sessions, and the families: distinct families over the attendance lists of the
    area's sessions plus the head count of each session without a list (kpis.md). A family on
    the lists of sessions in two townships counts once for the city. `sessions_listed` (the
    sessions with a list) lets the dashboard say how exact the count is."""
    rows, city_listed = (_set_based_sessions if registry.set_based() else _orm_sessions)(month)
    for row in rows:
        area = month.townships[row["township_id"]]
        families = row["head_counts"] + row["listed_families"]
        totals.add(area, sessions=row["sessions"], sessions_listed=row["sessions_listed"])
        totals[area]["families"] += Decimal(families)
        totals[CITY]["families"] += Decimal(row["head_counts"])
    totals[CITY]["families"] += Decimal(city_listed)


def _orm_sessions(month: Month) -> tuple[list[dict], int]:
    """Per township: sessions, sessions_listed, head_counts (of the sessions without a list)
    and listed_families (distinct over its lists); and the distinct families of every list."""
    year = sessions(month.day).annotate(
        listed=Exists(SessionAttendance.objects.filter(session=OuterRef("pk")))
    )
    rows = (
        year.order_by()
        .values("township_id")
        .annotate(
            sessions=Count("pk"),
            sessions_listed=Count("pk", filter=Q(listed=True)),
            head_counts=Coalesce(Sum("families_reached", filter=Q(listed=False)), 0),
        )
    )
    listed_families = dict(
        SessionAttendance.objects.filter(session__in=year.values("pk"))
        .order_by()
        .values_list("session__township_id")
        .annotate(n=Count("family_hash", distinct=True))
    )
    rows = [{**row, "listed_families": listed_families.get(row["township_id"], 0)} for row in rows]
    city = SessionAttendance.objects.filter(session__in=year.values("pk")).aggregate(
        n=Count("family_hash", distinct=True)
    )["n"]
    return rows, city


def _set_based_sessions(month: Month) -> tuple[list[dict], int]:
    """`_orm_sessions` in one query (PostgreSQL), instead of three: the year's (township,
    family) pairs are made distinct once by hash, and both the townships' and the city's
    distinct counts read those few pairs (COUNT(DISTINCT) over the lists sorted every
    attendance row, twice). A session is listed when its id is among the attendance's; the
    row whose township is null is the city's."""
    year, year_params = (
        sessions(month.day).order_by().values("id", "township_id", "families_reached")
    ).query.sql_with_params()
    attendance = SessionAttendance._meta.db_table
    sql = f"""
        WITH year AS NOT MATERIALIZED ({year}),
        families AS MATERIALIZED (
            SELECT DISTINCT s.township_id, a.family_hash
            FROM {attendance} AS a JOIN year AS s ON s.id = a.session_id
        ),
        listed AS (SELECT township_id, count(*) AS n FROM families GROUP BY township_id)
        SELECT s.township_id, s.sessions, s.sessions_listed, s.head_counts,
            coalesce(listed.n, 0) AS listed_families
        FROM (
            SELECT s.township_id, count(*) AS sessions, count(a.session_id) AS sessions_listed,
                coalesce(sum(s.families_reached) FILTER (WHERE a.session_id IS NULL), 0)
                    AS head_counts
            FROM year AS s
            LEFT JOIN (SELECT DISTINCT session_id FROM {attendance}) AS a ON a.session_id = s.id
            GROUP BY s.township_id
        ) AS s
        LEFT JOIN listed ON listed.township_id = s.township_id
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, count(DISTINCT family_hash) FROM families
    """  # noqa: S608 - Django's SQL and our table names; values are parameters
    # Every session has a township: the row without one is the city's.
    rows = registry.dict_rows(sql, list(year_params))
    city = next(row for row in rows if row["township_id"] is None)
    return [row for row in rows if row is not city], city["listed_families"]


def new_communities(day: dt.date) -> QuerySet[Community]:
    """Communities new at D and delivered from the pilot's start to D, annotated with their
    facts at D (`residents_at`, `delivered_places_at`) and `meets`: 10 places per 1000
    residents; a community of no residents has no ratio and does not meet it (no data is not a
    share), but is one of the new communities."""

    def at(field: str) -> Case:
        return dated_value(CommunityFacts, "community", field, day, current=field)

    # places / residents x 1000 >= 10, in integers: places x 100 >= residents.
    meets = ExpressionWrapper(
        Q(residents_at__gt=0) & Q(residents_at__lte=F("delivered_places_at") * Value(100)),
        output_field=BooleanField(),
    )
    return (
        Community.objects.filter(delivered_on__gte=settings.PILOT_START_DATE, delivered_on__lte=day)
        .annotate(
            is_new_at=at("is_new"),
            residents_at=at("residents"),
            delivered_places_at=at("delivered_places"),
        )
        .filter(is_new_at=True)
        .annotate(meets=meets)
    )


def community_totals(totals: Totals, month: Month) -> None:
    """K10."""
    rows = (
        new_communities(month.day)
        .order_by()
        .values("township_id")
        .annotate(new_communities=Count("pk"), meeting=Count("pk", filter=Q(meets=True)))
    )
    totals.add_rows(rows, month.townships, "township_id")


def findings(month: Month) -> QuerySet:
    """Findings whose deadline falls in M, annotated `closed_on_time`."""
    return findings_due(start=month.period, end=month.day)


def finding_totals(totals: Totals, month: Month) -> None:
    """K12d, by the inspected institution's township at D. On PostgreSQL the findings are
    counted per inspection first, and only those counts joined to the inspections (for their
    institution) and to the set-based registry, by hash: joined one by one, the month's
    findings made PostgreSQL hash every inspection ever made."""
    if registry.set_based():
        due, due_params = (
            findings(month)
            .order_by()
            .values("inspection_id")
            .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True)))
            .query.sql_with_params()
        )
        rows = by_township_at(
            (
                f"SELECT i.institution_id AS institution_ref, d.n, d.on_time FROM ({due}) AS d "  # noqa: S608
                f"JOIN {Inspection._meta.db_table} AS i ON i.id = d.inspection_id",
                list(due_params),
            ),
            month.day,
            "sum(y.n) AS findings_due, sum(y.on_time) AS closed_on_time",
            [],
            counted_only=False,
        )
        totals.add_rows(rows, month.townships, "township_id_at")
        return
    rows = (
        findings(month)
        .order_by()
        .annotate(township_id_at=township_at(month.day, "inspection__institution"))
        .values("township_id_at")
        .annotate(
            findings_due=Count("pk"), closed_on_time=Count("pk", filter=Q(closed_on_time=True))
        )
    )
    totals.add_rows(rows, month.townships, "township_id_at")


def voucher_totals(totals: Totals, month: Month) -> None:
    """K13: the amounts from the ledger to the end of D, by the child's registered township at D
    (children registered outside Yueqing count in the city figure only), and the families:
    distinct guardians with a redemption made by D and not reversed by D."""
    if registry.set_based():
        _set_based_vouchers(totals, month)
        return
    _orm_voucher_amounts(totals, month)
    _orm_voucher_families(totals, month)


def ledger_to(month: Month) -> QuerySet[LedgerEntry]:
    """Ledger entries made by the end of D."""
    return LedgerEntry.objects.filter(created_at__lte=month.end)


def redeemed_by(month: Month) -> QuerySet[Redemption]:
    """Redemptions made by D and not reversed by D."""
    return Redemption.objects.filter(created_at__lte=month.end).filter(
        Q(status=Redemption.Status.ACTIVE) | Q(reversed_at__gt=month.end)
    )


ISSUED = Q(kind=LedgerEntry.Kind.ISSUE)
REDEEMED = Q(kind__in=[LedgerEntry.Kind.REDEMPTION, LedgerEntry.Kind.REVERSAL])


def _orm_voucher_amounts(totals: Totals, month: Month) -> None:
    rows = (
        ledger_to(month)
        .order_by()
        .annotate(township_id_at=child_township_at(month.day, "voucher__child"))
        .values("township_id_at")
        .annotate(
            issued=Coalesce(Sum("amount", filter=ISSUED), ZERO),
            redeemed=Coalesce(-Sum("amount", filter=REDEEMED), ZERO),
        )
    )
    for row in rows:
        area = month.townships.get(row["township_id_at"], CITY)
        totals.add(area, voucher_issued=row["issued"], voucher_redeemed=row["redeemed"])


def _orm_voucher_families(totals: Totals, month: Month) -> None:
    redeemed = redeemed_by(month)
    for row in (
        redeemed.order_by()
        .annotate(township_id_at=child_township_at(month.day, "voucher__child"))
        .values("township_id_at")
        .annotate(families=Count("voucher__child__guardian", distinct=True))
    ):
        area = month.townships.get(row["township_id_at"])
        if area is not None:
            totals[area]["voucher_families"] += row["families"]
    # A family with children in two townships counts once for the city.
    totals[CITY]["voucher_families"] = Decimal(
        redeemed.aggregate(n=Count("voucher__child__guardian", distinct=True))["n"]
    )


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _set_based_vouchers(totals: Totals, month: Month) -> None:
    """The two ORM readings above in one query (PostgreSQL): each child's registered township
    at D is read once, in one pass over the registrations (`DISTINCT ON` the child, in
    selectors.dated_value's order: the latest record effective on or before D, else the
    earliest; no record: the child's current township), and joined to the vouchers by hash,
    instead of two correlated lookups per ledger entry and per redemption. The families' row
    of the empty grouping set (`city`) is the city's distinct count."""
    ledger, ledger_params = (
        ledger_to(month)
        .order_by()
        .values("voucher_id", "amount", issued=_flag(ISSUED), spent=_flag(REDEEMED))
        .query.sql_with_params()
    )
    redeemed, redeemed_params = (
        redeemed_by(month).order_by().values("voucher_id").query.sql_with_params()
    )
    dated_order, order_params = dated_order_sql(month.day)
    sql = f"""
        WITH registered AS (
            SELECT DISTINCT ON (child_id) child_id, hukou_township_id
            FROM {ChildRegistration._meta.db_table}
            ORDER BY child_id, {dated_order}
        ), vouchers AS (
            SELECT v.id, c.guardian_id, CASE WHEN r.child_id IS NULL
                THEN c.hukou_township_id ELSE r.hukou_township_id END AS township_id_at
            FROM {Voucher._meta.db_table} AS v
            JOIN {Child._meta.db_table} AS c ON c.id = v.child_id
            LEFT JOIN registered AS r ON r.child_id = c.id
        )
        SELECT v.township_id_at, FALSE AS city,
            coalesce(sum(l.amount) FILTER (WHERE l.issued), 0) AS issued,
            coalesce(-sum(l.amount) FILTER (WHERE l.spent), 0) AS redeemed,
            NULL AS families
        FROM ({ledger}) AS l JOIN vouchers AS v ON v.id = l.voucher_id
        GROUP BY v.township_id_at
        UNION ALL
        SELECT v.township_id_at, GROUPING(v.township_id_at) = 1, NULL, NULL,
            count(DISTINCT v.guardian_id)
        FROM ({redeemed}) AS r JOIN vouchers AS v ON v.id = r.voucher_id
        GROUP BY GROUPING SETS ((v.township_id_at), ())
    """  # noqa: S608 - Django's SQL and our table names; values are parameters
    params = [*order_params, *ledger_params, *redeemed_params]
    for row in registry.dict_rows(sql, params):
        if row["city"]:
            # A family with children in two townships counts once for the city.
            totals[CITY]["voucher_families"] = Decimal(row["families"])
        elif row["families"] is None:
            area = month.townships.get(row["township_id_at"], CITY)
            totals.add(area, voucher_issued=row["issued"], voucher_redeemed=row["redeemed"])
        elif (area := month.townships.get(row["township_id_at"])) is not None:
            totals[area]["voucher_families"] += row["families"]


SOURCES = (
    report_totals,
    session_totals,
    community_totals,
    finding_totals,
    voucher_totals,
    # Issue 19's tracked indicators (K18-K22).
    *TRACKED_SOURCES,
)
