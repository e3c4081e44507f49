"""Demo vouchers: filled in with the vouchers issue."""

from __future__ import annotations

import random


def seed_vouchers(rng: random.Random, *, institutions: list, users: dict) -> dict:
    """Create demo batches, applications, vouchers, redemptions, a reversal, a settled month and
    an expired voucher. Returns what the README lists: {"family_code", "family_id_last6",
    "operator1_code"} (empty when nothing was created)."""
    return {}
