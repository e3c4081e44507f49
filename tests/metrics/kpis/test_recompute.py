"""kpis.md, "Dated facts": a change dated after D never alters month M's figures, so a past month
recomputed after later edits gives the same snapshots (issue 15).

Every fact an indicator reads is edited through the services the pages, the admin, the API and
the imports call, dated after M: places, inclusive recognition, a staff member's role, an
institution's kind, township, inclusive-kindergarten flag and alarm (installed, removed), a
community's new flag, residents and delivered places, a child's registered township.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from institutions import services
from institutions.models import ApprovedPlaces, Community, InclusiveRecognition, StaffMember
from metrics.computation import compute_figures
from metrics.models import Snapshot
from metrics.services import compute_period
from tests.factories import township
from tests.metrics.reference.cities import resident_id
from vouchers import services as voucher_services
from vouchers.models import LedgerEntry, Redemption, Voucher, VoucherApplication, VoucherBatch

from .builders import A, B, D, M, small_registry

pytestmark = pytest.mark.django_db

AFTER = D + dt.timedelta(days=1)
LATER = dt.date(2025, 9, 15)
NEXT = dt.date(2025, 7, 1)


def snapshots(period: dt.date) -> dict:
    """Every figure of the month: {(area, indicator): (value, numerator, denominator, status)}."""
    return {
        (s.area, s.indicator): (s.value, s.numerator, s.denominator, str(s.status))
        for s in Snapshot.objects.filter(period=period)
    }


def _voucher(child, n: int) -> None:
    """A voucher issued on 10 June and 300 yuan of it redeemed on 20 June (K13)."""
    batch, _ = VoucherBatch.objects.get_or_create(
        name="批次",
        defaults={
            "face_value": Decimal(1000),
            "quantity_cap": 10,
            "apply_from": dt.date(2025, 1, 1),
            "apply_until": dt.date(2025, 12, 31),
            "valid_from": dt.date(2025, 1, 1),
            "valid_until": dt.date(2025, 12, 31),
            "monthly_cap": Decimal(500),
        },
    )
    application = VoucherApplication.objects.create(
        batch=batch, child=child, source="bureau", state="approved", applied_on=M
    )
    issued = timezone.make_aware(dt.datetime(2025, 6, 10, 10))
    with time_machine.travel(issued, tick=False):
        voucher = Voucher.objects.create(
            code=f"DATED{n:07d}",
            batch=batch,
            child=child,
            application=application,
            face_value=Decimal(1000),
            balance=Decimal(700),
            monthly_cap=Decimal(500),
            valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2025, 12, 31),
        )
        LedgerEntry.objects.create(
            voucher=voucher, kind="issue", amount=Decimal(1000), balance_after=Decimal(1000)
        )
    institution = StaffMember.objects.first().institution
    with time_machine.travel(issued + dt.timedelta(days=10), tick=False):
        redemption = Redemption.objects.create(
            voucher=voucher,
            institution=institution,
            fee_month=M,
            amount=Decimal(300),
            idempotency_key=f"dated-{n}",
            request_fingerprint=f"dated-{n}",
        )
        LedgerEntry.objects.create(
            voucher=voucher,
            kind="redemption",
            amount=Decimal(-300),
            balance_after=Decimal(700),
            redemption=redemption,
            institution=institution,
        )


@pytest.fixture
def registry():
    names = small_registry()
    guardian = voucher_services.guardian_get_or_create(
        name="家长", phone="13900000001", id_number=resident_id(dt.date(1990, 1, 1), 1)
    )
    names["children"] = [
        voucher_services.child_register(
            guardian=guardian,
            name=f"孩子{n}",
            id_number=resident_id(dt.date(2024, 3, 1) + dt.timedelta(days=n), 2),
            hukou_township=township(code[-3:]),
        )
        for n, code in enumerate((A, B))
    ]
    for n, child in enumerate(names["children"]):
        _voucher(child, n)
    return names


def edit_after_m(names: dict) -> None:
    """Facts dated after M, through the services."""
    p, q, u, t = names["P"], names["Q"], names["U"], names["T"]
    a, b = township(A[-3:]), township(B[-3:])
    save = services.registry_record_save
    # Places and recognition.
    save(record=ApprovedPlaces(institution=q, effective_from=AFTER, infant=0, toddler=5))
    save(record=ApprovedPlaces(institution=u, effective_from=AFTER, toddler=30))
    save(record=InclusiveRecognition(institution=q, valid_from=AFTER))
    recognition = InclusiveRecognition.objects.get(institution=p)
    recognition.valid_to = AFTER
    save(record=recognition)
    # Staff roles: care staff become cooks, a cook a caregiver.
    for member in StaffMember.objects.filter(institution__in=[p, t]):
        services.staff_update(staff=member, role="cook", effective_from=AFTER)
    cook = StaffMember.objects.filter(institution=q).first()
    services.staff_update(staff=cook, role="guard", effective_from=LATER)
    # Kind, township and the inclusive-kindergarten flag.
    services.institution_update(
        institution=u, kind="centre", is_inclusive_kindergarten=False, effective_from=AFTER
    )
    services.institution_update(institution=q, kind="kindergarten", effective_from=LATER)
    services.institution_update(institution=t, township=a, effective_from=AFTER)
    services.institution_update(institution=p, township=b, effective_from=LATER)
    # The alarm: P's removed the day after D, T's installed date later, Q's installed later.
    services.institution_update(institution=p, panic_alarm_removed_on=AFTER, effective_from=AFTER)
    services.institution_update(institution=q, panic_alarm_installed_on=AFTER, effective_from=AFTER)
    # Communities: no longer new, more residents, fewer places delivered.
    first, second = Community.objects.order_by("pk")
    services.community_save(
        community=first, residents=9000, delivered_places=0, effective_from=AFTER
    )
    services.community_save(community=second, is_new=False, effective_from=LATER)
    # Children move: A's to B, B's outside Yueqing.
    for child, moved_to in zip(names["children"], (b, None), strict=True):
        voucher_services.child_register(
            guardian=child.guardian,
            name=str(child.name),
            id_number=child.id_number.reveal(),
            hukou_township=moved_to,
            effective_from=AFTER,
        )


def test_a_past_month_recomputes_to_the_same_snapshots(registry):
    compute_period(M)
    before = snapshots(M)
    july_before = {key: figure.value for key, figure in compute_figures(NEXT).items()}
    edit_after_m(registry)
    compute_period(M)
    after = snapshots(M)
    assert len(before) == len(after) > 0
    changed = {
        key: (before[key], after.get(key)) for key in before if before[key] != after.get(key)
    }
    assert not changed, changed
    # The edits are seen from the day they are dated: July reads them.
    july_after = {key: figure.value for key, figure in compute_figures(NEXT).items()}
    moved = {
        indicator
        for (area, indicator), value in july_after.items()
        if value != july_before[area, indicator]
    }
    assert {"K1", "K3", "K4", "K5", "K7", "K10", "K13_issued", "K17"} <= moved, moved


def test_the_current_values_follow_the_records(registry):
    edit_after_m(registry)
    u, p = registry["U"], registry["P"]
    u.refresh_from_db()
    p.refresh_from_db()
    assert u.kind == "centre" and not u.is_inclusive_kindergarten
    assert p.township.code == B and p.panic_alarm_removed_on == AFTER
    assert p.details.order_by("effective_from").first().township.code == A
    assert list(p.panic_alarms.values_list("valid_from", "valid_to")) == [(dt.date(2024, 1, 1), D)]
    first = Community.objects.order_by("pk").first()
    assert list(first.facts.order_by("effective_from").values_list("residents", flat=True)) == [
        5000,
        9000,
    ]


def test_a_change_cannot_be_dated_after_today(registry):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.institution_update(
            institution=registry["Q"],
            kind="centre",
            effective_from=timezone.localdate() + dt.timedelta(days=1),
        )
