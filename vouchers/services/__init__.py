"""Every write of the vouchers app, and every rule about vouchers. Pages, the API, the admin, the
import and the nightly tasks call these.

Concurrency (pretix's lesson: read only after locking): each money movement locks the voucher
row (SELECT ... FOR UPDATE) before it reads the balance or the month's use, and writes the
redemption, the ledger entry, the month's use and the new balance in one transaction. Approval
locks the batch row before it reads the issued count. The database refuses a negative balance,
a month over its cap and a batch over its quota even if a bug got past these checks.

- families: guardians, children and their enrolments;
- applications: batches, eligibility, applications and issuing;
- redemptions: redemption, reversal and staff adjustments of a voucher's balance;
- settlements: an institution's monthly statement, confirmed, approved (locked) and paid;
- public: applications families send online, without an account;
- nightly: expiry and the reconciliation of balances with the ledger.
"""

from .applications import (
    BATCH_EDITABLE_FIELDS,
    Eligibility,
    age_in_months,
    application_approve,
    application_create,
    application_enter,
    application_reject,
    applications_decide_many,
    batch_delete,
    batch_rule_notes,
    batch_save,
    check_eligibility,
)
from .common import VoucherError
from .families import (
    child_register,
    enrolment_end,
    enrolment_record,
    guardian_get_or_create,
)
from .nightly import expire_vouchers, reconcile_balances
from .public import application_submit_public, new_reference, open_batches
from .redemptions import (
    REVERSAL_WINDOW_DAYS,
    RedeemResult,
    RedemptionPreview,
    adjust,
    redeem,
    redemption_preview,
    request_fingerprint,
    reverse,
)
from .settlements import (
    settlement_approve,
    settlement_confirm,
    settlement_mark_paid,
    settlement_prepare,
    settlement_return,
)

__all__ = [
    "BATCH_EDITABLE_FIELDS",
    "REVERSAL_WINDOW_DAYS",
    "Eligibility",
    "RedeemResult",
    "RedemptionPreview",
    "VoucherError",
    "adjust",
    "age_in_months",
    "application_approve",
    "application_create",
    "application_enter",
    "application_reject",
    "application_submit_public",
    "applications_decide_many",
    "batch_delete",
    "batch_rule_notes",
    "batch_save",
    "check_eligibility",
    "child_register",
    "enrolment_end",
    "enrolment_record",
    "expire_vouchers",
    "guardian_get_or_create",
    "new_reference",
    "open_batches",
    "reconcile_balances",
    "redeem",
    "redemption_preview",
    "request_fingerprint",
    "reverse",
    "settlement_approve",
    "settlement_confirm",
    "settlement_mark_paid",
    "settlement_prepare",
    "settlement_return",
]
