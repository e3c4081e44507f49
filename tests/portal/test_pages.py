"""The page helpers every app shares: the login/no-cache decorator, where a form goes back to,
who acts, and how a service's refusal lands on a form."""

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from institutions.models import StaffMember
from portal.pages import (
    add_service_error,
    bureau_acts,
    operates,
    portal_page,
    require_bureau_actor,
    require_city_wide,
    safe_next,
)
from portal.roles import Role

pytestmark = pytest.mark.django_db


@portal_page
def _page(request):
    return HttpResponse("page")


def _get(user, path="/jigou/7/staff/?tab=all"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def _post(data, *, secure=False):
    return RequestFactory().post("/yuebao/shenhe/", data, secure=secure)


# --- The page decorator ----------------------------------------------------------------------------


def test_portal_page_sends_anonymous_to_the_portal_login_with_next(anonymous):
    response = _page(_get(anonymous))
    assert response.status_code == 302
    login, _, query = response.url.partition("?")
    assert login == reverse("institutions:login")
    assert query == "next=/jigou/7/staff/%3Ftab%3Dall"


def test_portal_page_shows_a_signed_in_user_the_page_never_cached(operator_a):
    response = _page(_get(operator_a))
    assert response.status_code == 200
    assert response.content == b"page"
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control
    assert "private" in cache_control


def test_portal_page_login_redirect_through_the_client(client):
    response = client.get(reverse("institutions:my_institutions"))
    assert response.status_code == 302
    assert response.url == reverse("institutions:login") + "?next=/jigou/"


# --- Going back ------------------------------------------------------------------------------------


def test_safe_next_keeps_a_path_on_this_site():
    assert safe_next(_post({"next": "/yuebao/shenhe/?state=submitted"}), "/x/") == (
        "/yuebao/shenhe/?state=submitted"
    )


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/yuebao/", "javascript:alert(1)", ""],
)
def test_safe_next_falls_back_for_an_outside_or_missing_url(target):
    assert safe_next(_post({"next": target}), "/fallback/") == "/fallback/"


def test_safe_next_refuses_plain_http_on_a_secure_request():
    request = _post({"next": "http://testserver/yuebao/"}, secure=True)
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_safe_next_reads_only_the_post():
    request = RequestFactory().get("/yuebao/shenhe/", {"next": "/yuebao/"})
    assert safe_next(request, "/fallback/") == "/fallback/"


# --- Who acts --------------------------------------------------------------------------------------


def test_operates_only_the_linked_institution(operator_a, institution_a, institution_b):
    assert operates(operator_a, institution_a)
    assert not operates(operator_a, institution_b)


def test_operates_needs_the_operator_role_not_only_the_link(bureau, institution_a):
    institution_a.operators.add(bureau)
    assert not operates(bureau, institution_a)


def test_a_read_only_role_on_an_operator_account_operates_nothing(operator_a, institution_a):
    operator_a.groups.add(Group.objects.get(name=Role.AUDITOR.group_name))
    operator_a = type(operator_a).objects.get(pk=operator_a.pk)  # roles are read once per object
    assert not operates(operator_a, institution_a)


def test_operates_reads_the_links_once_per_user(
    operator_a, institution_a, django_assert_num_queries
):
    operates(operator_a, institution_a)
    with django_assert_num_queries(0):
        assert operates(operator_a, institution_a)


@pytest.mark.parametrize(
    ("persona", "acts"),
    [("bureau", True), ("bureau_admin", True), ("auditor", False), ("education", False)],
)
def test_bureau_acts_only_for_bureau_staff_who_write(request, persona, acts):
    user = request.getfixturevalue(persona)
    assert bureau_acts(user) is acts
    request_ = _get(user)
    if acts:
        require_bureau_actor(request_)
    else:
        with pytest.raises(PermissionDenied, match="只能查看"):
            require_bureau_actor(request_)


def test_require_bureau_actor_says_the_callers_reason(auditor):
    with pytest.raises(PermissionDenied, match="只有卫健局工作人员"):
        require_bureau_actor(_get(auditor), "只有卫健局工作人员可以执行此操作。")


def test_require_city_wide_refuses_an_operator(operator_a, inspector):
    require_city_wide(_get(inspector))
    with pytest.raises(PermissionDenied):
        require_city_wide(_get(operator_a))


# --- A service's refusal on a form -----------------------------------------------------------------


class _PlainForm(forms.Form):
    name = forms.CharField()


class _StaffForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name"]


def _errors(form):
    form.is_valid()
    return form


def test_a_service_error_on_a_shown_field_lands_next_to_it():
    form = _errors(_PlainForm({"name": "甲"}))
    add_service_error(form, ValidationError({"name": ValidationError("重名", code="taken")}))
    assert form.errors["name"] == ["重名"]
    assert form.has_error("name", code="taken")


def test_a_service_error_without_a_field_goes_to_the_top():
    form = _errors(_PlainForm({"name": "甲"}))
    add_service_error(form, ValidationError("已锁定"))
    assert form.non_field_errors() == ["已锁定"]


def test_a_field_the_model_form_does_not_show_is_named_by_its_verbose_name():
    form = _errors(_StaffForm({"name": "甲"}))
    add_service_error(form, ValidationError({"institution": "已停止运营"}))
    label = StaffMember._meta.get_field("institution").verbose_name
    assert form.non_field_errors() == [f"{label}：已停止运营"]


def test_a_plain_form_names_the_field_from_the_model_and_labels_it_is_given():
    form = _errors(_PlainForm({"name": "甲"}))
    add_service_error(
        form,
        ValidationError({"institution": "已停止运营", "reason": "请填写"}),
        model=StaffMember,
        labels={"reason": "原因"},
    )
    label = StaffMember._meta.get_field("institution").verbose_name
    assert form.non_field_errors() == [f"{label}：已停止运营", "原因：请填写"]


def test_a_field_without_a_name_is_shown_as_it_is():
    form = _errors(_PlainForm({"name": "甲"}))
    add_service_error(form, ValidationError({"inspector_ids": "检查员池人数不足。"}))
    assert form.non_field_errors() == ["检查员池人数不足。"]
