"""The bureau's admin for the registry: permissions, writes through the services, searching by ID
number, and changelists whose query count does not grow with the registry."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    StaffMember,
    StarRating,
    Township,
)
from tests.bulk import make_registry
from tests.factories import (
    ApprovedPlacesFactory,
    CertificateFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StaffMemberFactory,
)

REGISTRY_MODELS = [
    Community,
    Institution,
    ApprovedPlaces,
    FeeStandard,
    StarRating,
    InstructorAssignment,
    InclusiveRecognition,
    CareContract,
    StaffMember,
    Certificate,
]
SPREADSHEET_MODELS = [Institution, StaffMember, Certificate]


def admin_url(model, view, *args):
    return reverse(f"admin:institutions_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST a browser would send back from a rendered admin change form, unchanged."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, dt.date):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


# --- Who may use it --------------------------------------------------------------------------------


def registry_urls(institution, staff):
    urls = []
    for model in REGISTRY_MODELS:
        urls += [admin_url(model, "changelist"), admin_url(model, "add")]
    for model in SPREADSHEET_MODELS:
        urls += [
            admin_url(model, "import"),
            admin_url(model, "process_import"),
            admin_url(model, "export"),
            admin_url(model, "import_template"),
        ]
    urls += [
        admin_url(Institution, "change", institution.pk),
        admin_url(Institution, "history", institution.pk),
        admin_url(Institution, "delete", institution.pk),
        admin_url(StaffMember, "change", staff.pk),
        admin_url(StaffMember, "history", staff.pk),
    ]
    return urls


@pytest.mark.django_db
def test_operator_is_sent_to_login_for_every_registry_admin_url(
    client_as, operator_a, institution_a
):
    staff = StaffMemberFactory(institution=institution_a)
    client = client_as(operator_a)
    login = reverse("admin:login")
    for url in registry_urls(institution_a, staff):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (method.__name__, url)
            assert response["Location"].startswith(login), url


@pytest.mark.django_db
def test_auditor_can_view_but_not_change(client_as, auditor, institution_a):
    staff = StaffMemberFactory(institution=institution_a)
    client = client_as(auditor)
    for model in REGISTRY_MODELS:
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
    page = client.get(admin_url(Institution, "change", institution_a.pk))
    assert page.status_code == 200
    assert client.get(admin_url(StaffMember, "change", staff.pk)).status_code == 200
    assert client.get(admin_url(Institution, "history", institution_a.pk)).status_code == 200

    data = form_data(page) | {"name": "审计改名"}
    assert client.post(admin_url(Institution, "change", institution_a.pk), data).status_code == 403
    assert client.post(admin_url(Institution, "add"), data).status_code == 403
    assert client.post(admin_url(StaffMember, "change", staff.pk), {}).status_code == 403
    assert (
        client.post(admin_url(Institution, "delete", institution_a.pk), {"post": "yes"}).status_code
        == 403
    )
    institution_a.refresh_from_db()
    assert institution_a.name == "甲托育中心"
    # Reading includes exporting the institutions, not lists of people; importing is writing.
    assert client.get(admin_url(Institution, "export")).status_code == 200
    for model in [StaffMember, Certificate]:
        assert client.get(admin_url(model, "export")).status_code == 403
    for model in SPREADSHEET_MODELS:
        assert client.get(admin_url(model, "import")).status_code == 403
        assert client.post(admin_url(model, "process_import"), {}).status_code == 403
        assert client.get(admin_url(model, "import_template")).status_code == 403


# --- Writes go through the services ---------------------------------------------------------------


@pytest.mark.django_db
def test_change_form_saves_institution_and_inlines_with_the_user_in_history(client_as, bureau):
    institution = InstitutionFactory(name="旧名称托育园")
    client = client_as(bureau)
    url = admin_url(Institution, "change", institution.pk)
    data = form_data(client.get(url)) | {
        "name": "新名称托育园",
        "approved_places-TOTAL_FORMS": "1",
        "approved_places-0-effective_from": "2025-01-01",
        "approved_places-0-infant": "0",
        "approved_places-0-toddler": "15",
        "approved_places-0-older": "20",
        "approved_places-0-mixed": "0",
    }
    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    institution.refresh_from_db()
    assert institution.name == "新名称托育园"
    assert institution.history.latest().history_user == bureau
    places = ApprovedPlaces.objects.get(institution=institution)
    assert places.total == 35
    assert places.history.latest().history_user == bureau


@pytest.mark.django_db
def test_add_form_creates_institution_with_operators_through_the_service(
    client_as, bureau, operator_a
):
    client = client_as(bureau)
    data = form_data(client.get(admin_url(Institution, "add"))) | {
        "name": "新增托育中心",
        "credit_code": "",
        "kind": "centre",
        "ownership": "private",
        "township": str(Township.objects.get(code="330382114").pk),
        "operators": [str(operator_a.pk)],
        "fee_standards-TOTAL_FORMS": "1",
        "fee_standards-0-effective_from": "2025-01-01",
        "fee_standards-0-monthly_full_day": "1800.00",
    }
    response = client.post(admin_url(Institution, "add"), data)

    assert response.status_code == 302
    institution = Institution.objects.get(name="新增托育中心")
    assert list(institution.operators.all()) == [operator_a]
    assert institution.history.earliest().history_user == bureau
    assert FeeStandard.objects.get(institution=institution).history.latest().history_user == bureau


@pytest.mark.django_db
def test_invalid_credit_code_is_a_form_error_and_nothing_is_saved(client_as, bureau, institution_a):
    client = client_as(bureau)
    url = admin_url(Institution, "change", institution_a.pk)
    code = institution_a.credit_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(url, form_data(client.get(url)) | {"credit_code": wrong})

    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    institution_a.refresh_from_db()
    assert institution_a.credit_code == code


@pytest.mark.django_db
def test_overlapping_new_periods_on_one_page_are_refused_with_a_message(
    client_as, bureau, institution_a
):
    """Two new recognitions overlap each other: each form is valid alone, the service refuses the
    second, and the page says so instead of failing; nothing is saved."""
    client = client_as(bureau)
    url = admin_url(Institution, "change", institution_a.pk)
    data = form_data(client.get(url)) | {
        "inclusive_recognitions-TOTAL_FORMS": "2",
        "inclusive_recognitions-0-valid_from": "2025-01-01",
        "inclusive_recognitions-1-valid_from": "2025-06-01",
    }
    response = client.post(url, data, follow=True)

    assert "与该机构已有记录的有效期重叠" in response.content.decode()
    assert not InclusiveRecognition.objects.filter(institution=institution_a).exists()


@pytest.mark.django_db
def test_staff_change_form_keeps_the_stored_id_number_behind_the_mask(
    client_as, bureau, institution_a
):
    staff = StaffMemberFactory(institution=institution_a)
    plain = staff.id_number.reveal()
    client = client_as(bureau)
    url = admin_url(StaffMember, "change", staff.pk)
    page = client.get(url)
    assert plain not in page.content.decode()

    response = client.post(url, form_data(page) | {"name": "改名后"})

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.id_number.reveal() == plain
    assert staff.name == "改名后"
    assert staff.history.latest().history_user == bureau


@pytest.mark.django_db
def test_delete_goes_through_the_service_and_keeps_who_deleted(client_as, bureau_admin):
    fee = FeeStandardFactory()
    client = client_as(bureau_admin)
    response = client.post(admin_url(FeeStandard, "delete", fee.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not FeeStandard.objects.filter(pk=fee.pk).exists()
    deletion = FeeStandard.history.filter(id=fee.pk).latest()
    assert deletion.history_type == "-"
    assert deletion.history_user == bureau_admin


# --- Lists and search -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_by_full_id_number_finds_the_staff_member(client_as, bureau, institution_a):
    wanted = StaffMemberFactory(institution=institution_a, name="张三")
    StaffMemberFactory(institution=institution_a, name="李四")
    plain = wanted.id_number.reveal()
    client = client_as(bureau)

    response = client.get(admin_url(StaffMember, "changelist"), {"q": f" {plain.lower()} "})

    assert list(response.context["cl"].result_list) == [wanted]
    assert str(wanted.id_number) in response.content.decode()  # listed masked


@pytest.mark.django_db
def test_certificate_search_by_full_id_number_finds_the_holders_certificates(client_as, bureau):
    certificate = CertificateFactory()
    CertificateFactory()
    client = client_as(bureau)

    response = client.get(
        admin_url(Certificate, "changelist"), {"q": certificate.staff.id_number.reveal()}
    )

    assert list(response.context["cl"].result_list) == [certificate]


@pytest.mark.django_db
def test_institution_list_shows_todays_places_and_inclusive_status_and_filters_by_them(
    client_as, bureau
):
    today = timezone.localdate()
    inclusive = InstitutionFactory(name="普惠园", filed_on=today - dt.timedelta(days=30))
    ApprovedPlacesFactory(institution=inclusive, effective_from=today - dt.timedelta(days=10))
    InclusiveRecognitionFactory(institution=inclusive, valid_from=today - dt.timedelta(days=10))
    # Recognised only from tomorrow, places only from tomorrow: neither counts today.
    later = InstitutionFactory(name="明日园", filed_on=None)
    ApprovedPlacesFactory(institution=later, effective_from=today + dt.timedelta(days=1))
    InclusiveRecognitionFactory(institution=later, valid_from=today + dt.timedelta(days=1))
    closed = InstitutionFactory(name="停办园", closed_on=today)
    client = client_as(bureau)
    url = admin_url(Institution, "changelist")

    rows = {row.name: row for row in client.get(url).context["cl"].result_list}
    assert (rows["普惠园"].places_total, rows["普惠园"].is_inclusive) == (35, True)
    assert (rows["明日园"].places_total, rows["明日园"].is_inclusive) == (0, False)

    def names(**params):
        return {row.name for row in client.get(url, params).context["cl"].result_list}

    assert names(inclusive="yes") == {"普惠园"}
    assert names(inclusive="no") == {"明日园", "停办园"}
    assert names(filing="open") == {"普惠园"}
    assert names(filing="unfiled") == {"明日园"}
    assert names(filing="closed") == {closed.name}
    assert names(q=inclusive.credit_code) == {"普惠园"}


# Measured: 9 queries (session, user, two permission lookups, roles, the townships of the filter,
# two counts, the page) at 100 and at 1,000 institutions. The margin allows for small changes.
CHANGELIST_MAX_QUERIES = 11


def _changelist_queries(client, url, params) -> int:
    client.get(url, params)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "params"),
    [
        (Institution, {}),
        (Institution, {"inclusive": "yes", "filing": "open", "q": "批量机构"}),
        (StaffMember, {}),
        (StaffMember, {"role": "caregiver", "q": "员工"}),
        (Certificate, {}),
    ],
)
def test_changelist_queries_do_not_grow_with_the_registry(
    client_as, bureau, django_assert_max_num_queries, model, params
):
    client = client_as(bureau)
    url = admin_url(model, "changelist")
    with transaction.atomic():
        make_registry(100)
        at_100 = _changelist_queries(client, url, params)
        transaction.set_rollback(True)
    make_registry(1000)
    at_1000 = _changelist_queries(client, url, params)

    assert at_1000 == at_100
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = client.get(url, params)
    # The institutions' list shows 50 a page (its rows read the registry's dated facts).
    assert len(response.context["cl"].result_list) == (50 if model is Institution else 100)
