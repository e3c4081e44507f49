"""Deliverables (plan.md §8): the office records state, dates and the document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programme import services
from programme.models import Deliverable
from tests.inspections.factories import pdf_upload

pytestmark = pytest.mark.django_db


def test_done_needs_a_date_in_service_and_database(bureau):
    item = Deliverable.objects.get(source="三(六)1")
    with pytest.raises(ValidationError):
        services.deliverable_save(
            deliverable=item, actor=bureau, state="done", due_date=None, done_on=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliverable.objects.filter(pk=item.pk).update(state="done", done_on=None)


def test_office_marks_done_with_a_file_others_read(client_as, bureau, civil_dept):
    item = Deliverable.objects.get(source="三(六)1")
    prefix = f"d{item.pk}"
    response = client_as(bureau).post(
        "/zhuanban/chengguo/",
        {
            "deliverable": item.pk,
            f"{prefix}-state": "done",
            f"{prefix}-done_on": "2025-09-30",
            f"{prefix}-file": pdf_upload(),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "done" and item.done_on == dt.date(2025, 9, 30) and item.file
    reader = client_as(civil_dept)
    assert "公办托育收费标准" in reader.get("/zhuanban/chengguo/").content.decode()
    assert reader.get(f"/zhuanban/chengguo/{item.pk}/wenjian/").status_code == 200
    assert reader.post("/zhuanban/chengguo/", {"deliverable": item.pk}).status_code == 403
