"""Reads of inspections, findings, draws, incidents and credit records.

Every selector runs a bounded number of queries whatever the number of institutions. The
indicators K12a-K12d read `completed_inspections` and `findings_due`; the coverage page and the
plans read `coverage_*`; the public pages read `public_results_for` and `published_draws`.
"""

from .coverage import (
    ROUTINE_KINDS,
    CoveragePeriods,
    CoverageRow,
    coverage_by_instructor,
    coverage_by_township,
    coverage_institutions,
    coverage_total,
    instructor_on,
    still_needed,
)
from .draws import (
    RISK_LOOKBACK_MONTHS,
    RISK_WEIGHTS,
    PublicDraw,
    PublicDrawnInstitution,
    conflicted_pairs,
    draw_candidates,
    draws_with_assignments,
    inspector_code,
    inspector_pool_candidates,
    published_draws,
    risk_weight,
)
from .indicators import (
    GRANULARITIES,
    completed_inspections,
    findings_due,
    period_bounds,
)
from .inspections import (
    AreaGroup,
    Score,
    finding_list,
    inspection_list,
    outcome_for,
    overdue_findings,
    results_by_area,
    score_of,
)
from .people import (
    active_template,
    credit_records_for,
    disqualified_hashes,
    incident_list,
)
from .public import (
    PublicFinding,
    PublicInspection,
    institutions_with_public_results,
    public_results_for,
)
from .work import (
    DUE_SOON_DAYS,
    RoutineVisit,
    concerns_waiting,
    findings_needing_action,
    rectifications_to_verify,
    routine_visits_due,
    spot_checks_assigned,
)

__all__ = [
    "DUE_SOON_DAYS",
    "GRANULARITIES",
    "RISK_LOOKBACK_MONTHS",
    "RISK_WEIGHTS",
    "ROUTINE_KINDS",
    "AreaGroup",
    "CoveragePeriods",
    "CoverageRow",
    "PublicDraw",
    "PublicDrawnInstitution",
    "PublicFinding",
    "PublicInspection",
    "RoutineVisit",
    "Score",
    "active_template",
    "completed_inspections",
    "concerns_waiting",
    "conflicted_pairs",
    "coverage_by_instructor",
    "coverage_by_township",
    "coverage_institutions",
    "coverage_total",
    "credit_records_for",
    "disqualified_hashes",
    "draw_candidates",
    "draws_with_assignments",
    "finding_list",
    "findings_due",
    "findings_needing_action",
    "incident_list",
    "inspection_list",
    "inspector_code",
    "inspector_pool_candidates",
    "institutions_with_public_results",
    "instructor_on",
    "outcome_for",
    "overdue_findings",
    "period_bounds",
    "public_results_for",
    "published_draws",
    "rectifications_to_verify",
    "results_by_area",
    "risk_weight",
    "routine_visits_due",
    "score_of",
    "spot_checks_assigned",
    "still_needed",
]
