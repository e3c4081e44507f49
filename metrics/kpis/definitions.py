"""The indicators of ../shared/spec/kpis.md, one row each: how the figure is formed from the
month's totals, which source adds those totals up, and which drill-down lists what they count.

The nightly computation makes every figure from this table, the forecast makes the registry
ones from it, and the drill-down picks its listing and the registry totals it lists from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .month import ZERO

THOUSAND = Decimal(1000)

RATIO, PER_THOUSAND, COUNT = "ratio", "per_thousand", "count"
# Sources: REGISTRY totals are the registry at D (registry_totals; also what the forecast
# projects), ACTIVITY the month's inspections and reports of the same institutions, the others
# are metrics.kpis.sources.
REGISTRY, ACTIVITY, REPORTS, SESSIONS, COMMUNITIES, FINDINGS, VOUCHERS = (
    "registry",
    "activity",
    "reports",
    "sessions",
    "communities",
    "findings",
    "vouchers",
)
# Issue 19's tracked indicators: metrics.kpis.tracked (institutions and staff; screenings).
TRACKED, SCREENINGS = "tracked", "screenings"


@dataclass(frozen=True)
class Figure:
    numerator: Decimal | None
    denominator: Decimal | None
    kind: str  # RATIO, PER_THOUSAND or COUNT

    @property
    def value(self) -> Decimal | None:
        if self.kind == COUNT:
            return self.numerator
        if self.numerator is None or not self.denominator:
            return None  # no data is not zero
        value = Decimal(self.numerator) / Decimal(self.denominator)
        return value * THOUSAND if self.kind == PER_THOUSAND else value


@dataclass(frozen=True)
class Definition:
    """`numerator` / `denominator` (names of totals; a count has no denominator), read from
    `source`, listed by the drill-down `drill` (None: no drill-down)."""

    id: str
    kind: str
    numerator: str
    denominator: str | None
    source: str
    drill: str | None

    def figure(self, values: dict) -> Figure:
        denominator = values[self.denominator] if self.denominator else None
        return Figure(values[self.numerator], denominator, self.kind)


D = Definition
DEFINITIONS = (
    D("K1", PER_THOUSAND, "places", "children_under_3", REGISTRY, "places"),
    D("K2", PER_THOUSAND, "places", "residents", REGISTRY, "places"),
    D("K3", RATIO, "kindergarten_places", "places", REGISTRY, "places"),
    D("K4", RATIO, "inclusive_places", "places", REGISTRY, "places"),
    D("K5", RATIO, "certified_staff", "care_staff", REGISTRY, "staff"),
    D("K6", RATIO, "mean_fee", "monthly_income", REPORTS, "fees"),
    D(
        "K7",
        RATIO,
        "inclusive_kindergartens_with_class",
        "inclusive_kindergartens",
        REGISTRY,
        "kindergartens",
    ),
    D("K8", COUNT, "new_inclusive_places", None, REGISTRY, "inclusive_growth"),
    D("K9_sessions", COUNT, "sessions", None, SESSIONS, "sessions"),
    D("K9_families", COUNT, "families", None, SESSIONS, "sessions"),
    D("K10", RATIO, "meeting", "new_communities", COMMUNITIES, "communities"),
    D("K11", RATIO, "with_contract", "institutions", REGISTRY, "flag"),
    D("K12a", RATIO, "patrolled", "institutions", ACTIVITY, "inspections"),
    D("K12b", RATIO, "guided", "institutions", ACTIVITY, "inspections"),
    D("K12c", RATIO, "annually_inspected", "institutions", ACTIVITY, "inspections"),
    D("K12d", RATIO, "closed_on_time", "findings_due", FINDINGS, "findings"),
    # No drill-down for vouchers: their figures belong to children and families, not
    # institutions (the voucher pages list them).
    D("K13_issued", COUNT, "voucher_issued", None, VOUCHERS, None),
    D("K13_redeemed", COUNT, "voucher_redeemed", None, VOUCHERS, None),
    D("K13_use", RATIO, "voucher_redeemed", "voucher_issued", VOUCHERS, None),
    D("K13_families", COUNT, "voucher_families", None, VOUCHERS, None),
    D("K14", RATIO, "submitted", "institutions", ACTIVITY, "report_states"),
    D("K14_timely", RATIO, "on_time", "institutions", ACTIVITY, "report_states"),
    D("K15", RATIO, "enrolled_children", "children_under_3", REPORTS, "enrolment"),
    D("K16", RATIO, "infant_places", "places", REGISTRY, "places"),
    D("K17", RATIO, "with_alarm", "institutions", REGISTRY, "flag"),
    # Tracked (issue 19): the instructors' network, training and screenings.
    D("K18", RATIO, "instructed", "institutions", TRACKED, "guidance"),
    D("K19", RATIO, "guidance_visits", "institutions", TRACKED, "guidance"),
    D("K20", RATIO, "trained_staff", "care_staff_at", TRACKED, "training"),
    D("K21", RATIO, "shadowed_staff", "care_staff_at", TRACKED, "training"),
    D("K22", COUNT, "screenings", None, SCREENINGS, "screenings"),
)
del D
BY_ID = {definition.id: definition for definition in DEFINITIONS}
REGISTRY_INDICATORS = tuple(d.id for d in DEFINITIONS if d.source == REGISTRY)
NOT_DRILLABLE = frozenset(d.id for d in DEFINITIONS if d.drill is None)
# Figures read from the month's reports (K6 and K15 from accepted reports, K14 and K14_timely from
# their states): incomplete until the reports' due day has passed.
REPORT_BASED = frozenset(
    d.id for d in DEFINITIONS if d.source == REPORTS or d.drill == "report_states"
)


def area_values(totals: dict, monthly_income: Decimal | None = None) -> dict:
    """An area's totals with the values formed from them: no population row means no
    denominator for K1, K2 and K15; K8's growth; K6's mean fee and the income by the month."""

    def get(name: str) -> Decimal:
        return totals.get(name, ZERO)

    has_population = bool(totals.get("has_population"))
    values = {name: get(name) for name in totals}
    return values | {
        "children_under_3": get("children_under_3") if has_population else None,
        "residents": get("residents") if has_population else None,
        "new_inclusive_places": get("inclusive_places") - get("baseline_inclusive_places"),
        "mean_fee": get("fee_weighted") / get("fee_enrolment") if get("fee_enrolment") else None,
        "monthly_income": monthly_income,
    }


def area_figures(
    totals: dict, monthly_income: Decimal | None = None, definitions=DEFINITIONS
) -> dict[str, Figure]:
    """Every indicator of `definitions` for one area, from its totals."""
    values = _Values(area_values(totals, monthly_income))
    return {d.id: d.figure(values) for d in definitions}


class _Values(dict):
    """A total never added reads as zero."""

    def __missing__(self, name: str) -> Decimal:
        return ZERO
