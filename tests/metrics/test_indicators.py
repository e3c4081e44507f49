"""Each indicator of kpis.md on a hand-built month (June 2025, D = 2025-06-30)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from institutions.models import MonthlyReport, ParentingSession, StaffMember
from metrics.models import PopulationBase, Snapshot
from metrics.services import compute_period
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    CertificateFactory,
    CommunityFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StaffMemberFactory,
    township,
)

pytestmark = pytest.mark.django_db

M = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
AFTER = D + dt.timedelta(days=1)
A = "330382114"


def value(indicator, area=A, period=M):
    compute_period(period)
    return Snapshot.objects.get(period=period, area=area, indicator=indicator)


def counted(**kwargs):
    kwargs.setdefault("township", township("114"))
    kwargs.setdefault("filed_on", dt.date(2024, 1, 1))
    return InstitutionFactory(**kwargs)


def test_k2_places_per_thousand_residents():
    ApprovedPlacesFactory(institution=counted(), toddler=45, older=0)
    PopulationBase.objects.create(
        township=township("114"), year=2025, residents=10000, children_under_3=300
    )
    assert value("K2").value == Decimal("4.5") and value("K2").status == "met"


def test_k5_care_staff_certified_at_d_only():
    institution = counted()
    certified = StaffMemberFactory(institution=institution, hired_on=dt.date(2024, 1, 1))
    CertificateFactory(staff=certified, issued_on=dt.date(2024, 1, 1), expires_on=D)
    expired = StaffMemberFactory(institution=institution, hired_on=dt.date(2024, 1, 1))
    CertificateFactory(
        staff=expired, issued_on=dt.date(2020, 1, 1), expires_on=D - dt.timedelta(days=1)
    )
    StaffMemberFactory(institution=institution, role=StaffMember.Role.COOK)  # not a care role
    StaffMemberFactory(institution=institution, hired_on=AFTER)  # not employed yet
    StaffMemberFactory(
        institution=institution, hired_on=dt.date(2024, 1, 1), left_on=D
    )  # left on D
    k5 = value("K5")
    assert (k5.numerator, k5.denominator) == (1, 2)


def test_k7_inclusive_kindergartens_running_a_class():
    with_class = counted(kind="kindergarten", is_inclusive_kindergarten=True)
    ApprovedPlacesFactory(institution=with_class, toddler=15, older=0)
    counted(kind="kindergarten", is_inclusive_kindergarten=True)  # no childcare class
    counted(kind="kindergarten", is_inclusive_kindergarten=False)  # not inclusive: not counted
    k7 = value("K7")
    assert (k7.numerator, k7.denominator) == (1, 2) and k7.status == "not_met"


def test_k8_new_inclusive_places_since_the_baseline(settings):
    settings.PILOT_BASELINE_DATE = dt.date(2025, 1, 31)
    old = counted()
    ApprovedPlacesFactory(institution=old, effective_from=dt.date(2024, 1, 1), toddler=20, older=0)
    ApprovedPlacesFactory(institution=old, effective_from=dt.date(2025, 3, 1), toddler=50, older=0)
    InclusiveRecognitionFactory(institution=old, valid_from=dt.date(2024, 1, 1))
    new = counted(filed_on=dt.date(2025, 4, 1))
    ApprovedPlacesFactory(institution=new, effective_from=dt.date(2025, 4, 1), toddler=30, older=0)
    InclusiveRecognitionFactory(institution=new, valid_from=dt.date(2025, 4, 1))
    k8 = value("K8")
    assert k8.value == Decimal("60")  # (50 + 30) - 20
    assert k8.status == "not_met"  # target 100


def test_k9_sessions_and_families_from_january_to_d():
    a = township("114")
    for held_on, families in [
        (dt.date(2025, 1, 1), 10),
        (D, 8),
        (dt.date(2024, 12, 31), 99),
        (AFTER, 99),
    ]:
        ParentingSession.objects.create(
            held_on=held_on,
            organiser_kind="health_centre",
            organiser_name="卫生院",
            township=a,
            topic="喂养",
            families_reached=families,
        )
    assert value("K9_sessions").value == 2
    assert value("K9_families").value == 18
    assert value("K9_sessions").status == "tracked"  # a year's target, judged in December


def test_k10_new_communities_meeting_ten_per_thousand(settings):
    settings.PILOT_START_DATE = dt.date(2025, 2, 1)
    CommunityFactory(
        is_new=True, delivered_on=dt.date(2025, 3, 1), residents=5000, delivered_places=50
    )
    CommunityFactory(
        is_new=True, delivered_on=dt.date(2025, 3, 1), residents=5000, delivered_places=49
    )
    CommunityFactory(
        is_new=True, delivered_on=dt.date(2025, 1, 1), residents=5000, delivered_places=0
    )
    CommunityFactory(is_new=True, delivered_on=AFTER, residents=5000, delivered_places=0)
    CommunityFactory(is_new=False, residents=5000, delivered_places=0)
    k10 = value("K10")
    assert (k10.numerator, k10.denominator) == (1, 2)


def test_k11_k17_contracts_and_alarms_at_d():
    one = counted(panic_alarm_installed_on=D)
    CareContractFactory(institution=one, valid_from=dt.date(2024, 1, 1), valid_to=D)
    two = counted(panic_alarm_installed_on=AFTER)
    CareContractFactory(institution=two, valid_from=AFTER, valid_to=None)
    assert (value("K11").numerator, value("K11").denominator) == (1, 2)
    assert (value("K17").numerator, value("K17").denominator) == (1, 2)


def _inspection(institution, kind, on, state="completed"):
    from inspections.models import ChecklistTemplate, Inspection

    return Inspection.objects.create(
        institution=institution,
        kind=kind,
        template=ChecklistTemplate.objects.filter(kind=kind).first(),
        inspected_on=on,
        state=state,
        score=Decimal("95") if state == "completed" else None,
        outcome="pass" if state == "completed" else "",
        completed_at=timezone.now() if state == "completed" else None,
    )


def test_k12_routine_inspection_coverage():
    one, two = counted(), counted()
    _inspection(one, "patrol", dt.date(2025, 6, 3))
    _inspection(two, "patrol", dt.date(2025, 5, 30))  # last month
    _inspection(two, "patrol", dt.date(2025, 6, 20), state="draft")  # not completed
    _inspection(one, "guidance", dt.date(2025, 4, 1))  # same quarter
    _inspection(two, "guidance", dt.date(2025, 3, 31))  # previous quarter
    _inspection(two, "annual", dt.date(2025, 1, 15))
    assert (value("K12a").numerator, value("K12a").denominator) == (1, 2)
    assert value("K12b").numerator == 1
    assert value("K12c").numerator == 1 and value("K12c").status == "tracked"


def test_k12d_findings_due_in_m_closed_by_their_deadline():
    from inspections.models import Finding

    inspection = _inspection(counted(), "patrol", dt.date(2025, 6, 1))

    def finding(deadline, closed_on=None):
        Finding.objects.create(
            inspection=inspection,
            area="fire",
            title="灭火器过期",
            severity="medium",
            found_on=dt.date(2025, 6, 1),
            deadline=deadline,
            state="closed" if closed_on else "open",
            closed_on=closed_on,
        )

    finding(dt.date(2025, 6, 10), closed_on=dt.date(2025, 6, 10))  # on its deadline: on time
    finding(dt.date(2025, 6, 15), closed_on=dt.date(2025, 6, 16))  # late
    finding(dt.date(2025, 6, 20))  # still open
    finding(dt.date(2025, 7, 1))  # due next month
    k12d = value("K12d")
    assert (k12d.numerator, k12d.denominator) == (1, 3)


def test_k14_completeness_and_timeliness():
    on_time, late, returned, _missing = counted(), counted(), counted(), counted()
    at = lambda day: timezone.make_aware(dt.datetime(2025, 7, day, 12))  # noqa: E731
    MonthlyReport.objects.create(
        institution=on_time, period=M, state="accepted", first_submitted_at=at(10)
    )
    MonthlyReport.objects.create(
        institution=late, period=M, state="submitted", first_submitted_at=at(11)
    )
    MonthlyReport.objects.create(
        institution=returned, period=M, state="returned", first_submitted_at=at(2)
    )
    assert (value("K14").numerator, value("K14").denominator) == (3, 4)
    assert value("K14_timely").numerator == 2


def test_k16_young_infant_place_share():
    ApprovedPlacesFactory(institution=counted(), infant=10, toddler=30, older=0)
    assert value("K16").value == Decimal("0.25") and value("K16").status == "tracked"


def test_k13_vouchers_by_childs_township_and_net_of_reversals(bureau):
    from tests.factories import FeeStandardFactory
    from tests.vouchers.conftest import make_child
    from vouchers import services
    from vouchers.models import VoucherBatch

    institution = counted()
    InclusiveRecognitionFactory(institution=institution, valid_from=dt.date(2024, 1, 1))
    FeeStandardFactory(institution=institution, monthly_full_day=2000)
    batch = VoucherBatch.objects.create(
        name="批次",
        face_value=1000,
        quantity_cap=10,
        apply_from=dt.date(2025, 1, 1),
        apply_until=dt.date(2025, 12, 31),
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 12, 31),
        monthly_cap=500,
    )
    import time_machine

    with time_machine.travel(
        dt.datetime(2025, 6, 15, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        local = make_child(1, hukou_township=township("114"))
        outsider = make_child(2, hukou_township=None, has_residence_permit=True)
        vouchers = []
        for child in (local, outsider):
            application = services.application_create(
                batch=batch, child=child, source="bureau", applied_on=dt.date(2025, 1, 5)
            )
            vouchers.append(services.application_approve(application=application, actor=bureau))
            services.enrolment_record(
                child=child, institution=institution, start=dt.date(2025, 1, 1)
            )
        kept = services.redeem(
            institution=institution,
            code=vouchers[0].code,
            fee_month=M,
            amount=300,
            idempotency_key="a",
        )
        undone = services.redeem(
            institution=institution,
            code=vouchers[0].code,
            fee_month=dt.date(2025, 5, 1),
            amount=200,
            idempotency_key="b",
        )
        services.reverse(redemption=undone.redemption, actor=bureau, reason="退托", by_bureau=True)
        services.redeem(
            institution=institution,
            code=vouchers[1].code,
            fee_month=M,
            amount=100,
            idempotency_key="c",
        )
    assert kept.redemption
    assert value("K13_issued").value == Decimal("1000")  # only the local child's voucher
    assert value("K13_redeemed").value == Decimal("300")
    assert value("K13_use").value == Decimal("0.3")
    assert value("K13_families").value == 1
    city = {s.indicator: s for s in Snapshot.objects.filter(period=M, area="city")}
    assert city["K13_issued"].value == Decimal("2000")  # the outsider counts for the city
    assert city["K13_redeemed"].value == Decimal("400")
    assert city["K13_families"].value == 2
    # A redemption made after D does not count for June.
    with time_machine.travel(
        dt.datetime(2025, 7, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        services.redeem(
            institution=institution,
            code=vouchers[0].code,
            fee_month=dt.date(2025, 7, 1),
            amount=100,
            idempotency_key="d",
        )
    assert value("K13_redeemed").value == Decimal("300")
