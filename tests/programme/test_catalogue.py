"""The public-service catalogue: the public page shows published items only; the dashboard shows
target 一(五) as the number of published items and the date of the last change."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from programme import selectors, services
from programme.models import CatalogueItem, Department

pytestmark = pytest.mark.django_db


def _item(bureau, name, *, published):
    return services.catalogue_item_save(
        item=CatalogueItem(
            name=name,
            content=f"{name}的内容",
            published=published,
            department=Department.objects.get(name="市卫健局"),
        ),
        actor=bureau,
    )


def test_public_page_shows_published_items_only(client, bureau):
    _item(bureau, "托育券发放", published=True)
    _item(bureau, "未发布的草稿服务", published=False)
    response = client.get(reverse("programme:catalogue_public"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "托育券发放" in html and "未发布的草稿服务" not in html
    assert [i.name for i in selectors.published_catalogue()] == ["托育券发放"]


def test_empty_catalogue_says_so(client):
    assert "目录尚未发布" in client.get("/gongshi/mulu/").content.decode()


def test_only_the_office_edits_the_catalogue_and_history_is_kept(bureau, education):
    from django.core.exceptions import PermissionDenied

    item = _item(bureau, "养育照护小组活动", published=False)
    item.published = True
    services.catalogue_item_save(item=item, actor=bureau)
    assert item.history.count() == 2
    with pytest.raises(PermissionDenied):
        services.catalogue_item_save(item=item, actor=education)


def test_portal_url_must_be_a_path_of_this_site(bureau):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.catalogue_item_save(
            item=CatalogueItem(name="外链", content="x", portal_url="https://evil.example/"),
            actor=bureau,
        )


def test_summary_counts_published_and_dates_the_last_change(bureau):
    assert selectors.catalogue_summary() == (0, None)
    with time_machine.travel(dt.datetime(2025, 9, 1, 2, tzinfo=dt.UTC), tick=False):
        item = _item(bureau, "托育券发放", published=True)
    with time_machine.travel(dt.datetime(2025, 9, 20, 2, tzinfo=dt.UTC), tick=False):
        _item(bureau, "草稿", published=False)
    published, last = selectors.catalogue_summary()
    assert published == 1 and last.date() == dt.date(2025, 9, 20)
    assert item.pk


def test_dashboard_shows_target_1_5_linked_to_the_public_page(client_as, bureau):
    from django.utils import timezone

    from metrics.models import Snapshot

    Snapshot.objects.create(
        period=dt.date(2025, 7, 1),
        area="city",
        indicator="K1",
        value=300,
        target=280,
        status="met",
        computed_at=timezone.now(),
    )
    with time_machine.travel(dt.datetime(2025, 9, 1, 2, tzinfo=dt.UTC), tick=False):
        _item(bureau, "托育券发放", published=True)
        _item(bureau, "融合托育", published=True)
    html = client_as(bureau).get("/zhibiao/").content.decode()
    card = html.split('id="target-catalogue"')[1].split("</li>")[0]
    assert "一(五)" in card and "已发布 2 项" in card and "2025-09-01" in card
    assert 'href="/gongshi/mulu/"' in card
    assert "试点期：2025-02-01 至 2025-12-31" in html


def test_dashboard_shows_target_1_5_before_any_indicator_is_computed(client_as, education):
    html = client_as(education).get("/zhibiao/").content.decode()
    card = html.split('id="target-catalogue"')[1].split("</li>")[0]
    assert "已发布 0 项" in card and "尚未建立" in card
