"""The inspections API (under /api/v1/). Thin: scope the queryset, check the input, call the
service, answer in the output shape.

| endpoint | read | write |
|---|---|---|
| checklist-templates | everyone signed in | (the admin) |
| inspections | city-wide roles, operators (their own) | inspectors, bureau: create, update, `results`, `complete` |
| findings | city-wide roles, operators (their own) | inspectors, bureau: create, update, `review`; operators: `rectify` |
| rectifications | city-wide roles, operators (their own) | (through findings) |
| draws | bureau, inspectors, auditors | bureau: create, `publish` |
| conflicts | bureau, auditors | bureau |
| incidents | city-wide roles, operators (their own) | operators, inspectors, bureau: create, update, `follow_up`; delete: bureau admin, never for harm to a child |
| staff-credit-records | bureau, auditors | bureau |
| inspection-coverage | city-wide roles | - |

Auditors and education staff never write. An object outside the caller's scope is a 404 whatever
the method; a write the caller's role may not make on an object it sees is a 403, and so is a
service refusal (`services.NotAllowed`), e.g. an operator closing their own finding.
"""

from .views import (
    ChecklistTemplateViewSet,
    ConflictViewSet,
    CoverageView,
    EvidenceFileView,
    FindingViewSet,
    IncidentViewSet,
    InspectionViewSet,
    PhotoFileView,
    RandomDrawViewSet,
    RectificationViewSet,
    StaffCreditRecordViewSet,
)

__all__ = [
    "ChecklistTemplateViewSet",
    "ConflictViewSet",
    "CoverageView",
    "EvidenceFileView",
    "FindingViewSet",
    "IncidentViewSet",
    "InspectionViewSet",
    "PhotoFileView",
    "RandomDrawViewSet",
    "RectificationViewSet",
    "StaffCreditRecordViewSet",
]
