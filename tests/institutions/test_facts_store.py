"""institutions.facts_store: the registry's facts kept per day (issue 21).

Each write to a table the facts read must drop the kept rows of the institution it touches and
no other's; the next fill computes them again, equal to the set-based reading. The edge cases of
each rule run through the kept reader too (tests/institutions/set_based.py's `kept` reader,
test_facts.py's `both`)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.db.models import F

from institutions import facts, facts_store
from institutions.facts import FACTS_VERSION, facts_sql
from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    FactsAtDay,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    InstitutionDetails,
    InstructorAssignment,
    PanicAlarm,
    StaffMember,
    StaffRoleRecord,
    StarRating,
    TrainingAttendance,
    TrainingCourse,
)
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    CertificateFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    InstructorAssignmentFactory,
    StaffMemberFactory,
    StarRatingFactory,
    township,
)

D = dt.date(2025, 6, 30)
DAY = dt.timedelta(days=1)


def course(kind=TrainingCourse.Kind.IN_SERVICE) -> TrainingCourse:
    return TrainingCourse.objects.create(
        name="婴幼儿照护", provider="温州大学", kind=kind,
        starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 2), hours=Decimal("8"),
    )  # fmt: skip


def furnished() -> tuple[Institution, StaffMember, TrainingCourse]:
    """An institution with a row in every fact table, its care worker and the course only its
    own staff attended."""
    institution = InstitutionFactory()
    ApprovedPlacesFactory(institution=institution)
    FeeStandardFactory(institution=institution)
    StarRatingFactory(institution=institution)
    InstructorAssignmentFactory(institution=institution)
    InclusiveRecognitionFactory(institution=institution)
    CareContractFactory(institution=institution)
    PanicAlarm.objects.create(institution=institution, valid_from=dt.date(2024, 3, 1))
    InstitutionDetails.objects.create(
        institution=institution, effective_from=dt.date(2024, 3, 1), kind=institution.kind,
        township=institution.township, is_inclusive_kindergarten=False,
    )  # fmt: skip
    staff = StaffMemberFactory(institution=institution)
    StaffRoleRecord.objects.create(
        staff=staff, effective_from=dt.date(2024, 3, 1), role=StaffMember.Role.CAREGIVER
    )
    CertificateFactory(staff=staff)
    taken = course()
    TrainingAttendance.objects.create(course=taken, staff=staff, hours=Decimal("8"))
    return institution, staff, taken


def live(institution) -> dict:
    sql, params = facts_sql(D)
    return _row(f"SELECT * FROM ({sql}) AS f WHERE f.id = %s", [*params, institution.pk])  # noqa: S608


def kept(institution) -> dict | None:
    sql, params = facts_store.kept_sql(D, filed_and_open_only=False)
    return _row(f"SELECT * FROM ({sql}) AS f WHERE f.id = %s", [*params, institution.pk])  # noqa: S608


def _row(sql, params) -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return (
            None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))
        )


# One write per watched table (and per kind of statement), each changing a fact of `a` at D.
WRITES = {
    "institution closed": lambda a, staff, taken: Institution.objects.filter(pk=a.pk).update(
        closed_on=D
    ),
    "details inserted": lambda a, staff, taken: InstitutionDetails.objects.create(
        institution=a,
        effective_from=D,
        kind=a.kind,
        township=township("121"),
        is_inclusive_kindergarten=False,
    ),
    "places updated": lambda a, staff, taken: ApprovedPlaces.objects.filter(institution=a).update(
        infant=7
    ),
    "fees deleted": lambda a, staff, taken: FeeStandard.objects.filter(institution=a).delete(),
    "rating updated": lambda a, staff, taken: StarRating.objects.filter(institution=a).update(
        stars=5
    ),
    "instructor deleted": lambda a, staff, taken: InstructorAssignment.objects.filter(
        institution=a
    ).delete(),
    "recognition ended": lambda a, staff, taken: InclusiveRecognition.objects.filter(
        institution=a
    ).update(valid_to=D - DAY),
    "contract deleted": lambda a, staff, taken: CareContract.objects.filter(institution=a).delete(),
    "alarm ended": lambda a, staff, taken: PanicAlarm.objects.filter(institution=a).update(
        valid_to=D - DAY
    ),
    "staff member left": lambda a, staff, taken: StaffMember.objects.filter(pk=staff.pk).update(
        left_on=D
    ),
    "staff member hired": lambda a, staff, taken: StaffMemberFactory(institution=a),
    "role record inserted": lambda a, staff, taken: StaffRoleRecord.objects.create(
        staff=staff, effective_from=D, role=StaffMember.Role.COOK
    ),
    "certificate expired": lambda a, staff, taken: Certificate.objects.filter(staff=staff).update(
        expires_on=D - DAY
    ),
    "attendance deleted": lambda a, staff, taken: TrainingAttendance.objects.filter(
        staff=staff
    ).delete(),
    "course moved to next year": lambda a, staff, taken: TrainingCourse.objects.filter(
        pk=taken.pk
    ).update(starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 2)),
    "course became 医育跟诊": lambda a, staff, taken: TrainingCourse.objects.filter(
        pk=taken.pk
    ).update(kind=TrainingCourse.Kind.SHADOWING),
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES)
def test_a_write_drops_its_institutions_kept_rows_and_no_other(write):
    a, staff, taken = furnished()
    b, *_ = furnished()
    assert facts_store.fill(D) == 2
    assert kept(a) == live(a) and kept(b) == live(b)
    before = live(a)
    FactsAtDay.objects.filter(institution=b).update(kind_at="marked")  # b's row, left alone

    WRITES[write](a, staff, taken)

    assert live(a) != before, "the write must change a fact, or a stale row would pass"
    assert kept(a) is None
    assert kept(b)["kind_at"] == "marked"
    assert facts_store.fill(D) == 1
    assert kept(a) == live(a)


@pytest.mark.django_db
def test_a_staff_member_moved_drops_both_institutions_rows():
    a, staff, _ = furnished()
    b, *_ = furnished()
    facts_store.fill(D)
    StaffMember.objects.filter(pk=staff.pk).update(institution=b)
    assert kept(a) is None and kept(b) is None
    assert facts_store.fill(D) == 2
    assert (kept(a), kept(b)) == (live(a), live(b))


@pytest.mark.django_db
def test_an_update_that_changes_nothing_keeps_the_rows():
    a, *_ = furnished()
    facts_store.fill(D)
    Institution.objects.filter(pk=a.pk).update(name=F("name"))
    assert kept(a) == live(a)
    assert facts_store.fill(D) == 0


@pytest.mark.django_db
def test_rows_of_another_version_are_computed_again():
    a, *_ = furnished()
    facts_store.fill(D)
    FactsAtDay.objects.update(version="old", places_total=999)
    assert facts_store.fill(D) == 1
    assert kept(a) == live(a)
    assert set(FactsAtDay.objects.values_list("version", flat=True)) == {FACTS_VERSION}


@pytest.mark.django_db
def test_each_day_is_kept_apart():
    a, *_ = furnished()
    facts_store.fill(D)
    assert facts_store.fill(D + DAY) == 1
    assert facts_store.fill(D) == 0
    assert FactsAtDay.objects.filter(institution=a).count() == 2


@pytest.mark.django_db
def test_one_row_per_institution_and_day_in_the_database():
    from django.db import IntegrityError

    a, *_ = furnished()
    facts_store.fill(D)
    row = FactsAtDay.objects.get(institution=a)
    row.pk = None
    with pytest.raises(IntegrityError):
        FactsAtDay.objects.bulk_create([row])


@pytest.mark.django_db
def test_every_table_the_facts_read_drops_kept_rows_on_write():
    read = set(re.findall(r"\binstitutions_\w+", facts._FACTS))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE %s",
            ["%_facts_stale"],
        )
        watched = {row[0] for row in cursor.fetchall()}
    assert read and read <= watched, read - watched


@pytest.mark.django_db(transaction=True)
def test_a_fact_written_while_a_fill_runs_waits_for_it():
    """A write that comes while a fill holds the lock waits (its trigger takes the lock shared),
    so its drop comes after the fill's rows are committed, never before them."""
    from django.db import transaction

    a, *_ = furnished()
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or None, port=settings["PORT"] or None,
        user=settings["USER"], dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip
    finished = threading.Event()

    def write():
        other.execute(
            "UPDATE institutions_approvedplaces SET infant = 7 WHERE institution_id = %s", [a.pk]
        )
        finished.set()

    try:
        with transaction.atomic():
            facts_store.fill(D)
            writer = threading.Thread(target=write)
            writer.start()
            assert not finished.wait(1.0), "the write did not wait for the fill's transaction"
        writer.join(10)
        assert finished.is_set()
        assert kept(a) is None  # dropped after the fill committed
        with transaction.atomic():
            facts_store.fill(D)
            assert kept(a)["places_infant"] == 7
    finally:
        other.close()
        FactsAtDay.objects.all().delete()


@pytest.mark.django_db
def test_the_command_rebuilds_every_kept_day_from_scratch():
    import io

    from django.core.management import call_command

    a, *_ = furnished()
    facts_store.fill(D)
    facts_store.fill(D + DAY)
    FactsAtDay.objects.update(places_total=999)  # kept rows gone wrong, same version
    out = io.StringIO()
    call_command("rebuild_facts_at_day", stdout=out)
    assert "dropped 2 rows of 2 days" in out.getvalue()
    assert "2025-06-30: 1 institutions" in out.getvalue()
    assert kept(a) == live(a)
    assert FactsAtDay.objects.filter(institution=a).count() == 2
