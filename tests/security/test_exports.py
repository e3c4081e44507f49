"""Admin exports: lists of people (staff, certificates) leave the portal only through bureau staff;
every export is in the admin log with who, which list, how many rows and which format; and no
exported cell runs as a formula in the spreadsheet that opens it."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from institutions.models import Certificate, Institution, StaffMember
from institutions.resources import CertificateResource, InstitutionResource, StaffMemberResource
from tests.factories import InstitutionFactory, StaffMemberFactory
from tests.institutions.test_import import CSV, XLSX, export

PERSONAL_DATA = [(StaffMember, StaffMemberResource), (Certificate, CertificateResource)]


def export_url(model) -> str:
    return reverse(f"admin:institutions_{model._meta.model_name}_export")


def export_logs(model):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))


@pytest.fixture
def staff(institution_a):
    first = StaffMemberFactory(institution=institution_a)
    StaffMemberFactory(institution=institution_a)
    Certificate.objects.create(staff=first, kind="childcare_worker", issued_on="2023-01-01")
    return first


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["auditor", "inspector", "education"])
@pytest.mark.parametrize(("model", "resource_class"), PERSONAL_DATA)
def test_readers_other_than_the_bureau_cannot_export_lists_of_people(
    request, client_as, staff, persona, model, resource_class
):
    client = client_as(request.getfixturevalue(persona))

    changelist = client.get(reverse(f"admin:institutions_{model._meta.model_name}_changelist"))
    assert changelist.status_code == 200  # they still read the list on screen
    assert export_url(model) not in changelist.content.decode()  # no export button
    assert client.get(export_url(model)).status_code == 403
    response = export(client, model, resource_class, CSV)
    assert response.status_code == 403
    assert str(staff.id_number) not in response.content.decode()
    assert not export_logs(model).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["auditor", "inspector", "education"])
def test_readers_may_still_export_institutions_and_it_is_logged(
    request, client_as, institution_a, persona
):
    user = request.getfixturevalue(persona)
    client = client_as(user)

    response = export(client, Institution, InstitutionResource, XLSX)

    assert response.status_code == 200
    entry = export_logs(Institution).get()
    assert (entry.user, entry.change_message) == (user, "导出 1 行 (xlsx)")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["bureau", "bureau_admin"])
def test_bureau_export_of_staff_is_logged_with_rows_and_format(request, client_as, staff, persona):
    user = request.getfixturevalue(persona)
    client = client_as(user)
    StaffMemberFactory()  # a third person, at another institution

    changelist = client.get(reverse("admin:institutions_staffmember_changelist"))
    assert export_url(StaffMember) in changelist.content.decode()
    response = export(client, StaffMember, StaffMemberResource, CSV)

    assert response.status_code == 200
    entry = export_logs(StaffMember).get()
    assert entry.user == user
    assert entry.change_message == "导出 3 行 (csv)"
    assert entry.object_id is None
    assert entry.object_repr == "从业人员导出"
    # The log says how many, never who.
    assert staff.name not in entry.change_message + entry.object_repr

    export(client, Certificate, CertificateResource, XLSX)
    assert export_logs(Certificate).get().change_message == "导出 1 行 (xlsx)"


@pytest.mark.django_db
def test_export_log_counts_only_the_filtered_rows(client_as, bureau, staff, institution_b):
    StaffMemberFactory(institution=institution_b, role=StaffMember.Role.TEACHER)
    client = client_as(bureau)
    field_names = StaffMemberResource().get_export_order()
    data = {"format": CSV, "resource": "0"}
    data |= {f"staffmemberresource_{name}": "on" for name in field_names}

    url = export_url(StaffMember) + "?role__exact=teacher"
    response = client.post(url, data)

    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("\n") == 2  # header and one row
    assert export_logs(StaffMember).get().change_message == "导出 1 行 (csv)"


@pytest.mark.django_db
def test_exported_cells_never_run_as_formulas(client_as, bureau):
    InstitutionFactory(name='=HYPERLINK("http://evil.example","点我")', address="+1+2")
    InstitutionFactory(name="@SUM(A1)", address="-2-3", latitude="-1.5")
    client = client_as(bureau)

    text = export(client, Institution, InstitutionResource, CSV).content.decode("utf-8-sig")
    assert "'=HYPERLINK(" in text
    assert "\n=" not in text and ",=" not in text
    assert "'@SUM(A1)" in text and "'+1+2" in text and "'-2-3" in text
    assert ",-1.5" in text or ",-1.500000" in text  # a plain number stays a number

    sheet = load_workbook(
        io.BytesIO(export(client, Institution, InstitutionResource, XLSX).content)
    )
    cells = [cell for row in sheet.active.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert '\'=HYPERLINK("http://evil.example","点我")' in values
    assert "'@SUM(A1)" in values


@pytest.mark.django_db
def test_export_log_is_in_the_site_language_whatever_the_browser_says(
    client_as, bureau, staff, settings
):
    client = client_as(bureau)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("admin:institutions_staffmember_changelist"))
    assert page.context["LANGUAGE_CODE"] == "en"  # the browser's language is in use
    export(client, StaffMember, StaffMemberResource, XLSX)

    entry = export_logs(StaffMember).get()
    assert (entry.object_repr, entry.change_message) == ("从业人员导出", "导出 2 行 (xlsx)")
