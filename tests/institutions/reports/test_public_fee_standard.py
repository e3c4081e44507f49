"""The city's public fee standard (公办托育收费标准, issue 20): a report's fee above the standard
that applies to it is one warning, raised by the one rule set in the form, the API and the import;
the fee supervision page lists the month's reports above it and inclusive fees above K6's ceiling."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import Institution, MonthlyReport, PublicFeeStandard
from institutions.public_fees import ceiling_for, standards_on
from institutions.reports import services
from institutions.reports.resources import import_reports
from metrics.fees import fee_supervision
from metrics.models import CityIncome
from tests.factories import ApprovedPlacesFactory, InclusiveRecognitionFactory, InstitutionFactory

from .conftest import MARCH, good_numbers
from .test_import_export import IMPORT_HEADERS, messages, row_for, xlsx_file
from .test_pages import form_data, form_url

pytestmark = pytest.mark.django_db
API = "/api/v1/monthly-reports"
CODE = "fee_above_public_standard"
PUBLIC = Institution.Ownership.PUBLIC


def standard(class_type, full, half=None, *, since=dt.date(2025, 1, 1), ownership=PUBLIC):
    return PublicFeeStandard.objects.create(
        ownership=ownership,
        class_type=class_type,
        effective_from=since,
        monthly_full_day=full,
        monthly_half_day=half,
    )


@pytest.fixture
def public(registered):
    """The registered institution (8 toddlers and 9 older children in good_numbers) run by the
    city, with ceilings 2000 (toddler) and 1800 (older) from 1 January; its own recorded fee
    standard is raised out of the way so only the public standard's warning is in play."""
    Institution.objects.filter(pk=registered.pk).update(ownership=PUBLIC)
    registered.fee_standards.update(monthly_full_day=5000)
    standard("toddler", 2000, 1200)
    standard("older", 1800)
    return registered


def codes(report) -> list[str]:
    return [warning["code"] for warning in report.warnings]


def updated(report, **numbers):
    return services.report_update(report=report, **good_numbers(**numbers))


# --- The rule -------------------------------------------------------------------------------------


def test_a_fee_exactly_at_the_highest_enrolled_classes_ceiling_is_no_warning(public, march_report):
    # Toddlers (2000) and older children (1800) enrolled: the one fee may be the toddlers'.
    assert CODE not in codes(updated(march_report, fee_full_day=Decimal("2000.00")))


def test_one_cent_above_it_is_a_warning_with_the_figures(public, march_report):
    report = updated(march_report, fee_full_day=Decimal("2000.01"))
    assert CODE in codes(report)
    message = next(w["message"] for w in report.warnings if w["code"] == CODE)
    assert message == "全日托实际收费2000.01元高于公办托育收费标准2000.00元（2025-01-01起执行）。"


def test_only_older_children_enrolled_are_held_to_the_older_ceiling(public, march_report):
    assert CODE not in codes(updated(march_report, enrolled_toddler=0, fee_full_day=1800))
    report = updated(march_report, enrolled_toddler=0, fee_full_day=Decimal("1800.01"))
    assert CODE in codes(report)


def test_a_class_without_a_standard_cannot_be_judged(public, march_report):
    PublicFeeStandard.objects.filter(class_type="toddler").delete()
    # Older (1800) has a standard, toddlers none: 9000 is not judged against the older ceiling.
    assert CODE not in codes(updated(march_report, fee_full_day=9000))


def test_no_children_enrolled_is_no_warning(public, march_report):
    report = updated(
        march_report,
        enrolled_toddler=0,
        enrolled_older=0,
        voucher_children=0,
        staff_on_duty=3,
        fee_full_day=9000,
    )
    assert CODE not in codes(report)


def test_another_ownerships_standard_does_not_apply(public, march_report):
    Institution.objects.filter(pk=public.pk).update(ownership=Institution.Ownership.PRIVATE)
    assert CODE not in codes(updated(march_report, fee_full_day=9000))
    standard("toddler", 2500, ownership=Institution.Ownership.PRIVATE)
    standard("older", 2500, ownership=Institution.Ownership.PRIVATE)
    assert CODE in codes(updated(march_report, fee_full_day=Decimal("2500.01")))


def test_a_standard_from_the_months_last_day_applies_and_one_from_the_next_day_does_not(
    public, march_report
):
    standard("toddler", 1500, since=dt.date(2025, 4, 1))
    standard("older", 1500, since=dt.date(2025, 4, 1))
    assert CODE not in codes(updated(march_report, fee_full_day=1900))
    standard("toddler", 1500, since=dt.date(2025, 3, 31))
    standard("older", 1500, since=dt.date(2025, 3, 31))
    report = updated(march_report, fee_full_day=1900)
    assert "公办托育收费标准1500.00元（2025-03-31起执行）" in report.warnings[-1]["message"]


def test_the_half_day_fee_is_held_to_the_half_day_ceiling_where_every_class_has_one(
    public, march_report
):
    # Older children have no half-day ceiling: with them enrolled the half-day fee is not judged.
    assert CODE not in codes(updated(march_report, fee_half_day=5000))
    report = updated(march_report, enrolled_older=0, fee_half_day=Decimal("1200.01"))
    assert "半日托实际收费1200.01元" in report.warnings[-1]["message"]
    assert CODE not in codes(updated(march_report, enrolled_older=0, fee_half_day=1200))


def test_standards_on_takes_the_latest_per_ownership_and_class_in_one_query(public):
    standard("toddler", 1900, since=dt.date(2025, 6, 1))
    with CaptureQueriesContext(connection) as queries:
        found = standards_on(dt.date(2025, 6, 1))
    assert len(queries) == 1
    assert found[(PUBLIC, "toddler")].monthly_full_day == 1900
    assert found[(PUBLIC, "older")].monthly_full_day == 1800
    assert standards_on(dt.date(2024, 12, 31)) == {}
    assert ceiling_for(found, ownership=PUBLIC, class_types=[], field="fee_full_day") is None


def test_the_database_refuses_two_standards_on_one_day_and_negative_ceilings(public):
    with pytest.raises(IntegrityError), transaction.atomic():
        standard("toddler", 2100)  # same ownership, class and day as the fixture's
    standard("toddler", 2100, since=dt.date(2025, 1, 2))  # one field changed: accepted
    standard("infant", 2100, ownership=Institution.Ownership.ENTERPRISE)  # accepted
    with pytest.raises(IntegrityError), transaction.atomic():
        standard("mixed", -1)
    with pytest.raises(IntegrityError), transaction.atomic():
        standard("mixed", 0, -1)
    standard("mixed", 0, 0)  # exactly zero is allowed


# --- One rule set: the form, the API, the import --------------------------------------------------


def test_the_form_shows_the_warning(client_as, operator_a, public, march_report):
    client = client_as(operator_a)
    numbers = dict(enrolled_toddler=8, enrolled_older=9, staff_on_duty=3, fee_full_day="2100")
    assert client.post(form_url(public), form_data("save", **numbers)).status_code == 302
    html = client.get(form_url(public)).content.decode()
    assert "全日托实际收费2100.00元高于公办托育收费标准2000.00元" in html
    response = client.post(form_url(public), form_data("submit", **numbers))
    assert response.status_code == 400  # a warning needs a comment
    assert "请填写说明后再提交" in response.content.decode()


def test_the_api_answers_the_warning(api_as, operator_a, public, march_report):
    client = api_as(operator_a)
    numbers = good_numbers(fee_full_day="2100.00")
    response = client.post(f"{API}/{march_report.pk}/submit/", numbers, format="json")
    assert response.status_code == 400
    assert "高于公办托育收费标准2000.00元" in response.json()["errors"]["warning_comment"][0]
    numbers["warning_comment"] = "含延时服务费，已报价格部门"
    response = client.post(f"{API}/{march_report.pk}/submit/", numbers, format="json")
    assert response.status_code == 200, response.json()
    assert CODE in {w["code"] for w in response.json()["warnings"]}


def test_the_import_needs_the_same_comment(bureau, public, in_window):
    row = row_for(public, submit="是", fee_full_day=2100)
    result = import_reports(xlsx_file([row]), "xlsx", bureau)
    found = messages(result)
    assert "第2行，预警说明：有1条预警" in found[0]
    assert "高于公办托育收费标准2000.00元" in found[0]
    assert not MonthlyReport.objects.exists()
    row[IMPORT_HEADERS.index("预警说明")] = "含延时服务费"
    result = import_reports(xlsx_file([row]), "xlsx", bureau)
    assert not result.has_validation_errors(), messages(result)
    assert codes(MonthlyReport.objects.get()) == [CODE]


# --- The fee supervision page ---------------------------------------------------------------------


def accepted(report, bureau, operator_a, **numbers):
    services.report_submit(
        report=report, actor=operator_a, warning_comment="说明", **good_numbers(**numbers)
    )
    return services.report_accept(report=report, actor=bureau)


def test_the_page_lists_reports_above_the_standard_and_not_those_at_it(
    client_as, bureau, operator_a, public, march_report, institution_b
):
    accepted(march_report, bureau, operator_a, fee_full_day=Decimal("2000.01"))
    result = fee_supervision(MARCH)
    assert result.standards_in_force == 2
    assert [(row.report.institution_id, row.fee, row.ceiling) for row in result.above_standard] == [
        (public.pk, Decimal("2000.01"), Decimal("2000.00"))
    ]
    assert result.above_standard[0].excess == Decimal("0.01")
    response = client_as(bureau).get(reverse("metrics:fees"), {"month": "2025-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert public.name in html and "2000.01" in html

    MonthlyReport.objects.filter(pk=march_report.pk).update(fee_full_day=2000)
    assert fee_supervision(MARCH).above_standard == []


def test_inclusive_fees_above_30_percent_of_the_monthly_income_are_listed(
    bureau, operator_a, registered, march_report
):
    # 72,000 a year: 6,000 a month; the ceiling is 1,800.00.
    CityIncome.objects.create(year=2024, per_capita_disposable_income=72000)
    accepted(march_report, bureau, operator_a, fee_full_day=1800)
    result = fee_supervision(MARCH)
    assert (result.k6_ceiling, result.above_k6) == (Decimal("1800.00"), [])
    MonthlyReport.objects.filter(pk=march_report.pk).update(fee_full_day=Decimal("1800.01"))
    result = fee_supervision(MARCH)
    assert [(row.report.pk, row.fee) for row in result.above_k6] == [
        (march_report.pk, Decimal("1800.01"))
    ]
    assert result.above_k6[0].share == Decimal("30.00")
    # Not inclusive at the month's end: K6 does not read it, nor does this list.
    registered.inclusive_recognitions.update(valid_to=dt.date(2025, 3, 30))
    assert fee_supervision(MARCH).above_k6 == []


def test_without_an_income_or_standards_the_page_says_so(client_as, bureau, in_window):
    response = client_as(bureau).get(reverse("metrics:fees"), {"month": "2025-03"})
    html = response.content.decode()
    assert "尚无生效的公办托育收费标准" in html
    assert "尚未录入上一年度城乡居民人均可支配收入" in html


def test_the_page_opens_on_the_last_complete_month_and_refuses_a_running_one(
    client_as, bureau, in_window
):
    # 2025-04-05: March's reports are not yet due, so February is the last complete month.
    response = client_as(bureau).get(reverse("metrics:fees"))
    assert response.context["period"] == dt.date(2025, 2, 1)
    response = client_as(bureau).get(reverse("metrics:fees"), {"month": "2025-04"})
    assert "只能查看已结束的月份" in response.content.decode()


def test_the_page_is_for_indicator_readers(client_as, operator_a, education, in_window):
    assert client_as(operator_a).get(reverse("metrics:fees")).status_code == 403
    assert client_as(education).get(reverse("metrics:fees")).status_code == 200


def test_the_page_runs_the_same_queries_for_one_or_five_reports(
    client_as, bureau, operator_a, public, march_report
):
    CityIncome.objects.create(year=2024, per_capita_disposable_income=60000)
    accepted(march_report, bureau, operator_a, fee_full_day=2100)
    client = client_as(bureau)
    url = reverse("metrics:fees") + "?month=2025-03"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        other = InstitutionFactory(ownership=PUBLIC, filed_on=dt.date(2024, 3, 1))
        ApprovedPlacesFactory(institution=other, toddler=10, older=14)
        InclusiveRecognitionFactory(institution=other)
        MonthlyReport.objects.create(
            institution=other,
            period=MARCH,
            state=MonthlyReport.State.ACCEPTED,
            enrolled_toddler=5,
            fee_full_day=2100,
            submitted_at=march_report.created_at,
            first_submitted_at=march_report.created_at,
        )
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(response.context["result"].above_standard) == 5
    assert len(five) == len(one)
