import logging

from celery import shared_task

from . import notices, services

logger = logging.getLogger(__name__)


@shared_task
def expire_vouchers() -> int:
    """Nightly: write off the balance of vouchers whose validity ended."""
    count = services.expire_vouchers()
    logger.info("vouchers expired: %s", count)
    return count


@shared_task
def reconcile_balances() -> int:
    """Nightly: report vouchers whose stored balance differs from their ledger (should be none)."""
    drifted = services.reconcile_balances()
    for row in drifted:
        # Codes are not personal data; balances are logged so finance can trace the drift.
        logger.error(
            "voucher %s balance %s differs from ledger %s",
            row["code"],
            row["balance"],
            row["ledger_total"],
        )
    return len(drifted)


@shared_task
def notify_expiring_vouchers() -> int:
    """Daily: an SMS to families whose voucher expires within 30 days, once per voucher and
    expiry date."""
    count = notices.vouchers_notify_expiring()
    logger.info("voucher expiry notices sent: %s", count)
    return count
