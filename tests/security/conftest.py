"""A seeded world shared by a module: the demo data (seed_demo), one user per persona, and for
institution A one object of every kind a URL can point at.

Building it takes ~25 seconds, so it is done once per module inside a transaction that is rolled
back at the end; each test then runs in a savepoint of its own (pytest-django's `db`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from portal.roles import Role, scope
from tests.factories import StarRatingFactory, UserFactory


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "security_slow: the full authorization matrix (make security, CI)"
    )
    config.addinivalue_line("markers", "fuzz: schemathesis against a live server (make security)")


PERSONAS = (
    "anonymous",
    "family",
    "operator_a",
    "operator_b",
    "inspector",
    "education",
    "bureau",
    "bureau_admin",
    "auditor",
    "department",
    "health_centre",
    "training_provider",
)
_ROLES = {
    "family": Role.FAMILY,
    "operator_a": Role.OPERATOR,
    "operator_b": Role.OPERATOR,
    "inspector": Role.INSPECTOR,
    "education": Role.EDUCATION,
    "bureau": Role.BUREAU_STAFF,
    "bureau_admin": Role.BUREAU_ADMIN,
    "auditor": Role.AUDITOR,
    # A user of the education bureau's department in the pilot task force (lead of task 3).
    "department": Role.DEPARTMENT,
    # A user of the health facility under a "1+1" contract with institution A.
    "health_centre": Role.HEALTH_CENTRE,
    # A user of the training provider whose course the training URLs point at.
    "training_provider": Role.TRAINING_PROVIDER,
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    institution_a: object = None
    institution_b: object = None
    objects: dict = field(default_factory=dict)  # model -> an object of institution A (or any)

    def pick(self, model):
        """Institution A's object of `model` when the model belongs to institutions, else any."""
        if model not in self.objects:
            operator = self.users["operator_a"]
            obj = None
            if getattr(model, "institution_path", None) is not None:
                obj = scope(operator, model).order_by("pk").first()
            if obj is None:
                obj = model._default_manager.order_by("pk").first()
            self.objects[model] = obj
        return self.objects[model]


def _clone_for(model, institution, **changes):
    """Copy an existing row of `model` onto `institution` (for kinds the demo has none of)."""
    source = model._default_manager.exclude(institution=institution).order_by("pk").first()
    if source is None:
        return None
    source.pk = None
    source.id = None
    source.institution = institution
    for name, value in changes.items():
        setattr(source, name, value)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        return None
    return source


def _fee_statement(institution):
    """A fee statement of institution A (written directly: the world's reports and months are
    not what the issuing rules need)."""
    from vouchers.models import Enrolment, FeeStatement

    enrolment = Enrolment.objects.filter(institution=institution).order_by("pk").first()
    return FeeStatement.objects.create(
        child=enrolment.child,
        institution=institution,
        first_month=dt.date(2025, 3, 1),
        last_month=dt.date(2025, 3, 1),
        child_masked_name="王**",
        lines=[
            {
                "month": "2025-03",
                "fee_due": "1800.00",
                "voucher_paid": "300.00",
                "family_paid": "1500.00",
            }
        ],
        total_due=1800,
        total_voucher=300,
        total_family=1500,
        code="ABCDEFGHJKMNPQR2",
    )


def _complete_institution_a(world: World) -> None:
    """Give institution A the kinds of records the demo leaves it without."""
    from inspections import services as inspection_services
    from inspections.models import Finding, Incident
    from institutions.models import DemonstrationUnit, ParentingSession, ReportWindowException
    from metrics.models import ComputeRun
    from tests.inspections.factories import make_inspection, pdf_upload, png_upload

    a, users = world.institution_a, world.users
    StarRatingFactory(institution=a)
    DemonstrationUnit.objects.create(
        institution=a, level="city", title="普惠托育示范机构", valid_from=dt.date(2025, 6, 1)
    )
    _clone_for(ParentingSession, a)
    world.objects["fee_statement"] = _fee_statement(a)
    ReportWindowException.objects.create(
        institution=a,
        period=dt.date(2025, 3, 1),
        open_until=timezone.localdate(),
        reason="安全测试",
        granted_by=users["bureau"],
    )
    # A draft inspection with a photo, and a finding with evidence, for the file URLs.
    draft = make_inspection(institution=a, inspectors=[users["inspector"]], complete=False)
    first_result = draft.results.order_by("order").first()
    inspection_services.inspection_add_photo(
        result=first_result, file=png_upload(), actor=users["inspector"]
    )
    # A second photo for the delete URL, so that the file URLs find theirs whatever the order
    # (under pytest-xdist the delete may run before or after them, or in another worker).
    world.objects["photo_to_delete"] = inspection_services.inspection_add_photo(
        result=first_result, file=png_upload(), actor=users["inspector"]
    )
    world.objects["draft_inspection"] = draft
    done = make_inspection(institution=a, inspectors=[users["inspector"]], fail=(0,))
    finding = Finding.objects.filter(inspection=done).first()
    inspection_services.rectification_submit(
        finding=finding, actor=users["operator_a"], action_taken="已整改", files=[pdf_upload()]
    )
    inspection_services.incident_report(
        institution=a,
        actor=users["operator_a"],
        kind=Incident.Kind.choices[-1][0],
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        description="安全测试事件",
    )
    staff = a.staff.order_by("pk").first()
    inspection_services.staff_credit_record_create(
        actor=users["bureau"],
        name="测试人员",
        id_number=staff.id_number.reveal(),
        reason="安全测试",
        recorded_on=timezone.localdate(),
        staff=staff,
    )
    from inspections.models import ConflictOfInterest

    inspection_services.conflict_save(
        conflict=ConflictOfInterest(
            inspector=users["inspector"],
            institution=world.institution_b,
            reason="亲属",
            valid_from=timezone.localdate(),
        ),
        actor=users["bureau"],
    )
    from inspections.models import StaffCreditAlert, StaffCreditRecord

    StaffCreditAlert.objects.create(record=StaffCreditRecord.objects.first(), staff=staff)
    world.objects["concern_with_attachment"] = inspection_services.concern_submit(
        institution=a,
        kind="complaint",
        text="安全测试反映",
        contact_phone="13900000001",
        attachment=png_upload(),
    )
    world.objects["public_application"] = _public_application(png_upload())
    from axes.models import AccessAttempt, AccessFailureLog
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=users["bureau"])
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1)
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1")
    # The voucher of the family's child, enrolled at A.
    from vouchers.models import Voucher

    world.objects[Voucher] = (
        Voucher.objects.filter(child__guardian__user=users["family"]).first()
        or Voucher.objects.filter(child__enrolments__institution=a).first()
    )
    ComputeRun.objects.create(
        first_period=dt.date(2025, 3, 1),
        last_period=dt.date(2025, 3, 1),
        requested_by=users["bureau"],
    )


def _public_application(proof):
    """A family's online application with a proof file, for the proof's URL."""
    from institutions.models import Township
    from portal.validators import resident_id_check_char
    from vouchers import services

    today = timezone.localdate()
    born = today - dt.timedelta(days=300)
    child = f"330382{born:%Y%m%d}091"
    guardian = "33038219900101091"
    return services.application_submit_public(
        batch=services.open_batches(today).first(),
        guardian_name="安全测试家长",
        guardian_phone="13900000002",
        guardian_id_number=guardian + resident_id_check_char(guardian),
        child_name="安全测试幼儿",
        child_id_number=child + resident_id_check_char(child),
        hukou_township=Township.objects.order_by("pk").first(),
        has_residence_permit=False,
        consent=True,
        proof=proof,
    )


def _programme_records(world: World) -> None:
    """The department persona in 市教育局, a progress update with evidence on its task 3, and a
    supervision round with a finding."""
    from programme import services as programme_services
    from programme.models import (
        CatalogueItem,
        Department,
        ProgressEvidence,
        SupervisionRound,
        Task,
    )
    from tests.inspections.factories import pdf_upload

    users = world.users
    Department.objects.get(name="市教育局").users.add(users["department"])
    task = Task.objects.get(number=3)
    programme_services.progress_update_create(
        task=task, actor=users["department"], text="安全测试进展", files=[pdf_upload()]
    )
    world.objects[Task] = task
    world.objects[ProgressEvidence] = ProgressEvidence.objects.order_by("pk").first()
    supervision = programme_services.round_create(
        actor=users["bureau"], title="安全测试督导", held_on=timezone.localdate()
    )
    programme_services.finding_add(
        supervision=supervision, task=task, text="安全测试发现", actor=users["bureau"]
    )
    world.objects[SupervisionRound] = supervision
    programme_services.catalogue_item_save(
        item=CatalogueItem(name="安全测试服务", content="安全测试", published=True),
        actor=users["bureau"],
    )


def _notification(world) -> None:
    """One notification in operator_a's inbox (the matrix opens it as every persona)."""
    from notifications.models import Event, Notification
    from notifications.services import Message, send_now

    send_now(
        Message(
            event=Event.REPORT_RETURNED,
            key="security-matrix",
            subject="安全测试通知",
            url="/yuebao/",
            users=[world.users["operator_a"]],
        )
    )
    world.objects[Notification] = Notification.objects.get(key="security-matrix")


def _training_records(world: World) -> None:
    """A course and the attendance of one of institution A's staff members (for the training
    URLs with a key)."""
    from institutions.models import (
        StaffMember,
        TrainingAttendance,
        TrainingCourse,
        TrainingProvider,
    )
    from institutions.training import services as training_services

    staff = StaffMember.objects.filter(institution=world.institution_a).order_by("pk").first()
    provider, _ = TrainingProvider.objects.get_or_create(name="温州大学")
    provider.users.add(world.users["training_provider"])
    course = training_services.course_save(
        course=TrainingCourse(
            name="安全测试培训",
            provider="温州大学",
            provider_org=provider,
            kind="in_service",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            hours=4,
        ),
        actor=world.users["bureau"],
    )
    world.objects[TrainingCourse] = course
    world.objects[TrainingAttendance] = training_services.attendance_save(
        attendance=TrainingAttendance(course=course, staff=staff, hours=4),
        actor=world.users["bureau"],
    )


def _health_records(world: World) -> None:
    """The health persona's facility, under a "1+1" contract valid today with institution A, and
    one of its sessions (with an attendance list), guidance visits and screening months."""
    from django.db.models import Q

    from institutions.health import services as health_services
    from institutions.models import CareContract, GuidanceVisit, HealthFacility, ParentingSession

    a, user = world.institution_a, world.users["health_centre"]
    facility, _ = HealthFacility.objects.get_or_create(
        name="安全测试社区卫生服务中心",
        defaults={"level": "township", "kind": "community_centre", "township": a.township},
    )
    facility.users.add(user)
    today = timezone.localdate()
    current = CareContract.objects.filter(institution=a, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    if not current.update(facility=facility):
        CareContract.objects.create(
            institution=a, valid_from=today, health_facility=facility.name, facility=facility
        )
    contract = CareContract.objects.filter(institution=a, facility=facility).latest("valid_from")
    world.objects["contract_service"] = health_services.contract_service_save(
        contract=contract, period=today, figures={"health_education": 1}, actor=user
    )
    world.objects["health_facility"] = facility
    world.objects["health_session"] = health_services.health_session_save(
        session=ParentingSession(held_on=today, topic="安全测试活动", venue="community"),
        facility=facility,
        mobiles=["13900000003", "13900000004"],
        actor=user,
    )
    # Institution A's own session (operators keep its attendance list on the health pages).
    world.objects["institution_session"] = ParentingSession.objects.create(
        held_on=today,
        organiser_kind="institution",
        institution=a,
        organiser_name=a.name,
        township=a.township,
        topic="安全测试机构活动",
        families_reached=3,
    )
    world.objects["guidance_visit"] = health_services.guidance_save(
        visit=GuidanceVisit(
            institution=a,
            facility=facility,
            instructor=user,
            visited_on=today,
            topics=["nutrition"],
            advice="安全测试指导",
        ),
        actor=user,
    )
    world.objects["screening_month"] = health_services.screening_save(
        facility=facility, period=today, figures={"development_screenings": 3}, actor=user
    )


def _inclusive_records(world: World) -> None:
    """A support case at institution A supported by the health persona's facility, with a review."""
    import datetime as dt

    from institutions.inclusive.models import SupportCase, SupportReview
    from institutions.inclusive.services import audit_reads

    facility = world.objects["health_facility"]
    case = SupportCase.objects.create(
        institution=world.institution_a,
        facility=facility,
        child_name="安全测试幼儿",
        child_birth_date=dt.date(2023, 1, 1),
        need=SupportCase.Need.DEVELOPMENTAL_DELAY,
        plan="安全测试计划",
        opened_on=timezone.localdate(),
    )
    world.objects["support_case"] = case
    world.objects["support_review"] = SupportReview.objects.create(
        case=case,
        reviewed_on=case.opened_on,
        progress="安全测试评估",
        reviewer=world.users["bureau"],
    )
    audit_reads(user=world.users["bureau"], cases=[case], channel="page", action="detail")


def _rating_records(world: World) -> None:
    """Institution A's star-rating applications under the demo's criteria set: a draft with two
    evidence files (one for the delete URL) and a submitted one (written directly: the service
    allows one open application at a time)."""
    from ratings import services as rating_services
    from ratings.models import ApplicationScore, CriteriaSet, RatingApplication
    from tests.inspections.factories import pdf_upload, png_upload

    a, operator = world.institution_a, world.users["operator_a"]
    criteria_set = CriteriaSet.objects.order_by("pk").first()
    draft = rating_services.application_create(
        institution=a, criteria_set=criteria_set, stars_applied=3, actor=operator
    )
    world.objects["rating_draft"] = draft
    world.objects["rating_evidence"] = rating_services.evidence_add(
        application=draft, file=png_upload(), actor=operator
    )
    world.objects["rating_evidence_to_delete"] = rating_services.evidence_add(
        application=draft, file=pdf_upload(), actor=operator
    )
    submitted = RatingApplication.objects.create(
        institution=a,
        criteria_set=criteria_set,
        stars_applied=3,
        state=RatingApplication.State.SUBMITTED,
        created_by=operator,
        submitted_at=timezone.now(),
    )
    ApplicationScore.objects.bulk_create(
        ApplicationScore(application=submitted, criterion=c, self_score=c.max_score)
        for c in criteria_set.criteria.all()
    )
    world.objects["rating_submitted"] = submitted


def build_world() -> World:
    from django.contrib.auth.models import AnonymousUser

    from institutions.models import Institution
    from vouchers.models import Enrolment

    call_command("seed_demo", "--yes-demo", verbosity=0)
    world = World()
    world.users["anonymous"] = AnonymousUser()
    for persona, role in _ROLES.items():
        world.users[persona] = UserFactory(username=f"persona_{persona}", role=role)
    world.institution_a = Institution.objects.get(operators__username="operator1")
    world.institution_b = Institution.objects.get(operators__username="operator2")
    world.institution_a.operators.add(world.users["operator_a"])
    world.institution_b.operators.add(world.users["operator_b"])
    # The family: the guardian of a child enrolled at A signs in as `family`.
    enrolment = (
        Enrolment.objects.filter(institution=world.institution_a, child__vouchers__isnull=False)
        .order_by("pk")
        .first()
    )
    guardian = enrolment.child.guardian
    guardian.user = world.users["family"]
    guardian.save()
    _complete_institution_a(world)
    _programme_records(world)
    _notification(world)
    _health_records(world)
    _training_records(world)
    _rating_records(world)
    _inclusive_records(world)
    for persona, user in world.users.items():
        client = Client()
        if user.is_authenticated:
            client.force_login(user)
        world.clients[persona] = client
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    media = tempfile.TemporaryDirectory()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media.name):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            from django.contrib.auth.models import Group

            from institutions.models import Township
            from institutions.reference import load_townships
            from portal.roles import sync_roles

            if Township.objects.count() < 25:
                load_townships(Township)
            if Group.objects.count() < len(Role):
                sync_roles()
            from inspections.checklists import ensure_default_checklists

            ensure_default_checklists()
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
    media.cleanup()
