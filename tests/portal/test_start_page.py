"""The front door (issue 17): the start page at /, whom to call on every public page, one sign-in
page that sends each role to its own home, and the admin's sign-in in plain Chinese."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password-1"


def test_the_start_page_shows_the_three_doors_and_the_contact(client, settings):
    settings.BUREAU_CONTACT_PHONE = "0577-61234567"
    settings.BUREAU_CONTACT_HOURS = "工作日 9:00-17:00"
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for url in [
        reverse("voucher_family:balance"),
        reverse("voucher_family:apply"),
        reverse("voucher_family:follow"),
        reverse("institutions:login"),
        reverse("institutions:public_list"),
        reverse("inspections:concern_follow"),
    ]:
        assert f'href="{url}' in html, url
    assert "0577-61234567" in html and "工作日 9:00-17:00" in html


@pytest.mark.parametrize(
    "name",
    ["institutions:public_list", "voucher_family:balance", "voucher_family:apply", "home"],
)
def test_every_public_page_names_the_bureaus_phone_and_hours(client, settings, name):
    settings.BUREAU_CONTACT_PHONE = "0577-61234567"
    settings.BUREAU_CONTACT_HOURS = "工作日 9:00-17:00"
    html = client.get(reverse(name)).content.decode()
    assert "0577-61234567" in html and "工作日 9:00-17:00" in html


def test_without_a_number_set_the_pages_name_the_bureau_and_invent_nothing(client, settings):
    settings.BUREAU_CONTACT_PHONE = ""
    settings.BUREAU_CONTACT_HOURS = ""
    html = client.get(reverse("voucher_family:balance")).content.decode()
    assert "请联系乐清市卫生健康局。" in html
    assert "tel:" not in html


def _sign_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    return client.post(
        reverse("institutions:login"), {"username": user.username, "password": PASSWORD}
    )


@pytest.mark.parametrize(
    ("persona", "section"),
    [
        ("operator_a", "home-operator"),
        ("bureau", "home-bureau"),
        ("inspector", "home-inspector"),
    ],
)
def test_one_sign_in_page_lands_each_working_role_on_its_home(client, request, persona, section):
    user = request.getfixturevalue(persona)
    response = _sign_in(client, user)
    assert response.status_code == 302
    assert response.url == reverse("role_home")
    home = client.get(response.url)
    assert home.status_code == 200
    assert f'id="{section}"' in home.content.decode()


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("education", "metrics:dashboard"),
        ("auditor", "metrics:dashboard"),
        ("family", "voucher_family:balance"),
    ],
)
def test_one_sign_in_page_sends_the_other_roles_where_they_start(client, request, persona, home):
    user = request.getfixturevalue(persona)
    response = _sign_in(client, user)
    assert response.status_code == 302
    assert response.url == reverse("role_home")
    assert client.get(response.url).url == reverse(home)


def test_a_user_without_a_role_lands_on_the_family_page(client):
    user = UserFactory(username="plain")
    _sign_in(client, user)
    assert client.get(reverse("role_home")).url == reverse("voucher_family:balance")


def test_the_admins_sign_in_links_to_the_portals_and_speaks_chinese(client, operator_a):
    operator_a.set_password(PASSWORD)
    operator_a.save()
    page = client.get(reverse("admin:login")).content.decode()
    assert f'href="{reverse("institutions:login")}"' in page
    refused = client.post(
        reverse("admin:login"), {"username": operator_a.username, "password": PASSWORD}
    ).content.decode()
    assert "用户名或密码不正确" in refused
    assert "/denglu/" in refused
    assert "staff" not in refused.lower().split("<body")[1].split("</form>")[0]
    message = refused[refused.index("errornote") :].split("</p>")[0]
    assert ". " not in message and "." not in message.replace("/denglu/", "")


def test_the_sign_in_page_says_how_long_a_lock_out_lasts(client, settings):
    html = client.get(reverse("institutions:login")).content.decode()
    assert f"连续输错密码{settings.AXES_FAILURE_LIMIT}次" in html
    assert f"锁定{settings.AXES_COOLOFF_TIME}小时" in html
