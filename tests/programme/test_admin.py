"""The programme's admin applies the services' rules and keeps the history."""

from __future__ import annotations

import pytest

from programme.models import CatalogueItem, Fund, FundMonth

pytestmark = pytest.mark.django_db


def test_admin_refuses_typed_voucher_spending(client_as, bureau_admin):
    subsidy = Fund.objects.get(kind=Fund.Kind.PROVINCIAL_SUBSIDY)
    response = client_as(bureau_admin).post(
        "/admin/programme/fundmonth/add/",
        {"fund": subsidy.pk, "use": "vouchers", "period": "2025-03-01", "spent": "10"},
    )
    assert response.status_code == 200
    assert "托育券支出从托育券流水读取" in response.content.decode()
    assert not FundMonth.objects.exists()


def test_admin_publishes_a_catalogue_item_with_history(client_as, bureau_admin, client):
    response = client_as(bureau_admin).post(
        "/admin/programme/catalogueitem/add/",
        {"name": "托育券", "content": "抵扣托育服务费用", "published": "on", "order": 1},
    )
    assert response.status_code == 302
    item = CatalogueItem.objects.get()
    assert item.history.get().history_user == bureau_admin
    assert "托育券" in client.get("/gongshi/mulu/").content.decode()


def test_education_reads_but_does_not_edit(client_as, education):
    assert client_as(education).get("/admin/programme/task/").status_code == 200
    assert client_as(education).get("/admin/programme/task/add/").status_code == 403
