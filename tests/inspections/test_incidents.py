"""Incidents (强制报告): suspected harm to a child is escalated at once and cannot be deleted by
anyone: not by the service, the admin, the API or raw SQL."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.forms import IncidentForm
from inspections.models import Incident, IncidentFollowUp
from inspections.validators import INCIDENT_EARLIEST, validate_incident_time

pytestmark = pytest.mark.django_db


def _report(institution, actor, kind=Incident.Kind.SUSPECTED_HARM):
    return services.incident_report(
        institution=institution,
        actor=actor,
        kind=kind,
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        description="家长反映幼儿身上有不明淤青。",
        children_affected=1,
    )


@pytest.fixture
def harm(institution_a, operator_a):
    return _report(institution_a, operator_a)


def test_harm_is_escalated_to_the_bureau_at_once(
    institution_a, operator_a, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = _report(institution_a, operator_a)
    assert incident.escalated_at is not None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["bureau@example.org"]
    assert mail.subject.startswith("【紧急】甲托育中心")
    assert reverse("inspections:incident_detail", args=[incident.pk]) in mail.body


def test_other_incidents_are_not_mailed(
    institution_a, operator_a, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = _report(institution_a, operator_a, kind=Incident.Kind.INJURY)
    assert incident.escalated_at is None
    assert not mailoutbox


def test_service_refuses_to_delete_harm_even_for_the_bureau_admin(harm, bureau_admin):
    with pytest.raises(services.IncidentUndeletable):
        services.incident_delete(incident=harm, actor=bureau_admin)
    assert Incident.objects.filter(pk=harm.pk).exists()


def test_service_refuses_to_turn_harm_into_another_kind(harm, bureau):
    with pytest.raises(ValidationError):
        services.incident_update(incident=harm, actor=bureau, kind=Incident.Kind.INJURY)


def test_service_refuses_to_move_an_incident_into_the_future(harm, bureau):
    """The report refuses a future time; so does a correction (the API checked it, the service
    did not)."""
    before = Incident.objects.get(pk=harm.pk).occurred_at
    with pytest.raises(ValidationError) as refused:
        services.incident_update(
            incident=harm, actor=bureau, occurred_at=timezone.now() + dt.timedelta(hours=2)
        )
    assert "发生时间不能晚于现在。" in str(refused.value)
    assert Incident.objects.get(pk=harm.pk).occurred_at == before


def test_database_refuses_raw_delete_and_kind_change(harm):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM inspections_incident WHERE id = %s", [harm.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inspections_incident SET kind = 'injury' WHERE id = %s", [harm.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=harm.pk).delete()
    assert Incident.objects.filter(pk=harm.pk, kind="suspected_harm").exists()


def test_deleting_the_institution_does_not_take_the_incident(harm, institution_a):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        institution_a.delete()


def test_admin_offers_no_delete(harm, client_as, bureau_admin):
    client = client_as(bureau_admin)
    change = client.get(reverse("admin:inspections_incident_change", args=[harm.pk]))
    assert change.status_code == 200
    assert change.context["has_delete_permission"] is False
    url = reverse("admin:inspections_incident_delete", args=[harm.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:inspections_incident_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert Incident.objects.filter(pk=harm.pk).exists()


def test_api_refuses_delete_to_everyone(harm, api_as, bureau_admin, bureau, operator_a, operator_b):
    url = reverse("v1:incident-detail", args=[harm.pk])
    for user in (bureau_admin, bureau, operator_a):
        response = api_as(user).delete(url)
        assert response.status_code == 403, user
        assert response.data["code"] == "incident_undeletable"
    assert api_as(operator_b).delete(url).status_code == 404  # not theirs: it does not exist
    assert Incident.objects.filter(pk=harm.pk).exists()


def test_a_mistaken_other_incident_is_deleted_by_the_bureau_admin_only(
    institution_a, operator_a, bureau, bureau_admin, api_as
):
    incident = _report(institution_a, operator_a, kind=Incident.Kind.OTHER)
    services.incident_follow_up(incident=incident, actor=operator_a, note="重复报告")
    url = reverse("v1:incident-detail", args=[incident.pk])
    assert api_as(bureau).delete(url).status_code == 403
    assert api_as(bureau_admin).delete(url).status_code == 204
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert Incident.history.filter(id=incident.pk, history_type="-").exists()


def test_follow_up_trail_and_closing(harm, operator_a, inspector):
    services.incident_follow_up(incident=harm, actor=operator_a, note="已通知家长")
    with pytest.raises(services.NotAllowed):
        services.incident_follow_up(incident=harm, actor=operator_a, note="结案", close=True)
    services.incident_follow_up(incident=harm, actor=inspector, note="已移交公安", close=True)
    harm.refresh_from_db()
    assert harm.state == Incident.State.CLOSED
    assert list(IncidentFollowUp.objects.filter(incident=harm).values_list("note", flat=True)) == [
        "已通知家长",
        "已移交公安",
    ]
    with pytest.raises(ValidationError):
        services.incident_follow_up(incident=harm, actor=inspector, note="再补充")


def test_operators_report_only_for_their_own_institution(institution_b, operator_a):
    with pytest.raises(services.NotAllowed):
        _report(institution_b, operator_a)


def test_incident_pages_are_scoped(harm, client_as, operator_a, operator_b, bureau):
    url = reverse("inspections:incident_detail", args=[harm.pk])
    assert client_as(operator_a).get(url).status_code == 200
    assert client_as(operator_b).get(url).status_code == 404
    page = client_as(bureau).get(url)
    assert "不能删除" in page.content.decode()


def test_report_page_files_a_harm_incident(institution_a, operator_a, client_as):
    response = client_as(operator_a).post(
        reverse("inspections:incident_new"),
        {
            "institution": institution_a.pk,
            "kind": "suspected_harm",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "children_affected": 1,
            "description": "疑似被推搡",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inspections:incident_detail", args=[incident.pk])
    assert incident.is_harm and incident.escalated_at


# --- When it happened: one rule (validate_incident_time) for the report, its correction, the API
# and the form, tested on both sides of each bound. -----------------------------------------------

NOW = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
# (moment, the error code expected or None): both sides of "not before 2000", both of "not later
# than now". Whole minutes, as the form takes them.
BOUNDS = [
    (INCIDENT_EARLIEST - MINUTE, "too_early"),
    (INCIDENT_EARLIEST, None),
    (NOW, None),
    (NOW + MINUTE, "future"),
]


def test_the_rule_on_both_sides_of_each_bound():
    with time_machine.travel(NOW, tick=False):
        tiny = dt.timedelta(microseconds=1)
        for moment, code in [
            *BOUNDS,
            (INCIDENT_EARLIEST - tiny, "too_early"),
            (NOW + tiny, "future"),
        ]:
            if code is None:
                assert validate_incident_time(moment) == moment
                continue
            with pytest.raises(ValidationError) as error:
                validate_incident_time(moment)
            assert error.value.code == code


def _code(error: ValidationError) -> str:
    return error.error_dict["occurred_at"][0].code


@pytest.mark.parametrize(("moment", "code"), BOUNDS)
def test_the_report_service_keeps_the_rule(moment, code, institution_a, operator_a):
    def report():
        return services.incident_report(
            institution=institution_a,
            actor=operator_a,
            kind=Incident.Kind.INJURY,
            occurred_at=moment,
            description="摔倒擦伤",
        )

    with time_machine.travel(NOW, tick=False):
        if code is None:
            assert report().occurred_at == moment
            return
        with pytest.raises(ValidationError) as error:
            report()
        assert _code(error.value) == code
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("moment", "code"), BOUNDS)
def test_the_correction_service_keeps_the_rule(moment, code, harm, bureau):
    with time_machine.travel(NOW, tick=False):
        if code is None:
            services.incident_update(incident=harm, actor=bureau, occurred_at=moment)
            assert Incident.objects.get(pk=harm.pk).occurred_at == moment
            return
        with pytest.raises(ValidationError) as error:
            services.incident_update(incident=harm, actor=bureau, occurred_at=moment)
        assert _code(error.value) == code


@pytest.mark.parametrize(("moment", "code"), BOUNDS)
def test_the_api_keeps_the_rule(moment, code, harm, api_as, bureau, institution_a):
    with time_machine.travel(NOW, tick=False):
        api = api_as(bureau)
        corrected = api.patch(
            reverse("v1:incident-detail", args=[harm.pk]),
            {"occurred_at": moment.isoformat()},
            format="json",
        )
        reported = api.post(
            reverse("v1:incident-list"),
            {
                "institution": institution_a.pk,
                "kind": "injury",
                "occurred_at": moment.isoformat(),
                "description": "摔倒擦伤",
            },
            format="json",
        )
    if code is None:
        assert (corrected.status_code, reported.status_code) == (200, 201), reported.json()
    else:
        assert (corrected.status_code, reported.status_code) == (400, 400)
        assert corrected.json()["code"] == reported.json()["code"] == code


@pytest.mark.parametrize(("moment", "code"), BOUNDS)
def test_the_form_keeps_the_rule(moment, code, institution_a, operator_a):
    with time_machine.travel(NOW, tick=False):
        form = IncidentForm(
            {
                "institution": institution_a.pk,
                "kind": "injury",
                "occurred_at": timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M"),
                "children_affected": 0,
                "description": "摔倒擦伤",
            },
            user=operator_a,
        )
        valid = form.is_valid()
    if code is None:
        assert valid, form.errors
    else:
        assert [e.code for e in form.errors.as_data()["occurred_at"]] == [code]
