"""Every write of the inspections app. Pages, the API, the admin and the tasks call these.

Each function is typed, keyword-only and atomic; it locks the row it changes before reading its
state, checks who may act, raises `ValidationError` with a message a user can read, records the
actor in the audit history and sends mail only after commit.

Who may act (beyond the role checks of pages and API):
- inspections: the inspection's inspectors and bureau staff; read-only roles never;
- rectification answers: the institution's operators; verifying and closing: inspectors and
  bureau staff who are not operators of that institution (nobody closes their own finding);
- draws, conflicts of interest and credit records: bureau staff;
- concerns: anyone sends one (no account); bureau staff handle and answer it;
- incidents: the institution's operators, inspectors and bureau staff report and follow up; an
  incident about suspected harm to a child is never deleted (the database refuses it too).
"""

from .common import (
    NotAllowed,
    is_inspector_or_bureau,
    is_operator_of,
)
from .concerns import (
    concern_handle,
    concern_submit,
)
from .credit import (
    staff_credit_record_create,
    staff_credit_record_save,
    staff_hire_check,
)
from .draws import (
    conflict_delete,
    conflict_save,
    draw_perform,
    draw_publish,
    draw_reproduces,
    new_seed,
)
from .findings import (
    finding_create,
    finding_update,
    findings_mark_overdue,
    findings_remind_deadlines,
    rectification_review,
    rectification_submit,
)
from .incidents import (
    IncidentUndeletable,
    incident_delete,
    incident_follow_up,
    incident_report,
    incident_update,
)
from .inspections import (
    RESULT_VALUES,
    checklist_item_save,
    checklist_template_save,
    inspection_add_photo,
    inspection_complete,
    inspection_create,
    inspection_pass_remaining,
    inspection_remove_photo,
    inspection_save_results,
    inspection_update,
    spot_check_start,
)

__all__ = [
    "RESULT_VALUES",
    "IncidentUndeletable",
    "NotAllowed",
    "checklist_item_save",
    "checklist_template_save",
    "concern_handle",
    "concern_submit",
    "conflict_delete",
    "conflict_save",
    "draw_perform",
    "draw_publish",
    "draw_reproduces",
    "finding_create",
    "finding_update",
    "findings_mark_overdue",
    "findings_remind_deadlines",
    "incident_delete",
    "incident_follow_up",
    "incident_report",
    "incident_update",
    "inspection_add_photo",
    "inspection_complete",
    "inspection_create",
    "inspection_pass_remaining",
    "inspection_remove_photo",
    "inspection_save_results",
    "inspection_update",
    "is_inspector_or_bureau",
    "is_operator_of",
    "new_seed",
    "rectification_review",
    "rectification_submit",
    "spot_check_start",
    "staff_credit_record_create",
    "staff_credit_record_save",
    "staff_hire_check",
]
