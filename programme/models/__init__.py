from .office import (
    CatalogueItem,
    Deliverable,
    Fund,
    FundMonth,
    FundUse,
    SupervisionFinding,
    SupervisionRound,
)
from .tasks import Department, ProgressEvidence, ProgressUpdate, Status, SubItem, Task

__all__ = [
    "CatalogueItem",
    "Deliverable",
    "Department",
    "Fund",
    "FundMonth",
    "FundUse",
    "ProgressEvidence",
    "ProgressUpdate",
    "Status",
    "SubItem",
    "SupervisionFinding",
    "SupervisionRound",
    "Task",
]
