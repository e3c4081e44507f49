"""Inspections and safety supervision (检查与安全监管), one module per part:

- `checklists`: checklist templates (检查表) by inspection kind, with weighted items grouped by
  area.
- `inspections`: inspections (检查): an institution, a kind, a day, the inspectors, each item's
  result, a score and an outcome. Results copy the item's wording and weight, so editing a
  template later never changes a past inspection.
- `findings`: findings (问题) and rectifications (整改): a failed item becomes a finding with a
  severity and a deadline; the operator answers, the inspector verifies and closes it or sends it
  back.
- `draws`: random draws (双随机): the pool, the seed and the result, recorded so anyone can
  re-run them; conflicts of interest.
- `incidents`: incidents (强制报告) with a follow-up trail; suspected harm to a child can never be
  deleted (a PostgreSQL trigger backs the services, the admin and the API).
- `concerns`: concerns (投诉/反映) from the public about an institution, the bureau's queue and
  answer, linked to the inspection or finding they led to.
- `credit`: staff credit records (从业人员信用记录): a disqualifying finding against a person, by
  ID hash.

The kinds, areas, severities and the numbers the rules use live in `inspections.choices` (below
the models and the validators, so both import it); they are re-exported here. Import from this
package: `from inspections.models import Inspection`.

Every write is in `services`, every read in `selectors`. Each model says how it reaches an
institution (`institution_path`) for `portal.roles.scope`; `None` means operators never see
it (draws before publication, conflicts of interest, credit records).
"""

from ..choices import (
    PASS_MIN_SCORE,
    PUBLIC_KINDS,
    ROUTINE_PERIODS,
    SEVERITY_DEADLINE_DAYS,
    SPOT_CHECK_MIN_INSPECTORS,
    Area,
    InspectionKind,
    Severity,
    default_deadline,
)
from .checklists import ChecklistItem, ChecklistTemplate
from .concerns import Concern
from .credit import StaffCreditAlert, StaffCreditRecord
from .draws import ConflictOfInterest, DrawAssignment, RandomDraw
from .findings import Finding, Rectification, RectificationEvidence, _evidence_path
from .incidents import Incident, IncidentFollowUp
from .inspections import Inspection, InspectionPhoto, InspectionResult, _photo_path

__all__ = [
    "PASS_MIN_SCORE",
    "PUBLIC_KINDS",
    "ROUTINE_PERIODS",
    "SEVERITY_DEADLINE_DAYS",
    "SPOT_CHECK_MIN_INSPECTORS",
    "Area",
    "ChecklistItem",
    "ChecklistTemplate",
    "Concern",
    "ConflictOfInterest",
    "DrawAssignment",
    "Finding",
    "Incident",
    "IncidentFollowUp",
    "Inspection",
    "InspectionKind",
    "InspectionPhoto",
    "InspectionResult",
    "RandomDraw",
    "Rectification",
    "RectificationEvidence",
    "Severity",
    "StaffCreditAlert",
    "StaffCreditRecord",
    "_evidence_path",  # migration 0001 names the upload paths as inspections.models._*_path
    "_photo_path",
    "default_deadline",
]
