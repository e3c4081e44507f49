"""A small registry in two townships where every source of the indicators has rows: places,
staff, contracts, alarms, inspections, findings, reports, sessions, communities, population."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from institutions.models import MonthlyReport, ParentingSession
from metrics.models import CityIncome, PopulationBase
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    CertificateFactory,
    CommunityFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StaffMemberFactory,
    UserFactory,
    township,
)

M = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
A, B = "330382114", "330382108"
SINCE = dt.date(2024, 1, 1)


def at(month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, 10))


def report(institution, *, state="accepted", enrolled=0, fee=None, submitted=None):
    """The institution's report for M, first submitted on 5 July (on time) unless `submitted`."""
    return MonthlyReport.objects.create(
        institution=institution,
        period=M,
        state=state,
        enrolled_toddler=enrolled,
        fee_full_day=None if fee is None else Decimal(fee),
        first_submitted_at=submitted or at(7, 5),
    )


def inspection(institution, kind, on, *, state="completed"):
    from inspections.models import ChecklistTemplate, Inspection

    done = state == "completed"
    return Inspection.objects.create(
        institution=institution,
        kind=kind,
        template=ChecklistTemplate.objects.filter(kind=kind).first(),
        inspected_on=on,
        state=state,
        score=Decimal("95") if done else None,
        outcome="pass" if done else "",
        completed_at=timezone.now() if done else None,
    )


def finding(inspection, deadline, closed_on=None):
    from inspections.models import Finding

    return Finding.objects.create(
        inspection=inspection,
        area="fire",
        title="灭火器过期",
        severity="medium",
        found_on=dt.date(2025, 6, 1),
        deadline=deadline,
        state="closed" if closed_on else "open",
        closed_on=closed_on,
    )


def staff(institution, *, certified: int, uncertified: int) -> None:
    for index in range(certified + uncertified):
        member = StaffMemberFactory(institution=institution, hired_on=SINCE)
        if index < certified:
            CertificateFactory(staff=member, issued_on=SINCE)


def kindergarten(township_code: str, *, places: int = 0, inclusive_kindergarten=True, **kwargs):
    """A kindergarten filed in 2024; a childcare class when `places` > 0."""
    institution = InstitutionFactory(
        township=township(township_code[-3:]),
        kind="kindergarten",
        filed_on=SINCE,
        is_inclusive_kindergarten=inclusive_kindergarten,
        **kwargs,
    )
    if places:
        ApprovedPlacesFactory(
            institution=institution, effective_from=SINCE, toddler=places, older=0
        )
    return institution


def small_registry() -> dict:
    a, b = township(A[-3:]), township(B[-3:])
    p = kindergarten(A, places=40, panic_alarm_installed_on=SINCE)
    InclusiveRecognitionFactory(institution=p, valid_from=SINCE)
    CareContractFactory(institution=p, valid_from=SINCE, valid_to=None)
    staff(p, certified=1, uncertified=1)
    q = InstitutionFactory(township=a, filed_on=SINCE)
    ApprovedPlacesFactory(institution=q, effective_from=SINCE, infant=10, toddler=50, older=0)
    staff(q, certified=2, uncertified=1)
    kindergarten(A, places=20, inclusive_kindergarten=False)
    u = kindergarten(A)  # an inclusive kindergarten without a childcare class (K7)
    late = InstitutionFactory(township=a, filed_on=D + dt.timedelta(days=1))
    ApprovedPlacesFactory(institution=late, effective_from=D + dt.timedelta(days=1), toddler=30)
    closed = InstitutionFactory(township=a, filed_on=SINCE, closed_on=dt.date(2025, 5, 1))
    ApprovedPlacesFactory(institution=closed, effective_from=SINCE, toddler=70)
    t = InstitutionFactory(township=b, filed_on=SINCE, panic_alarm_installed_on=D)
    ApprovedPlacesFactory(institution=t, effective_from=SINCE, toddler=80, older=0)
    ApprovedPlacesFactory(institution=t, effective_from=dt.date(2025, 3, 1), toddler=90, older=0)
    InclusiveRecognitionFactory(institution=t, valid_from=SINCE)
    CareContractFactory(institution=t, valid_from=SINCE, valid_to=None)
    staff(t, certified=2, uncertified=0)

    report(p, enrolled=36, fee=1500)
    report(q, state="submitted", enrolled=50, fee=2600, submitted=at(7, 11))
    report(t, enrolled=70, fee=2000, submitted=at(7, 2))
    patrol = inspection(p, "patrol", dt.date(2025, 6, 3))
    inspection(q, "guidance", dt.date(2025, 4, 2))
    inspection(t, "annual", dt.date(2025, 2, 2))
    inspection(t, "patrol", dt.date(2025, 6, 9), state="draft")
    finding(patrol, dt.date(2025, 6, 10), closed_on=dt.date(2025, 6, 9))
    finding(patrol, dt.date(2025, 6, 20))
    for area, held_on, families in ((a, dt.date(2025, 3, 1), 12), (a, D, 8), (b, M, 5)):
        ParentingSession.objects.create(
            held_on=held_on,
            organiser_kind="health_centre",
            organiser_name="卫生院",
            township=area,
            topic="喂养",
            families_reached=families,
        )
    CommunityFactory(township=a, is_new=True, delivered_on=M, residents=5000, delivered_places=50)
    CommunityFactory(township=a, is_new=True, delivered_on=M, residents=5000, delivered_places=10)
    PopulationBase.objects.create(township=a, year=2025, residents=50000, children_under_3=300)
    PopulationBase.objects.create(township=b, year=2025, residents=40000, children_under_3=200)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=Decimal("72000"))
    tracked_19(p, q, t)
    return {"P": p, "Q": q, "U": u, "T": t}


def tracked_19(p, q, t) -> None:
    """Issue 19's sources (K18-K22): P has an instructor, Q a guidance visit in the quarter, one
    of P's staff a course this year and one of T's a 医育跟诊, a facility in A screenings."""
    from institutions.health.models import GuidanceVisit, ScreeningMonth
    from institutions.models import StaffMember
    from institutions.training.models import TrainingAttendance, TrainingCourse
    from tests.factories import HealthFacilityFactory, InstructorAssignmentFactory

    InstructorAssignmentFactory(institution=p, effective_from=SINCE)
    facility = HealthFacilityFactory(township=township(A[-3:]))
    GuidanceVisit.objects.create(
        institution=q,
        facility=facility,
        instructor=UserFactory(),
        visited_on=dt.date(2025, 5, 6),
        advice="注意营养",
    )
    for place, kind in ((p, "in_service"), (t, "shadowing")):
        course = TrainingCourse.objects.create(
            name=kind, provider="温州大学", kind=kind, starts_on=M, ends_on=M, hours=8
        )
        member = StaffMember.objects.filter(institution=place).order_by("pk").first()
        TrainingAttendance.objects.create(course=course, staff=member, hours=8)
    ScreeningMonth.objects.create(facility=facility, period=M, development_screenings=9)
