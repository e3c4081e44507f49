import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from institutions.models import (
    CareContract,
    Community,
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    Institution,
    MonthlyReport,
    ParentingSession,
    ScreeningMonth,
    SessionAttendance,
    StaffMember,
)
from lequing_tuoyu import demo
from portal.roles import Role, scope, user_roles

pytestmark = pytest.mark.django_db


def test_refused_without_debug_or_yes_demo(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Institution.objects.exists()


def test_creates_the_demo_logins_with_their_roles(settings):
    call_command("seed_demo", "--yes-demo")
    expected = {
        "bureau": Role.BUREAU_ADMIN,
        "education": Role.EDUCATION,
        "inspector": Role.INSPECTOR,
        "auditor": Role.AUDITOR,
        "operator1": Role.OPERATOR,
        "operator2": Role.OPERATOR,
    }
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for username, role in expected.items():
        user = users.get(username=username)
        assert user.check_password("lequing2025"), username
        assert user_roles(user) == {role}
    op1, op2 = users.get(username="operator1"), users.get(username="operator2")
    first, second = op1.operated_institutions.get(), op2.operated_institutions.get()
    assert first != second


def _wipe_demo_data():
    """Empty every table the seed writes (inside the test's transaction, so it rolls back),
    keeping the reference data that migrations load: townships, targets, checklists, groups."""
    from django.apps import apps
    from django.db import connection

    keep = {"institutions_township", "metrics_target"}
    tables = [
        model._meta.db_table
        for app in ("institutions", "vouchers", "inspections", "metrics")
        for model in apps.get_app_config(app).get_models()
        if model._meta.db_table not in keep
        and not model._meta.db_table.startswith("inspections_checklist")
        and not model._meta.db_table.startswith("inspections_historicalchecklist")
    ]
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: fire their checks now so TRUNCATE may run.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


def test_same_seed_gives_the_same_data():
    def snapshot():
        return [
            (i.name, i.credit_code, i.township.code, i.kind, i.filed_on)
            for i in Institution.objects.select_related("township").order_by("name")
        ]

    demo.seed(scale="demo", seed=11, with_indicators=False)
    first = snapshot()
    ids_first = sorted(s.id_number.reveal() for s in StaffMember.objects.all())
    _wipe_demo_data()
    demo.seed(scale="demo", seed=11, with_indicators=False)
    assert snapshot() == first
    assert sorted(s.id_number.reveal() for s in StaffMember.objects.all()) == ids_first
    assert len(first) == demo.SCALES["demo"]
    assert all(name.endswith("（演示）") for name, *_ in first)


def test_if_empty_does_not_load_twice(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo", "--if-empty")
    assert Institution.objects.count() == demo.SCALES["demo"]


def test_demo_registry_looks_like_yueqing():
    import datetime as dt

    from django.db.models import Count
    from django.utils import timezone

    from institutions.models import ApprovedPlaces, Certificate
    from institutions.selectors import staff_flags

    demo.seed(scale="city", seed=2025, with_indicators=False)
    assert set(Institution.objects.values_list("kind", flat=True)) == set(Institution.Kind.values)
    assert Institution.objects.values("township").distinct().count() == 25
    assert Community.objects.filter(is_new=True).exists()
    # Dated histories: some institutions changed their places during the pilot.
    assert (
        ApprovedPlaces.objects.values("institution")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    today = timezone.localdate()
    flags = staff_flags(StaffMember.objects.all(), today=today)
    assert flags.filter(lacks_qualification=True).exists()
    assert flags.filter(expiring_certificates__gt=0).exists()
    assert Certificate.objects.filter(expires_on__lt=today).exists()
    op1 = Institution.objects.get(operators__username="operator1")
    assert op1.name == "城东阳光幼儿园（演示）" and op1.staff.exists()
    assert op1.approved_places.exists() and op1.filed_on < dt.date.today()


def test_demo_reports_have_late_missing_returned_and_warned_ones():
    from django.db.models import F

    from institutions.reports.selectors import missing_reports
    from portal.dates import deadline_as_datetime

    demo.seed(scale="city", seed=2025, with_indicators=False)
    reports = MonthlyReport.objects.all()
    states = set(reports.values_list("state", flat=True))
    assert {"accepted", "returned"} <= states
    assert reports.exclude(warnings=[]).exclude(warning_comment="").exists()
    first = reports.order_by("period").first().period
    assert first == settings.PILOT_START_DATE.replace(day=1)
    late = [
        r
        for r in reports.filter(period=first).exclude(first_submitted_at=None)
        if r.first_submitted_at > deadline_as_datetime(first)
    ]
    assert late
    assert missing_reports(first).exists()
    assert ParentingSession.objects.filter(organiser_kind="health_centre").exists()
    assert ParentingSession.objects.filter(organiser_kind="institution").exists()
    assert not reports.filter(staff_certified__gt=F("staff_on_duty")).exists()


def test_the_default_demo_tells_a_plausible_story():
    """At the default scale the population is in proportion to the institutions loaded, so the
    last complete month has headline targets met and missed, and K1 lands near its target instead
    of 40 institutions' places over the whole city's children."""
    from metrics.models import CITY, HEADLINE, Snapshot
    from metrics.selectors import last_complete_month

    demo.seed(scale="demo", seed=2025)
    month = last_complete_month()
    figures = {
        s.indicator: s
        for s in Snapshot.objects.filter(area=CITY, period=month, indicator__in=HEADLINE)
    }
    assert 140 <= figures["K1"].value <= 560, figures["K1"].value  # within half or twice of 280
    statuses = {snapshot.status for snapshot in figures.values()}
    assert {Snapshot.Status.MET, Snapshot.Status.NOT_MET} <= statuses, statuses


def test_the_demo_has_health_facilities_their_records_and_a_few_left_to_link():
    demo.seed(scale="demo", seed=11, with_indicators=False)
    assert HealthFacility.objects.filter(level="county").count() == 2
    assert HealthFacility.objects.filter(level="township").count() == 25
    assert 0 < CareContract.objects.filter(facility__isnull=True).count() <= 3
    assert ParentingSession.objects.filter(
        organiser_kind="health_centre", facility__isnull=True
    ).exists()
    assert SessionAttendance.objects.filter(session__facility__isnull=False).exists()
    # Institutions' own sessions are held there, some with the list their operators keep.
    hosted = ParentingSession.objects.filter(organiser_kind="institution")
    assert set(hosted.values_list("venue", flat=True)) == {"institution"}
    assert SessionAttendance.objects.filter(session__organiser_kind="institution").exists()
    assert hosted.filter(attendance__isnull=True).exists()
    assert hosted.filter(institution__operators__username="operator2").exists()
    assert GuidanceVisit.objects.exists() and ScreeningMonth.objects.exists()
    assert ContractServiceMonth.objects.exists()
    login = get_user_model().objects.get(username="health1")
    assert user_roles(login) == {Role.HEALTH_CENTRE}
    assert scope(login, HealthFacility).get().township.code == "330382114"
    assert scope(login, Institution, facility_links=True).exists()  # under contract with it


def test_the_demo_has_courses_from_every_named_provider_and_care_staff_attendance():
    from institutions.models import TrainingAttendance, TrainingCourse
    from institutions.training.models import NAMED_PROVIDERS

    demo.seed(scale="demo", seed=11, with_indicators=False)
    assert set(TrainingCourse.objects.values_list("provider", flat=True)) == set(NAMED_PROVIDERS)
    assert TrainingCourse.objects.filter(kind="competition").exists()
    attended = TrainingAttendance.objects.values("staff").distinct().count()
    care = StaffMember.objects.filter(role__in=["caregiver", "teacher", "health"]).count()
    assert 0.4 * care < attended < 0.8 * care
    assert TrainingAttendance.objects.exclude(award="").filter(course__kind="competition").exists()
    assert not TrainingAttendance.objects.exclude(award="").exclude(course__kind="competition")


def test_the_demo_has_a_training_provider_login_and_a_lecturer_team():
    from institutions.models import LecturerMember, TrainingCourse, TrainingProvider

    demo.seed(scale="demo", seed=11, with_indicators=False)
    login = get_user_model().objects.get(username="provider1")
    assert user_roles(login) == {Role.TRAINING_PROVIDER}
    provider = TrainingProvider.objects.get(users=login)
    assert provider.name == "乐清市婴幼儿照护服务指导中心"
    assert not TrainingCourse.objects.filter(provider_org__isnull=True).exists()
    assert set(scope(login, TrainingCourse).values_list("provider_org", flat=True)) == {provider.pk}
    assert LecturerMember.objects.filter(left_on__isnull=False).exists()
    assert LecturerMember.objects.filter(facility__isnull=True).exists()
    led = ParentingSession.objects.filter(lecturers__isnull=False).distinct()
    assert led.exists()
    for session in led.prefetch_related("lecturers"):
        assert all(m.is_member_on(session.held_on) for m in session.lecturers.all())
