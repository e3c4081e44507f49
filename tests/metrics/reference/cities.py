"""Small registries full of boundary dates: a Hypothesis strategy (`cities()`) and `build(city)`.

A `City` is plain data, so a failing example prints readably and shrinks. Its dates come from a
small set of days around the last day D of an anchor month M (D-1, D, D+1, the 1st of M, the
day before it, 1 January, 31 December of the year before, the quarter's first day, the pilot
baseline and start, the next month's end...), and its moments from the edges of those days in
Asia/Shanghai, including 03:00 (still the day before in UTC). The indicators are then compared
for M-1, M and M+1.

`build(city)` writes the rows with one bulk insert per table, and the voucher money one row at a
time under time_machine: the ledger's and the redemptions' times are set on insert, and the
ledger cannot be updated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from hypothesis import strategies as st

from inspections.models import ChecklistTemplate, Finding, Inspection
from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    CommunityFacts,
    InclusiveRecognition,
    Institution,
    InstitutionDetails,
    MonthlyReport,
    PanicAlarm,
    ParentingSession,
    StaffMember,
    StaffRoleRecord,
    Township,
)
from metrics.models import CityIncome, PopulationBase
from portal.dates import add_months, month_end
from portal.validators import resident_id_check_char
from vouchers import services
from vouchers.models import (
    ChildRegistration,
    LedgerEntry,
    Redemption,
    Voucher,
    VoucherApplication,
    VoucherBatch,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOSTLY = st.sampled_from((True, True, True, False))  # three times in four
# The anchor month M: mid-year; January (its last day is the pilot baseline); February (the
# pilot starts on its 1st; 28 days); a quarter's last month; December (the year targets are
# judged, M+1 is another year); February 2024 (29 days, before the pilot); January 2026 (a year
# later: earlier income and population rows); September.
ANCHORS = (
    *(dt.date(2025, 6, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)),
    *(dt.date(2025, 12, 1), dt.date(2024, 2, 1), dt.date(2026, 1, 1), dt.date(2025, 9, 1)),
)
TOWNSHIPS = ("330382114", "330382001", "330382210")
EARLY = dt.date(2024, 1, 1)
ONE_DAY = dt.timedelta(days=1)
# A moment's time of day: the first instant, 03:00 (the day before in UTC), the last instant.
TIMES = (dt.time(10), dt.time(0), dt.time(3), dt.time.max)
KINDS = ("kindergarten", "centre", "kindergarten", "community", "family_point", "employer")
ROLES = ("caregiver", "teacher", "health", "cook", "caregiver", "head", "guard", "admin")
CERTIFICATES = ("childcare_worker", "health_certificate", "kindergarten_teacher", "infant_carer")


@dataclass(frozen=True)
class Staff:
    role: str
    hired_on: dt.date
    left_on: dt.date | None
    certificates: tuple  # (kind, issued_on, expires_on)
    roles: tuple = ()  # dated roles: (effective_from, role)


@dataclass(frozen=True)
class Report:
    period: dt.date
    state: str
    first_submitted_at: dt.datetime | None
    enrolled: tuple  # infant, toddler, older, mixed
    fee_full_day: Decimal | None


@dataclass(frozen=True)
class Visit:
    kind: str
    completed: bool
    inspected_on: dt.date
    findings: tuple  # (found_on, deadline, state, closed_on)


@dataclass(frozen=True)
class Place:
    township: int
    kind: str
    inclusive_kindergarten: bool
    filed_on: dt.date | None
    closed_on: dt.date | None
    alarm_on: dt.date | None
    places: tuple  # (effective_from, infant, toddler, older, mixed)
    recognitions: tuple  # (valid_from, valid_to)
    contracts: tuple  # (valid_from, valid_to)
    staff: tuple
    reports: tuple
    visits: tuple
    details: tuple = ()  # dated (effective_from, kind, township, inclusive kindergarten)
    alarms: tuple = ()  # alarm periods (valid_from, valid_to)
    alarm_removed_on: dt.date | None = None


@dataclass(frozen=True)
class Kid:
    guardian: int
    township: int | None
    face_value: Decimal
    issued_at: dt.datetime
    adjusted_at: dt.datetime | None
    redemptions: tuple  # (at, amount, reversed_at)
    expired_at: dt.datetime | None
    registrations: tuple = ()  # dated registered townships: (effective_from, township or None)


@dataclass(frozen=True)
class City:
    month: dt.date
    townships: tuple
    population: tuple  # (township, year, residents, children_under_3)
    incomes: tuple  # (year, income)
    institutions: tuple
    sessions: tuple  # (township, held_on, families_reached)
    communities: tuple  # (township, is_new, delivered_on, residents, delivered_places, facts)
    # facts: dated (effective_from, is_new, residents, delivered_places)
    kids: tuple

    @property
    def months(self) -> tuple[dt.date, ...]:
        return compared_months(self.month)


def compared_months(month: dt.date) -> tuple[dt.date, ...]:
    return (add_months(month, -1), month, add_months(month, 1))


def boundary_days(month: dt.date) -> list[dt.date]:
    """The days a fact may be dated, simplest first (Hypothesis shrinks towards the first)."""
    d = month_end(month)
    next_end = month_end(d + ONE_DAY)
    quarter = dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    days = [EARLY, d, d - ONE_DAY, d + ONE_DAY, month, month - ONE_DAY, month.replace(day=15)]
    days += [next_end, next_end + ONE_DAY, dt.date(d.year, 1, 1), dt.date(d.year - 1, 12, 31)]
    days += [quarter, quarter - ONE_DAY, settings.PILOT_BASELINE_DATE]
    days += [settings.PILOT_START_DATE, month - ONE_DAY - ONE_DAY]
    return list(dict.fromkeys(days))


def _in_order(first, second):
    """Two optional dates, the second not before the first."""
    if first is not None and second is not None and second < first:
        return second, first
    return first, second


@dataclass(frozen=True)
class Days:
    """How one city's facts are dated."""

    day: st.SearchStrategy  # a boundary day
    start: st.SearchStrategy  # long before, or a boundary day
    edge: st.SearchStrategy  # the last day of a compared month, the day before or after
    end: st.SearchStrategy  # none (open-ended), an edge or a boundary day


def _days(month: dt.date) -> Days:
    day = st.sampled_from(boundary_days(month))
    edges = [month_end(m) + ONE_DAY * k for m in compared_months(month) for k in (0, -1, 1)]
    edge = st.sampled_from(edges)
    return Days(day=day, start=st.just(EARLY) | day, edge=edge, end=st.none() | edge | day)


@st.composite
def _periods(draw, days: Days) -> tuple:
    """0 to 2 validity periods (from, to) of one institution that do not overlap."""
    periods = []
    for _ in range(draw(st.sampled_from((1, 0, 2, 1)))):
        start, end = _in_order(draw(days.start), draw(days.end))
        if periods and (periods[-1][1] is None or start <= periods[-1][1]):
            break
        periods.append((start, end))
    return tuple(periods)


@st.composite
def _staff(draw, days: Days) -> Staff:
    hired_on, left_on = draw(days.start), draw(days.end)
    if left_on is not None and left_on <= hired_on:
        left_on = None  # left after hired, strictly
    certificates = []
    for _ in range(draw(st.integers(0, 2))):
        issued, expires = _in_order(draw(days.start), draw(days.end))
        certificates.append((draw(st.sampled_from(CERTIFICATES)), issued, expires))
    roles = draw(_dated(days, st.sampled_from(ROLES)))
    return Staff(draw(st.sampled_from(ROLES)), hired_on, left_on, tuple(certificates), roles)


@st.composite
def _dated(draw, days: Days, values: st.SearchStrategy) -> tuple:
    """0 to 2 dated values (effective_from, *value) of one thing, one a day; often none (the
    thing's own value is read)."""
    records, used = [], set()
    for _ in range(draw(st.sampled_from((0, 1, 2, 0)))):
        effective = draw(days.start | days.edge)
        if effective not in used:
            used.add(effective)
            value = draw(values)
            records.append((effective, *(value if isinstance(value, tuple) else (value,))))
    return tuple(records)


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


@st.composite
def _report(draw, period: dt.date) -> Report:
    state = draw(st.sampled_from(("accepted", "draft", "submitted", "returned", "accepted")))
    due = add_months(period, 1).replace(day=settings.REPORT_DEADLINE_DAY)
    moments = [
        _moment(due, dt.time.max),
        _moment(due + ONE_DAY, dt.time(0)),
        _moment(due + ONE_DAY, dt.time(3)),
        _moment(add_months(period, 1), dt.time(9)),
        _moment(month_end(period), dt.time(23)),
        _moment(add_months(period, 1).replace(day=20), dt.time(10)),
    ]
    submitted = None if state == "draft" else draw(st.sampled_from(moments))
    enrolled = tuple(draw(st.sampled_from((0, 3, 36))) for _ in range(4))
    fee = draw(st.sampled_from((Decimal(1500), Decimal(2600), None, Decimal(0))))
    return Report(period, state, submitted, enrolled, fee)


@st.composite
def _visit(draw, days: Days) -> Visit:
    day = days.day
    findings = []
    for _ in range(draw(st.integers(0, 2))):
        found_on, deadline = _in_order(draw(day), draw(day))
        state = draw(st.sampled_from(("closed", "open", "submitted", "returned")))
        closed_on = draw(day) if state == "closed" else None
        if closed_on is not None and closed_on < found_on:
            closed_on = found_on
        findings.append((found_on, deadline, state, closed_on))
    kind = draw(st.sampled_from(("patrol", "guidance", "annual", "spot_check")))
    return Visit(kind, draw(st.booleans()), draw(day), tuple(findings))


@st.composite
def _institution(draw, days: Days, townships: int, months: tuple) -> Place:
    kind = draw(st.sampled_from(KINDS))
    filed_on = draw(days.start) if draw(MOSTLY) else None
    closed_on = None if draw(MOSTLY) else draw(days.edge | days.day)
    filed_on, closed_on = _in_order(filed_on, closed_on)
    places, used = [], set()
    for _ in range(draw(st.integers(0, 2))):
        effective = draw(days.start)
        if effective not in used:  # one record a day
            used.add(effective)
            counts = [draw(st.sampled_from((0, 10, 25, 7))) for _ in range(4)]
            places.append((effective, *counts))
    detail = st.sampled_from(KINDS).flatmap(
        lambda kind: st.tuples(
            st.just(kind),
            st.integers(0, townships - 1),
            st.just(False) | st.just(kind == "kindergarten"),
        )
    )
    alarm_on = draw(days.end)
    removed = draw(st.none() | days.edge) if alarm_on else None
    return Place(
        details=draw(_dated(days, detail)),
        alarms=draw(_periods(days)) if draw(st.booleans()) else (),
        alarm_removed_on=removed if removed and removed > alarm_on else None,
        township=draw(st.integers(0, townships - 1)),
        kind=kind,
        inclusive_kindergarten=kind == "kindergarten" and draw(MOSTLY),
        filed_on=filed_on,
        closed_on=closed_on,
        alarm_on=alarm_on,
        places=tuple(places),
        recognitions=draw(_periods(days)),
        contracts=draw(_periods(days)),
        staff=tuple(draw(st.lists(_staff(days), max_size=3))),
        reports=tuple(draw(_report(m)) for m in months if draw(MOSTLY)),
        visits=tuple(draw(st.lists(_visit(days), max_size=3))),
    )


@st.composite
def _kid(draw, days: Days, townships: int) -> Kid:
    moment = st.builds(_moment, days.edge | days.day, st.sampled_from(TIMES))
    issued_at = draw(moment)
    redemptions = []
    for _ in range(draw(st.integers(0, 2))):
        at = max(issued_at, draw(moment))
        reversed_at = draw(st.none() | moment)
        redemptions.append(
            (
                at,
                draw(st.sampled_from((Decimal(300), Decimal(100)))),
                None if reversed_at is None else max(at, reversed_at),
            )
        )
    adjusted_at, expired_at = draw(st.none() | moment), draw(st.none() | moment)
    return Kid(
        guardian=draw(st.integers(0, 2)),
        township=draw(st.none() | st.integers(0, townships - 1)),
        face_value=draw(st.sampled_from((Decimal(1000), Decimal(3000)))),
        issued_at=issued_at,
        adjusted_at=None if adjusted_at is None else max(issued_at, adjusted_at),
        redemptions=tuple(redemptions),
        expired_at=expired_at,
        registrations=draw(_dated(days, st.none() | st.integers(0, townships - 1))),
    )


@st.composite
def cities(draw) -> City:
    month = draw(st.sampled_from(ANCHORS))
    days = _days(month)
    day = days.day
    n = draw(st.integers(2, 3))
    year = month.year
    population = []
    for township in range(n):
        for row_year in draw(st.sets(st.sampled_from((year, year - 1, year + 1)), max_size=2)):
            residents = draw(st.sampled_from((50000, 10000, 0)))
            under_3 = draw(st.sampled_from((300, 1000, 0)))
            population.append((township, row_year, residents, under_3))
    incomes = [
        (income_year, draw(st.sampled_from((Decimal(72000), Decimal(60000)))))
        for income_year in draw(
            st.sets(st.sampled_from((year - 1, year, year - 2)), min_size=1, max_size=2)
        )
    ]
    months = compared_months(month)
    sessions = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), day, st.sampled_from((12, 0, 1))),
            max_size=4,
        )
    )
    communities = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from((True, False, True)),
                day,
                st.sampled_from((5000, 999, 1, 0)),
                st.sampled_from((50, 49, 0, 10)),
                _dated(
                    days,
                    st.tuples(
                        st.booleans(),
                        st.sampled_from((5000, 0, 999)),
                        st.sampled_from((50, 49, 0)),
                    ),
                ),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return City(
        month=month,
        townships=TOWNSHIPS[:n],
        population=tuple(population),
        incomes=tuple(incomes),
        institutions=tuple(draw(st.lists(_institution(days, n, months), min_size=3, max_size=7))),
        sessions=tuple(sessions),
        communities=tuple(communities),
        kids=tuple(draw(st.lists(_kid(days, n), max_size=4))),
    )


# --- Writing the rows ------------------------------------------------------------------------------


def resident_id(born: dt.date, n: int) -> str:
    first17 = f"330382{born:%Y%m%d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def build(city: City) -> None:
    """Write the city's rows: one bulk insert per table (no history rows: the indicators do not
    read them), the voucher money one row at a time at its own moment."""
    townships = {t.code: t for t in Township.objects.filter(code__in=city.townships)}
    townships = [townships[code] for code in city.townships]
    PopulationBase.objects.bulk_create(
        PopulationBase(
            township=townships[township], year=year, residents=residents, children_under_3=under_3
        )
        for township, year, residents, under_3 in city.population
    )
    CityIncome.objects.bulk_create(
        CityIncome(year=year, per_capita_disposable_income=income) for year, income in city.incomes
    )
    ParentingSession.objects.bulk_create(
        ParentingSession(
            held_on=held_on,
            organiser_kind="health_centre",
            organiser_name="卫生院",
            township=townships[township],
            topic="喂养",
            families_reached=families,
        )
        for township, held_on, families in city.sessions
    )
    communities = Community.objects.bulk_create(
        Community(
            township=townships[township],
            name=f"社区{n}",
            residents=residents,
            is_new=is_new,
            delivered_on=delivered_on,
            delivered_places=places,
        )
        for n, (township, is_new, delivered_on, residents, places, _f) in enumerate(
            city.communities
        )
    )
    CommunityFacts.objects.bulk_create(
        CommunityFacts(
            community=community,
            effective_from=effective_from,
            is_new=is_new,
            residents=residents,
            delivered_places=places,
        )
        for community, plan in zip(communities, city.communities, strict=True)
        for effective_from, is_new, residents, places in plan[5]
    )
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"机构{n}",
            kind=plan.kind,
            ownership="private",
            township=townships[plan.township],
            filed_on=plan.filed_on,
            closed_on=plan.closed_on,
            is_inclusive_kindergarten=plan.inclusive_kindergarten,
            panic_alarm_installed_on=plan.alarm_on,
            panic_alarm_removed_on=plan.alarm_removed_on,
        )
        for n, plan in enumerate(city.institutions)
    )
    plans = list(zip(institutions, city.institutions, strict=True))
    InstitutionDetails.objects.bulk_create(
        InstitutionDetails(
            institution=institution,
            effective_from=effective_from,
            kind=kind,
            township=townships[township],
            is_inclusive_kindergarten=inclusive_kindergarten,
        )
        for institution, plan in plans
        for effective_from, kind, township, inclusive_kindergarten in plan.details
    )
    _build_dated_facts(plans)
    _build_staff(plans)
    _build_visits(plans)
    _build_vouchers(city.kids, townships, institutions[0])


def _build_dated_facts(plans: list) -> None:
    ApprovedPlaces.objects.bulk_create(
        ApprovedPlaces(
            institution=institution,
            effective_from=effective_from,
            infant=infant,
            toddler=toddler,
            older=older,
            mixed=mixed,
        )
        for institution, plan in plans
        for effective_from, infant, toddler, older, mixed in plan.places
    )
    InclusiveRecognition.objects.bulk_create(
        InclusiveRecognition(institution=institution, valid_from=start, valid_to=end)
        for institution, plan in plans
        for start, end in plan.recognitions
    )
    CareContract.objects.bulk_create(
        CareContract(
            institution=institution, valid_from=start, valid_to=end, health_facility="卫生院"
        )
        for institution, plan in plans
        for start, end in plan.contracts
    )
    PanicAlarm.objects.bulk_create(
        PanicAlarm(institution=institution, valid_from=start, valid_to=end)
        for institution, plan in plans
        for start, end in plan.alarms
    )
    MonthlyReport.objects.bulk_create(
        MonthlyReport(
            institution=institution,
            period=report.period,
            state=report.state,
            enrolled_infant=report.enrolled[0],
            enrolled_toddler=report.enrolled[1],
            enrolled_older=report.enrolled[2],
            enrolled_mixed=report.enrolled[3],
            fee_full_day=report.fee_full_day,
            first_submitted_at=report.first_submitted_at,
            submitted_at=report.first_submitted_at,
        )
        for institution, plan in plans
        for report in plan.reports
    )


def _build_staff(plans: list) -> None:
    people = [
        (
            StaffMember(
                institution=institution,
                name=f"员工{n}-{m}",
                id_number=resident_id(dt.date(1980, 1, 1) + dt.timedelta(days=10 * n + m), m),
                role=person.role,
                hired_on=person.hired_on,
                left_on=person.left_on,
            ),
            person,
        )
        for n, (institution, plan) in enumerate(plans)
        for m, person in enumerate(plan.staff)
    ]
    StaffMember.objects.bulk_create(staff for staff, _person in people)
    StaffRoleRecord.objects.bulk_create(
        StaffRoleRecord(staff=staff, effective_from=effective_from, role=role)
        for staff, person in people
        for effective_from, role in person.roles
    )
    Certificate.objects.bulk_create(
        Certificate(staff=staff, kind=kind, issued_on=issued_on, expires_on=expires_on)
        for staff, person in people
        for kind, issued_on, expires_on in person.certificates
    )


def _build_visits(plans: list) -> None:
    templates = {t.kind: t for t in ChecklistTemplate.objects.filter(is_active=True)}
    visits = [
        (
            Inspection(
                institution=institution,
                kind=visit.kind,
                template=templates[visit.kind],
                inspected_on=visit.inspected_on,
                state="completed" if visit.completed else "draft",
                score=Decimal(90) if visit.completed else None,
                outcome="rectify" if visit.completed else "",
                completed_at=_moment(visit.inspected_on, dt.time(17)) if visit.completed else None,
            ),
            visit,
        )
        for institution, plan in plans
        for visit in plan.visits
    ]
    Inspection.objects.bulk_create(inspection for inspection, _visit in visits)
    Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            area="fire_safety",
            title="灭火器过期",
            severity="medium",
            found_on=found_on,
            deadline=deadline,
            state=state,
            closed_on=closed_on,
        )
        for inspection, visit in visits
        for found_on, deadline, state, closed_on in visit.findings
    )


def _build_vouchers(kids: tuple, townships: list, institution: Institution) -> None:
    if not kids:
        return
    batch = VoucherBatch.objects.create(
        name="参考批次",
        face_value=Decimal(1000),
        quantity_cap=100,
        apply_from=EARLY,
        apply_until=dt.date(2026, 12, 31),
        valid_from=EARLY,
        valid_until=dt.date(2026, 12, 31),
        monthly_cap=Decimal(500),
    )
    guardians = {}
    for n, kid in enumerate(kids):
        if kid.guardian not in guardians:
            guardians[kid.guardian] = services.guardian_get_or_create(
                name=f"家长{kid.guardian}",
                phone=f"139{kid.guardian:08d}",
                id_number=resident_id(dt.date(1990, 1, 1) + dt.timedelta(days=kid.guardian), 1),
            )
        child = services.child_register(
            guardian=guardians[kid.guardian],
            name=f"孩子{n}",
            id_number=resident_id(dt.date(2024, 1, 1) + dt.timedelta(days=n), 2),
            hukou_township=None if kid.township is None else townships[kid.township],
        )
        ChildRegistration.objects.bulk_create(
            ChildRegistration(
                child=child,
                effective_from=effective_from,
                hukou_township=None if township is None else townships[township],
            )
            for effective_from, township in kid.registrations
            if not child.registrations.filter(effective_from=effective_from).exists()
        )
        application = VoucherApplication.objects.create(
            batch=batch, child=child, source="bureau", state="approved", applied_on=EARLY
        )
        with time_machine.travel(kid.issued_at, tick=False):
            voucher = Voucher.objects.create(
                code=f"REF{n:09d}",
                batch=batch,
                child=child,
                application=application,
                face_value=kid.face_value,
                balance=kid.face_value,
                monthly_cap=Decimal(500),
                valid_from=EARLY,
                valid_until=dt.date(2026, 12, 31),
            )
        _build_ledger(voucher, kid, institution, n)


def _build_ledger(voucher: Voucher, kid: Kid, institution: Institution, n: int) -> None:
    """The voucher's movements in time order: issue, adjustment, redemptions and reversals, and
    the expiry of what is left last."""
    events = [(kid.issued_at, 0, "issue", kid.face_value, None)]
    if kid.adjusted_at:
        events.append((kid.adjusted_at, 1, "adjustment", Decimal(50), None))
    for k, (at, amount, reversed_at) in enumerate(kid.redemptions):
        redemption_key = f"ref-{n}-{k}"
        with time_machine.travel(at, tick=False):
            redemption = Redemption.objects.create(
                voucher=voucher,
                institution=institution,
                fee_month=at.date().replace(day=1),
                amount=amount,
                status="active" if reversed_at is None else "reversed",
                reversed_at=reversed_at,
                idempotency_key=redemption_key,
                request_fingerprint=redemption_key,
            )
        events.append((at, 2, "redemption", -amount, redemption))
        if reversed_at is not None:
            events.append((reversed_at, 3, "reversal", amount, redemption))
    events.sort(key=lambda event: event[:2])
    if kid.expired_at is not None:
        events.append((max(kid.expired_at, events[-1][0]), 4, "expiry", None, None))
    balance = Decimal(0)
    for at, _order, kind, amount, redemption in events:
        if kind == "expiry":
            if not balance:
                continue
            amount = -balance
        balance += amount
        with time_machine.travel(at, tick=False):
            LedgerEntry.objects.create(
                voucher=voucher,
                kind=kind,
                amount=amount,
                balance_after=balance,
                redemption=redemption,
                institution=institution if redemption else None,
            )
    Voucher.objects.filter(pk=voucher.pk).update(balance=balance)
