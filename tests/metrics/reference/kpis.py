"""kpis.md in plain Python: what every indicator should be, to check the portal against.

Written from kpis.md (the contract), never from metrics/computation.py or the selectors it uses:
every row is loaded with a plain `Model.objects.all()` into a list, and every indicator is a loop
with date comparisons worded as kpis.md words it. Slow and obvious on purpose. The only things
taken from the portal are the models, the list of qualifying certificates (a property of the
certificate kinds, kpis.md does not list them) and three settings: the pilot's baseline and start
dates and the report deadline day.

`snapshot(rows, period)` gives {(area, indicator): (value, status)} for the city and every
township, as the portal's snapshots hold them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from inspections.models import Finding, Inspection
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
from metrics.models import CityIncome, PopulationBase, Target
from portal.personal_data import KeyedHashField
from vouchers.models import Child, ChildRegistration, LedgerEntry, Redemption, Voucher

CITY = "city"
# "As of D" means the end of the month's last day, Asia/Shanghai.
SHANGHAI = ZoneInfo("Asia/Shanghai")
INDICATORS = (
    *("K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9_sessions", "K9_families", "K10"),
    *("K11", "K12a", "K12b", "K12c", "K12d", "K13_issued", "K13_redeemed", "K13_use"),
    *("K13_families", "K14", "K14_timely", "K15", "K16", "K17"),
)
# "The year targets counted from 1 January (K9_sessions, K9_families, K12c) are judged in
# December": written here from kpis.md, not read from the targets' flag.
YEAR_TARGETS = frozenset({"K9_sessions", "K9_families", "K12c"})
# K5: caregiver 保育人员, teacher 教师, health staff 保健人员; not cooks, guards or administrators.
CARE_ROLES = frozenset({"caregiver", "teacher", "health"})
CLASS_TYPES = ("infant", "toddler", "older", "mixed")
KINDERGARTEN = "kindergarten"
# K14: "submitted at least once (state submitted, accepted or returned)".
SUBMITTED_ONCE = frozenset({"submitted", "accepted", "returned"})


# --- The rows --------------------------------------------------------------------------------------


@dataclass
class Rows:
    """Every row the indicators read, as plain Python lists."""

    townships: list
    institutions: list
    places: list
    recognitions: list
    contracts: list
    staff: list
    certificates: list
    reports: list
    sessions: list
    attendance: dict  # session id -> the family keys on its attendance list
    communities: list
    inspections: list
    findings: list
    population: list
    incomes: list
    children: dict  # child id -> child
    vouchers: dict  # voucher id -> voucher
    ledger: list
    redemptions: list
    targets: dict  # indicator -> Target
    # The dated records of the facts the objects above also hold as their current value.
    details: list  # an institution's kind, township, inclusive-kindergarten flag
    alarms: list  # one-click alarm periods
    roles: list  # staff roles
    community_facts: list  # a community's new flag, residents, delivered places
    registrations: list  # a child's registered township


def load() -> Rows:
    return Rows(
        townships=list(Township.objects.all()),
        institutions=list(Institution.objects.all()),
        places=list(ApprovedPlaces.objects.all()),
        recognitions=list(InclusiveRecognition.objects.all()),
        contracts=list(CareContract.objects.all()),
        staff=list(StaffMember.objects.all()),
        certificates=list(Certificate.objects.all()),
        reports=list(MonthlyReport.objects.all()),
        sessions=list(ParentingSession.objects.all()),
        attendance=attendance_lists(),
        communities=list(Community.objects.all()),
        inspections=list(Inspection.objects.all()),
        findings=list(Finding.objects.all()),
        population=list(PopulationBase.objects.all()),
        incomes=list(CityIncome.objects.all()),
        children={child.pk: child for child in Child.objects.all()},
        vouchers={voucher.pk: voucher for voucher in Voucher.objects.all()},
        ledger=list(LedgerEntry.objects.all()),
        redemptions=list(Redemption.objects.all()),
        targets={target.indicator: target for target in Target.objects.all()},
        details=list(InstitutionDetails.objects.all()),
        alarms=list(PanicAlarm.objects.all()),
        roles=list(StaffRoleRecord.objects.all()),
        community_facts=list(CommunityFacts.objects.all()),
        registrations=list(ChildRegistration.objects.all()),
    )


def attendance_lists() -> dict[int, set]:
    """The parenting sessions' attendance lists: {session id: family keys}.

    K9_families counts "distinct families ... from the sessions' attendance lists (a family is
    one keyed hash of the parent's mobile number), plus the head count of each session that has
    no list". The rows of any model with a foreign key to ParentingSession and one keyed-hash
    field (today institutions.SessionAttendance.family_hash) are read here. A session without
    rows has no list.
    """
    lists: dict[int, set] = {}
    for relation in ParentingSession._meta.related_objects:
        model = relation.related_model
        if not relation.one_to_many or model.__name__.startswith("Historical"):
            continue
        keys = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, KeyedHashField) or field.name.endswith("hash")
        ]
        if len(keys) != 1:
            raise AssertionError(
                f"{model.__name__} refers to parenting sessions: if it is an attendance list, "
                "tell tests/metrics/reference/kpis.py which field is the family's keyed hash"
            )
        for row in model.objects.all():
            lists.setdefault(getattr(row, relation.field.attname), set()).add(
                getattr(row, keys[0].attname)
            )
    return lists


# --- Small rules of kpis.md -----------------------------------------------------------------------


def last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def local_day(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in Yueqing."""
    return moment.astimezone(SHANGHAI).date()


def valid_on(valid_from: dt.date, valid_to: dt.date | None, day: dt.date) -> bool:
    """Valid from F to T, both included; T empty means open-ended."""
    return valid_from <= day and (valid_to is None or day <= valid_to)


def dated(records: list, owner: str, thing, field: str, day: dt.date):
    """A dated fact of `thing` at `day`: "a dated value applies from its effective date until
    the next one's", so the latest of its records (`owner` names the link) effective on or
    before `day`. docs/indicators.md's choices for the rest: before its first record, the first
    record's value; without any record, the value `thing` holds itself."""
    own = [r for r in records if getattr(r, f"{owner}_id") == thing.pk]
    if not own:
        return getattr(thing, field)
    started = [r for r in own if r.effective_from <= day]
    if started:
        return getattr(max(started, key=lambda r: r.effective_from), field)
    return getattr(min(own, key=lambda r: r.effective_from), field)


def share(numerator, denominator) -> Decimal | None:
    """No data is not zero: a ratio whose denominator is zero or missing is None."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def per_thousand(numerator, denominator) -> Decimal | None:
    value = share(numerator, denominator)
    return None if value is None else value * 1000


def enrolled(report) -> int:
    return sum(getattr(report, f"enrolled_{kind}") for kind in CLASS_TYPES)


def status(indicator: str, value: Decimal | None, target, period: dt.date) -> str:
    """met / not_met / no_data against the target staff can edit; tracked without a target.

    The year targets are judged in December: before it they are met once reached and tracked
    (in progress) until then, never not_met.
    """
    if value is None:
        return "no_data"
    if target is None:
        return "tracked"
    if target.comparison == "gte":
        met = value >= target.value
    else:
        met = value <= target.value
    if met:
        return "met"
    if indicator in YEAR_TARGETS and period.month != 12:
        return "tracked"
    return "not_met"


# --- One month ------------------------------------------------------------------------------------


class Month:
    """The registry as it stood at D, the last day of the month, for one month.

    Two other readings, to tell a known difference from a new one:
    - `kindergarten_rule=False` reads the counting rule without its second sentence ("a
      kindergarten that runs no childcare class has no places; it counts only for K7"), as the
      portal read it before that sentence was applied;
    - `k15_counted_only=True` reads K15's "children enrolled in accepted reports for M" as the
      accepted reports of counted institutions only (kpis.md says so for K6, not for K15).
    """

    def __init__(
        self,
        rows: Rows,
        period: dt.date,
        *,
        kindergarten_rule: bool = True,
        k15_counted_only: bool = False,
    ):
        self.rows = rows
        self.first = period.replace(day=1)
        self.day = last_day(self.first)
        self.year = self.day.year
        self.year_start = dt.date(self.year, 1, 1)
        self.quarter_start = dt.date(self.year, 3 * ((self.day.month - 1) // 3) + 1, 1)
        self.kindergarten_rule = kindergarten_rule
        self.k15_counted_only = k15_counted_only
        self.codes = {township.pk: township.code for township in rows.townships}

    def in_area(self, township_id, area: str) -> bool:
        return area == CITY or self.codes.get(township_id) == area

    def detail(self, institution, field: str, day: dt.date | None = None):
        """The institution's kind, township_id or is_inclusive_kindergarten at `day` (D)."""
        return dated(self.rows.details, "institution", institution, field, day or self.day)

    def institution_in_area(self, institution, area: str, day: dt.date | None = None) -> bool:
        """In the area by its township at `day` (D)."""
        return self.in_area(self.detail(institution, "township_id", day), area)

    # Institutions

    def places(self, institution, day: dt.date) -> dict[str, int]:
        """Approved places by class type: the latest record effective on or before `day` (a
        dated value applies from its effective date until the next one's); none is no places."""
        latest = None
        for record in self.rows.places:
            if record.institution_id == institution.pk and record.effective_from <= day:
                if latest is None or record.effective_from > latest.effective_from:
                    latest = record
        return {kind: getattr(latest, kind) if latest else 0 for kind in CLASS_TYPES}

    def total_places(self, institution, day: dt.date) -> int:
        return sum(self.places(institution, day).values())

    @staticmethod
    def filed_and_open(institution, day: dt.date) -> bool:
        """Filed on or before D and not closed on or before D."""
        filed = institution.filed_on is not None and institution.filed_on <= day
        closed = institution.closed_on is not None and institution.closed_on <= day
        return filed and not closed

    def counted(self, institution, day: dt.date) -> bool:
        """A counted institution; a kindergarten running no childcare class counts only for
        K7 (which reads `filed_and_open`)."""
        if not self.filed_and_open(institution, day):
            return False
        if self.kindergarten_rule and self.detail(institution, "kind", day) == KINDERGARTEN:
            return self.total_places(institution, day) > 0
        return True

    def institutions(self, area: str, day: dt.date | None = None) -> list:
        day = day or self.day
        return [
            institution
            for institution in self.rows.institutions
            if self.institution_in_area(institution, area, day) and self.counted(institution, day)
        ]

    def recognised(self, institution, day: dt.date) -> bool:
        """Its inclusive recognition (普惠认定) is valid at `day`."""
        return any(
            record.institution_id == institution.pk
            and valid_on(record.valid_from, record.valid_to, day)
            for record in self.rows.recognitions
        )

    def report(self, institution):
        for report in self.rows.reports:
            if report.institution_id == institution.pk and report.period == self.first:
                return report
        return None

    # Population and income

    def population(self, area: str) -> tuple[int | None, int | None]:
        """(children under 3, residents): each township's year-Y row, else its latest earlier
        one; the city's are the sums over its townships. None when no township has a row."""
        chosen = {}
        for row in self.rows.population:
            if row.year > self.year or not self.in_area(row.township_id, area):
                continue
            if row.township_id not in chosen or row.year > chosen[row.township_id].year:
                chosen[row.township_id] = row
        if not chosen:
            return None, None
        rows = chosen.values()
        return sum(r.children_under_3 for r in rows), sum(r.residents for r in rows)

    def income(self) -> Decimal | None:
        """The city's per-capita disposable income of Y-1, else the latest earlier one."""
        earlier = [row for row in self.rows.incomes if row.year <= self.year - 1]
        if not earlier:
            return None
        return max(earlier, key=lambda row: row.year).per_capita_disposable_income

    # The indicators, by what they read

    def place_figures(self, area: str) -> dict:
        under_3, residents = self.population(area)
        places = infant = kindergarten = inclusive = 0
        for institution in self.institutions(area):
            by_class = self.places(institution, self.day)
            total = sum(by_class.values())
            places += total
            infant += by_class["infant"]
            if self.detail(institution, "kind") == KINDERGARTEN:
                kindergarten += total
            if self.recognised(institution, self.day):
                inclusive += total
        baseline = settings.PILOT_BASELINE_DATE
        inclusive_at_baseline = sum(
            self.total_places(institution, baseline)
            for institution in self.institutions(area, baseline)
            if self.recognised(institution, baseline)
        )
        return {
            "K1": per_thousand(places, under_3),
            "K2": per_thousand(places, residents),
            "K3": share(kindergarten, places),
            "K4": share(inclusive, places),
            "K8": Decimal(inclusive - inclusive_at_baseline),
            "K16": share(infant, places),
        }

    def staff_figures(self, area: str) -> dict:
        """K5: care staff employed at counted institutions at D, and those of them holding a
        qualifying certificate valid at D. Employed: hired on or before D and not left on or
        before D."""
        counted = {institution.pk for institution in self.institutions(area)}
        care_staff = certified = 0
        for person in self.rows.staff:
            role = dated(self.rows.roles, "staff", person, "role", self.day)
            if person.institution_id not in counted or role not in CARE_ROLES:
                continue
            if person.hired_on > self.day or (person.left_on and person.left_on <= self.day):
                continue
            care_staff += 1
            if any(
                certificate.staff_id == person.pk
                and certificate.kind in Certificate.QUALIFYING
                and valid_on(certificate.issued_on, certificate.expires_on, self.day)
                for certificate in self.rows.certificates
            ):
                certified += 1
        return {"K5": share(certified, care_staff)}

    def report_figures(self, area: str) -> dict:
        """K14 from the counted institutions' reports for M; K6 from the accepted reports for
        M of counted inclusive institutions; K15 from the accepted reports for M."""
        submitted = on_time = fee_weighted = fee_enrolment = 0
        due = self.report_due()
        institutions = self.institutions(area)
        for institution in institutions:
            report = self.report(institution)
            if report is None or report.state not in SUBMITTED_ONCE:
                continue
            submitted += 1
            if local_day(report.first_submitted_at) <= due:
                on_time += 1
            children = enrolled(report)
            if (
                report.state == "accepted"
                and children > 0
                and report.fee_full_day is not None
                and self.recognised(institution, self.day)
            ):
                fee_weighted += report.fee_full_day * children
                fee_enrolment += children
        income = self.income()
        mean_fee = share(fee_weighted, fee_enrolment)
        in_area = {i.pk for i in self.rows.institutions if self.institution_in_area(i, area)}
        if self.k15_counted_only:
            in_area = {institution.pk for institution in institutions}
        children = sum(
            enrolled(report)
            for report in self.rows.reports
            if report.institution_id in in_area
            and report.period == self.first
            and report.state == "accepted"
        )
        under_3, _residents = self.population(area)
        return {
            "K6": share(mean_fee, income / 12 if income else None),
            "K14": share(submitted, len(institutions)),
            "K14_timely": share(on_time, len(institutions)),
            "K15": share(children, under_3),
        }

    def report_due(self) -> dt.date:
        """The report for M is on time until the deadline day of M+1 (default the 10th)."""
        following = self.day + dt.timedelta(days=1)
        return following.replace(day=min(settings.REPORT_DEADLINE_DAY, last_day(following).day))

    def kindergarten_figures(self, area: str) -> dict:
        """K7: filed inclusive kindergartens running at least one childcare class at D."""
        inclusive_kindergartens = [
            institution
            for institution in self.rows.institutions
            if self.institution_in_area(institution, area)
            and self.detail(institution, "kind") == KINDERGARTEN
            and self.detail(institution, "is_inclusive_kindergarten")
            and self.filed_and_open(institution, self.day)
        ]
        running = [i for i in inclusive_kindergartens if self.total_places(i, self.day) > 0]
        return {"K7": share(len(running), len(inclusive_kindergartens))}

    def coverage_figures(self, area: str) -> dict:
        """K11, K12a-K12c, K17: shares of the counted institutions."""
        institutions = self.institutions(area)

        def inspected(institution, kind: str, start: dt.date) -> bool:
            return any(
                inspection.institution_id == institution.pk
                and inspection.kind == kind
                and inspection.state == "completed"
                and start <= inspection.inspected_on <= self.day
                for inspection in self.rows.inspections
            )

        def contracted(institution) -> bool:
            return any(
                contract.institution_id == institution.pk
                and valid_on(contract.valid_from, contract.valid_to, self.day)
                for contract in self.rows.contracts
            )

        def alarmed(institution) -> bool:
            """Installed at D: an alarm period valid at D; an institution without alarm
            records reads its own installation and removal dates."""
            periods = [a for a in self.rows.alarms if a.institution_id == institution.pk]
            if periods:
                return any(valid_on(a.valid_from, a.valid_to, self.day) for a in periods)
            installed = institution.panic_alarm_installed_on
            removed = institution.panic_alarm_removed_on
            return (
                installed is not None
                and installed <= self.day
                and (removed is None or removed > self.day)
            )

        def coverage(test) -> Decimal | None:
            return share(sum(1 for i in institutions if test(i)), len(institutions))

        return {
            "K11": coverage(contracted),
            "K12a": coverage(lambda i: inspected(i, "patrol", self.first)),
            "K12b": coverage(lambda i: inspected(i, "guidance", self.quarter_start)),
            "K12c": coverage(lambda i: inspected(i, "annual", self.year_start)),
            "K17": coverage(alarmed),
        }

    def finding_figures(self, area: str) -> dict:
        """K12d: findings whose deadline falls in M, and those closed by their deadline."""
        township_of = {i.pk: self.detail(i, "township_id") for i in self.rows.institutions}
        institution_of = {i.pk: i.institution_id for i in self.rows.inspections}
        due = closed = 0
        for finding in self.rows.findings:
            township = township_of[institution_of[finding.inspection_id]]
            if not self.in_area(township, area):
                continue
            if self.first <= finding.deadline <= self.day:
                due += 1
                if finding.state == "closed" and finding.closed_on <= finding.deadline:
                    closed += 1
        return {"K12d": share(closed, due)}

    def session_figures(self, area: str) -> dict:
        """K9: sessions from 1 January of Y to D; distinct families on their attendance lists
        plus the head count of each session without a list."""
        sessions = [
            session
            for session in self.rows.sessions
            if self.in_area(session.township_id, area)
            and self.year_start <= session.held_on <= self.day
        ]
        listed: set = set()
        head_counts = 0
        for session in sessions:
            if session.pk in self.rows.attendance:
                listed |= self.rows.attendance[session.pk]
            else:
                head_counts += session.families_reached
        return {
            "K9_sessions": Decimal(len(sessions)),
            "K9_families": Decimal(len(listed) + head_counts),
        }

    def community_figures(self, area: str) -> dict:
        """K10: new communities delivered on or after the pilot start and on or before D whose
        places / residents x 1000 >= 10, over all those new communities."""

        def fact(community, field: str):
            return dated(self.rows.community_facts, "community", community, field, self.day)

        new = [
            community
            for community in self.rows.communities
            if self.in_area(community.township_id, area)
            and fact(community, "is_new")
            and community.delivered_on is not None
            and settings.PILOT_START_DATE <= community.delivered_on <= self.day
        ]
        # A community of no residents has no ratio: it does not meet the target (no data is
        # not a share), and is one of the new communities.
        meeting = [
            community
            for community in new
            if fact(community, "residents") > 0
            and Decimal(fact(community, "delivered_places")) / fact(community, "residents") * 1000
            >= 10
        ]
        return {"K10": share(len(meeting), len(new))}

    def child_township(self, child_id):
        """The child's registered township at D (None: outside Yueqing)."""
        child = self.rows.children[child_id]
        return dated(self.rows.registrations, "child", child, "hukou_township_id", self.day)

    def voucher_figures(self, area: str) -> dict:
        """K13: vouchers whose child is registered in the township (the city: every voucher).
        Issued to D; redeemed to D net of reversals; families with a redemption not reversed
        by D."""
        vouchers = {
            pk
            for pk, voucher in self.rows.vouchers.items()
            if self.in_area(self.child_township(voucher.child_id), area)
        }
        issued = sum(
            (
                entry.amount
                for entry in self.rows.ledger
                if entry.voucher_id in vouchers
                and entry.kind == "issue"
                and local_day(entry.created_at) <= self.day
            ),
            Decimal(0),
        )
        redeemed = Decimal(0)
        families = set()
        for redemption in self.rows.redemptions:
            if redemption.voucher_id not in vouchers:
                continue
            if local_day(redemption.created_at) > self.day:
                continue
            reversed_by_d = (
                redemption.reversed_at is not None and local_day(redemption.reversed_at) <= self.day
            )
            if reversed_by_d:
                continue
            redeemed += redemption.amount
            child = self.rows.children[self.rows.vouchers[redemption.voucher_id].child_id]
            families.add(child.guardian_id)
        return {
            "K13_issued": issued,
            "K13_redeemed": redeemed,
            "K13_use": share(redeemed, issued),
            "K13_families": Decimal(len(families)),
        }

    def figures(self, area: str) -> dict[str, Decimal | None]:
        values = {}
        for group in (
            self.place_figures,
            self.staff_figures,
            self.report_figures,
            self.kindergarten_figures,
            self.coverage_figures,
            self.finding_figures,
            self.session_figures,
            self.community_figures,
            self.voucher_figures,
        ):
            values.update(group(area))
        assert set(values) == set(INDICATORS), set(INDICATORS) ^ set(values)
        return values


def figures(rows: Rows, period: dt.date, **options) -> dict[tuple[str, str], Decimal | None]:
    """Every indicator for `period` (any day of the month), city and townships."""
    month = Month(rows, period, **options)
    result = {}
    for area in [CITY, *month.codes.values()]:
        for indicator, value in month.figures(area).items():
            result[area, indicator] = value
    return result


def snapshot(rows: Rows, period: dt.date, **options) -> dict[tuple[str, str], tuple]:
    """{(area, indicator): (value, status)} as kpis.md defines them."""
    return {
        (area, indicator): (value, status(indicator, value, rows.targets.get(indicator), period))
        for (area, indicator), value in figures(rows, period, **options).items()
    }
