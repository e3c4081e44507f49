"""Who lands where at /wode/, a user with two roles, and the header's link to the home."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.roles import Role

from .conftest import MAY, report

pytestmark = pytest.mark.django_db
HOME = "/wode/"


def test_a_user_with_two_roles_sees_both_sections(client_as, operator_a, institution_a, today):
    operator_a.groups.add(Group.objects.get(name=Role.INSPECTOR.group_name))
    report(institution_a, MAY, "draft")
    html = client_as(operator_a).get(HOME).content.decode()
    assert 'id="home-operator"' in html and 'id="home-inspector"' in html
    assert 'id="home-bureau"' not in html and 'id="home-department"' not in html


def test_a_read_only_role_on_an_operator_hides_the_operator_section(client_as, operator_a, today):
    # An auditor's account never acts: it lands where auditors start.
    operator_a.groups.add(Group.objects.get(name=Role.AUDITOR.group_name))
    response = client_as(operator_a).get(HOME)
    assert response.status_code == 302 and response.url == reverse("metrics:dashboard")


def test_families_keep_their_voucher_page(client_as, family, today):
    response = client_as(family).get(HOME)
    assert response.status_code == 302 and response.url == reverse("voucher_family:balance")


def test_signed_out_visitors_are_asked_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and reverse("institutions:login") in response.url


@pytest.mark.parametrize("persona", ["operator_a", "inspector", "bureau", "family", "auditor"])
def test_the_header_links_to_my_home_for_signed_in_users(client_as, request, persona):
    user = request.getfixturevalue(persona)
    html = client_as(user).get(reverse("institutions:public_list")).content.decode()
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert f'<a href="{HOME}">我的首页</a>' in nav


def test_the_header_has_no_home_link_for_visitors(client):
    html = client.get(reverse("institutions:public_list")).content.decode()
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert "我的首页" not in nav


def test_the_home_is_marked_current_in_the_header(client_as, operator_a, today):
    html = client_as(operator_a).get(HOME).content.decode()
    assert f'<a href="{HOME}" aria-current="page">我的首页</a>' in html


def test_the_home_speaks_english_too(client_as, operator_a, institution_a, today):
    client = client_as(operator_a)
    client.post(reverse("set_language"), {"language": "en", "next": HOME})
    html = client.get(HOME).content.decode()
    assert "My home" in html and "This month's report to file" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("operator_a", 200),
        ("operator_b", 200),
        ("inspector", 200),
        ("bureau", 200),
        ("bureau_admin", 200),
        ("education", 302),
        ("auditor", 302),
        ("family", 302),
    ],
)
def test_every_persona_s_answer_at_my_home(client_as, request, persona, status, today):
    response = client_as(request.getfixturevalue(persona)).get(HOME)
    assert response.status_code == status
