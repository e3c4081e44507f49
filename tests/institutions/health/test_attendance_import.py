"""A session's attendance list imported from a spreadsheet (one column 家长手机号), with the rules
of every import: all or nothing, errors named by row, formula cells and oversize files refused,
never a number stored, logged or echoed in clear. Operators keep the lists of their own
institutions' sessions; the list's size is a setting, tested at its boundary."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from institutions.health import services
from institutions.health.resources import MOBILE
from institutions.health.validators import parse_mobiles
from institutions.models import ParentingSession, SessionAttendance

pytestmark = pytest.mark.django_db

NUMBERS = ["13957700101", "13957700102", "13957700103"]


def _xlsx(rows, header=MOBILE, name="名单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header])
    for row in rows:
        sheet.append([row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _csv(rows, encoding="utf-8-sig") -> SimpleUploadedFile:
    text = "\r\n".join([MOBILE, *rows]) + "\r\n"
    return SimpleUploadedFile("名单.csv", text.encode(encoding))


def _session_of(institution, **extra) -> ParentingSession:
    return ParentingSession.objects.create(
        held_on=dt.date(2026, 3, 2),
        organiser_kind="institution",
        institution=institution,
        organiser_name=institution.name,
        township=institution.township,
        topic="亲子阅读",
        families_reached=extra.pop("families_reached", 9),
        **extra,
    )


@pytest.fixture
def facility_session(health_a, facility_a):
    return services.health_session_save(
        session=ParentingSession(held_on=dt.date(2026, 3, 1), topic="喂养", families_reached=4),
        facility=facility_a,
        mobiles=["13957700199"],
        actor=health_a,
    )


def _import(client, session, upload):
    return client.post(reverse("health:attendance_import", args=[session.pk]), {"file": upload})


def test_a_good_file_replaces_the_list(client_as, health_a, facility_session):
    response = _import(client_as(health_a), facility_session, _xlsx(NUMBERS))
    assert response.status_code == 302
    facility_session.refresh_from_db()
    assert facility_session.attendance.count() == 3
    assert facility_session.families_reached == 3
    # The old family (13957700199) is no longer on the list.
    hashes = set(facility_session.attendance.values_list("family_hash", flat=True))
    assert hashes == {services.family_key(n) for n in NUMBERS}


def test_a_csv_in_gb18030_imports_as_well(client_as, health_a, facility_session):
    response = _import(client_as(health_a), facility_session, _csv(NUMBERS, "gb18030"))
    assert response.status_code == 302
    assert facility_session.attendance.count() == 3


def test_one_bad_row_writes_nothing_and_is_named_by_its_row_not_echoed(
    client_as, health_a, facility_session
):
    rows = [NUMBERS[0], "1395770", NUMBERS[2]]
    response = _import(client_as(health_a), facility_session, _xlsx(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "第3行" in page and MOBILE in page
    assert "1395770" not in page  # neither the bad number nor the good ones
    facility_session.refresh_from_db()
    assert facility_session.families_reached == 1  # the list it had
    assert facility_session.attendance.get().family_hash == services.family_key("13957700199")


def test_the_same_number_twice_or_spaced_is_one_family(client_as, health_a, facility_session):
    rows = ["13957700101", "139 5770 0101", "139-5770-0101", 13957700101, "13957700102"]
    assert _import(client_as(health_a), facility_session, _xlsx(rows)).status_code == 302
    facility_session.refresh_from_db()
    assert facility_session.attendance.count() == 2
    assert facility_session.families_reached == 2


def test_a_blank_row_between_families_is_left_out(client_as, health_a, facility_session):
    rows = ["13957700101", None, "13957700102"]
    assert _import(client_as(health_a), facility_session, _xlsx(rows)).status_code == 302
    assert facility_session.attendance.count() == 2


def test_a_file_without_a_number_leaves_the_list_alone(client_as, health_a, facility_session):
    workbook = Workbook()
    workbook.active.append([MOBILE, "姓名"])
    workbook.active.append([None, "张三"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(
        client_as(health_a), facility_session, SimpleUploadedFile("a.xlsx", buffer.getvalue())
    )
    assert response.status_code == 400
    assert facility_session.attendance.count() == 1


def test_a_formula_cell_is_refused(client_as, health_a, facility_session):
    response = _import(client_as(health_a), facility_session, _xlsx(["=13957700101+0"]))
    assert response.status_code == 400
    assert "公式" in response.content.decode()
    assert facility_session.attendance.count() == 1


def test_a_missing_column_wrong_type_or_oversize_file_is_refused(
    client_as, health_a, facility_session, settings
):
    client = client_as(health_a)
    response = _import(client, facility_session, _xlsx(NUMBERS, header="手机"))
    assert response.status_code == 400 and "家长手机号" in response.content.decode()
    wrong_type = SimpleUploadedFile("名单.pdf", b"%PDF-1.4 13957700101")
    response = _import(client, facility_session, wrong_type)
    assert response.status_code == 400 and "xlsx 或 csv" in response.content.decode()
    not_xlsx = SimpleUploadedFile("名单.xlsx", b"13957700101\n")
    assert _import(client, facility_session, not_xlsx).status_code == 400
    settings.IMPORT_MAX_BYTES = 100
    response = _import(client, facility_session, _xlsx(NUMBERS))
    assert response.status_code == 400 and "文件太大" in response.content.decode()
    assert facility_session.attendance.count() == 1


def test_the_template_has_the_one_column(client_as, health_a, operator_a):
    for user in (health_a, operator_a):
        response = client_as(user).get(reverse("health:attendance_template"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [cell.value for cell in sheet[1]] == [MOBILE]


def test_imported_numbers_reach_neither_the_database_nor_the_logs(
    client_as, health_a, facility_session, caplog
):
    caplog.set_level("DEBUG")
    numbers = ["13957700181", "13957700182"]
    response = _import(client_as(health_a), facility_session, _xlsx(numbers))
    assert response.status_code == 302
    follow = client_as(health_a).get(reverse("health:attendance", args=[facility_session.pk]))
    bad = _import(client_as(health_a), facility_session, _xlsx(["13957700183", "12"]))
    for body in (follow.content.decode(), bad.content.decode()):
        assert "1395770018" not in body
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("institutions").get_models()
        if "session" in model._meta.db_table
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')  # noqa: S608 - our names
            dump = " ".join(row[0] for row in cursor.fetchall())
            assert "1395770018" not in dump, table
    assert SessionAttendance.objects.filter(session=facility_session).count() == 2
    assert "1395770018" not in caplog.text


# --- Operators: their own institutions' sessions -------------------------------------------------


def test_an_operator_keeps_the_list_of_its_own_institutions_session(
    client_as, operator_a, institution_a
):
    session = _session_of(institution_a)
    client = client_as(operator_a)
    url = reverse("health:attendance", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "导入名单" in page.content.decode()
    assert client.post(url, {"mobiles": "13957700101\n13957700102"}).status_code == 302
    session.refresh_from_db()
    assert (session.families_reached, session.attendance.count()) == (2, 2)
    assert _import(client, session, _xlsx(NUMBERS)).status_code == 302
    assert session.attendance.count() == 3


def test_another_institutions_session_is_a_404_for_an_operator(
    client_as, operator_b, institution_a
):
    session = _session_of(institution_a)
    client = client_as(operator_b)
    url = reverse("health:attendance", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"mobiles": "13957700101"}).status_code == 404
    assert _import(client, session, _xlsx(NUMBERS)).status_code == 404
    assert not session.attendance.exists()


def test_an_operator_never_reaches_a_health_facilitys_session(
    client_as, operator_a, facility_session
):
    url = reverse("health:attendance", args=[facility_session.pk])
    assert client_as(operator_a).get(url).status_code == 404
    assert _import(client_as(operator_a), facility_session, _xlsx(NUMBERS)).status_code == 404


def test_the_bureau_keeps_an_institutions_list_and_a_read_only_role_does_not(
    client_as, bureau, auditor, institution_a
):
    session = _session_of(institution_a)
    url = reverse("health:attendance", args=[session.pk])
    assert client_as(bureau).post(url, {"mobiles": "13957700101"}).status_code == 302
    assert client_as(auditor).get(url).status_code == 200
    assert client_as(auditor).post(url, {"mobiles": "13957700102"}).status_code == 403
    assert _import(client_as(auditor), session, _xlsx(NUMBERS)).status_code == 403
    assert session.attendance.count() == 1


def test_a_health_centre_never_reaches_an_institutions_session(client_as, health_a, institution_a):
    session = _session_of(institution_a)
    url = reverse("health:attendance", args=[session.pk])
    assert client_as(health_a).get(url).status_code == 404


# --- The list's size: a setting ---------------------------------------------------------------


def _numbers(count: int) -> list[str]:
    return [f"139{n:08d}" for n in range(count)]


def test_the_list_takes_exactly_the_setting_and_refuses_one_more(settings):
    settings.HEALTH_ATTENDANCE_MAX = 5
    assert len(parse_mobiles(_numbers(5))) == 5
    # Repeats count once: five families typed six times are still five.
    assert len(parse_mobiles([*_numbers(5), _numbers(1)[0]])) == 5
    with pytest.raises(ValidationError) as refused:
        parse_mobiles(_numbers(6))
    assert refused.value.code == "attendance_too_long"
    assert "最多5个家庭" in refused.value.messages[0]


def test_the_default_limit_is_2000(settings):
    assert settings.HEALTH_ATTENDANCE_MAX == 2000
    assert len(parse_mobiles(_numbers(2000))) == 2000
    with pytest.raises(ValidationError):
        parse_mobiles(_numbers(2001))


def test_an_import_over_the_limit_writes_nothing(client_as, health_a, facility_session, settings):
    settings.HEALTH_ATTENDANCE_MAX = 3
    client = client_as(health_a)
    assert _import(client, facility_session, _xlsx(_numbers(3))).status_code == 302
    assert facility_session.attendance.count() == 3
    response = _import(client, facility_session, _xlsx(_numbers(4)))
    assert response.status_code == 400
    assert "最多3个家庭" in response.content.decode()
    assert facility_session.attendance.count() == 3
