"""PDFs: the family's voucher notice and the settlement statement render with their Chinese text,
carry no ID number, and are downloadable only by those who may see them; the statement lists the
same redemptions as its page and the API."""

import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from vouchers import codes, pdf, services
from vouchers.services import VoucherError

from .conftest import MARCH
from .helpers import TODAY, issue_voucher, redeem

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(body)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_voucher_notice_has_the_code_rules_and_no_id_number(client_as, bureau, voucher, tmp_path):
    response = client_as(bureau).get(reverse("vouchers:voucher_notice", args=[voucher.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert codes.display(voucher.code) in text
    for heading in ("乐清市托育券告知书", "托育券信息", "使用规则", "托育券券码"):
        assert heading in text
    assert "3000.00" in text and "500.00" in text  # face value and monthly cap
    assert "2026年2月28日" in text  # valid until
    assert "王**" in text  # the child's masked name
    child_id = voucher.child.id_number.reveal()
    assert child_id not in text and child_id[-6:] not in text
    assert "王小明" not in text
    guardian = voucher.child.guardian
    assert guardian.id_number.reveal() not in text and guardian.phone.reveal() not in text


def test_the_notice_embeds_its_fonts_and_a_qr_code(voucher, rf, tmp_path):
    url = pdf.family_page_url(rf.get("/"), voucher.code)
    # The families' balance page, with the code filled in.
    assert url == f"http://testserver/voucher-balance/?code={codes.display(voucher.code)}"
    body = pdf.voucher_notice_pdf(voucher, family_url=url)
    path = tmp_path / "notice.pdf"
    path.write_bytes(body)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts or "NotoSansCJK" in fonts
    assert pdf.qr_data_uri(url).startswith("data:image/svg+xml")


@pytest.mark.parametrize("persona", ["auditor", "education", "operator_a"])
def test_the_notice_is_for_those_who_may_see_the_voucher(client_as, request, persona, voucher):
    # operator_a: the child is enrolled at institution_a.
    response = client_as(request.getfixturevalue(persona)).get(
        reverse("vouchers:voucher_notice", args=[codes.display(voucher.code)])
    )
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["operator_b", "inspector", "family"])
def test_the_notice_is_a_404_for_everyone_else(client_as, request, persona, voucher):
    response = client_as(request.getfixturevalue(persona)).get(
        reverse("vouchers:voucher_notice", args=[voucher.code])
    )
    assert response.status_code == 404


def test_settlement_statement_lists_the_lines_and_totals(
    client_as, operator_a, voucher, inclusive_a, tmp_path
):
    redeem(voucher, inclusive_a, amount="300.00")
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    response = client_as(operator_a).get(reverse("vouchers:settlement_pdf", args=[settlement.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "托育券抵扣结算单" in text and "抵扣明细" in text
    assert inclusive_a.name in text and inclusive_a.credit_code in text
    assert codes.display(voucher.code) in text and "王**" in text
    assert "2025-03" in text and "300.00" in text and "机构已确认" in text
    assert voucher.child.id_number.reveal() not in text


def test_settlement_statement_is_a_404_for_another_institution(
    client_as, operator_b, voucher, inclusive_a
):
    redeem(voucher, inclusive_a)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    response = client_as(operator_b).get(reverse("vouchers:settlement_pdf", args=[settlement.pk]))
    assert response.status_code == 404


def test_a_locked_statement_lists_the_same_redemptions_on_the_page_the_api_and_the_pdf(
    client_as, api_as, bureau, operator_a, batch, inclusive_a, tmp_path
):
    one, two, three, late = (
        issue_voucher(batch, bureau, n, institution=inclusive_a) for n in range(1, 5)
    )
    first = redeem(one, inclusive_a, amount="300.00")
    second = redeem(two, inclusive_a, amount="200.00")
    undone = redeem(three, inclusive_a, amount="100.00")
    services.reverse(redemption=undone, actor=operator_a, reason="录错", by_bureau=False)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    services.settlement_approve(settlement=settlement, actor=bureau)

    # After approval nothing changes the month: a new redemption and a reversal are refused,
    # even the bureau's; a redemption for another month is not on this statement.
    with pytest.raises(VoucherError) as late_redemption:
        redeem(late, inclusive_a, amount="100.00")
    with pytest.raises(VoucherError) as late_reversal:
        services.reverse(redemption=first, actor=bureau, reason="更正", by_bureau=True)
    assert late_redemption.value.code == late_reversal.value.code == "month_settled"
    redeem(one, inclusive_a, amount="100.00", month=MARCH.replace(month=4))

    page = client_as(bureau).get(reverse("vouchers:settlement_detail", args=[settlement.pk]))
    on_page = [line.pk for line in page.context["lines"]]
    api = api_as(bureau).get(f"/api/v1/settlements/{settlement.pk}/lines/").json()["results"]
    in_api = [line["id"] for line in api]
    body = client_as(bureau).get(reverse("vouchers:settlement_pdf", args=[settlement.pk]))
    text = pdf_text(body.content, tmp_path)
    # The PDF's lines, in the order it prints them, by their voucher codes (one March
    # redemption per voucher; `late` has none).
    march = {codes.display(r.voucher.code): r.pk for r in (first, second, undone)}
    march[codes.display(late.code)] = None
    printed = sorted((code for code in march if code in text), key=text.index)
    in_pdf = [march[code] for code in printed]
    settlement.refresh_from_db()
    assert on_page == in_api == in_pdf == [first.pk, second.pk]
    assert settlement.total == 500 and settlement.line_count == 2
