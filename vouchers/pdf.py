"""PDFs of vouchers, rendered with WeasyPrint from templates in templates/vouchers/pdf/.

- The family's voucher notice (托育券告知书): the code, a QR code that opens the family page with
  the code filled in, the rules, face value, monthly cap, validity and the child's masked name.
  It never carries an ID number: whoever finds a lost notice still cannot check the balance.
- The settlement statement (结算单) of an institution's month: line items, totals and state.

Nothing is fetched while rendering: the fetcher accepts only data: URIs (the QR code), and the
fonts are the system's Noto CJK (fonts-noto-cjk), so every Chinese glyph is embedded.
"""

from __future__ import annotations

import logging

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import codes
from .models import Settlement, Voucher
from .selectors import statement_lines
from .statements.services import display_statement_code

# WeasyPrint logs every rendering step at INFO; only its warnings are worth a log line.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Where the QR code of a notice leads: the families' balance page (vouchers/family_urls.py), by
# its URL name when routed, else the path it is routed at.
FAMILY_PAGE_URL_NAME = "voucher_family:balance"
FAMILY_PAGE_FALLBACK_PATH = "/voucher-balance/"


def family_page_url(request, code: str) -> str:
    try:
        path = reverse(FAMILY_PAGE_URL_NAME)
    except NoReverseMatch:
        path = FAMILY_PAGE_FALLBACK_PATH
    query = urlencode({"code": codes.display(code)})
    return f"{request.build_absolute_uri(path)}?{query}"


def qr_data_uri(text: str) -> str:
    """An SVG QR code (error correction M: readable with a fold or a stain) as a data URI."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _render(template: str, context: dict) -> bytes:
    # Imported here: loading WeasyPrint (Pango, fonts) is slow and only PDFs need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        template,
        {"DEMO_MODE": settings.DEMO_MODE, "PORTAL_NAME": settings.PORTAL_NAME, **context},
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def voucher_notice_pdf(voucher: Voucher, *, family_url: str) -> bytes:
    batch = voucher.batch
    return _render(
        "vouchers/pdf/notice.html",
        {
            "voucher": voucher,
            "batch": batch,
            "code": codes.display(voucher.code),
            "child_name": str(voucher.child.name),  # masked: 王**
            "qr": qr_data_uri(family_url),
            "family_url": family_url,
            "generated_at": timezone.localtime(),
        },
    )


def settlement_statement_pdf(settlement: Settlement) -> bytes:
    """The statement with its lines (`statement_lines`: the same the page and the API list)."""
    rows = [
        {
            "number": number,
            "date": timezone.localtime(line.created_at).date(),
            "child": str(line.voucher.child.name),
            "code": codes.display(line.voucher.code),
            "fee_month": line.fee_month,
            "amount": line.amount,
        }
        for number, line in enumerate(statement_lines(settlement), start=1)
    ]
    return _render(
        "vouchers/pdf/statement.html",
        {
            "settlement": settlement,
            "institution": settlement.institution,
            "rows": rows,
            "live_total": sum((row["amount"] for row in rows), start=0),
            "generated_at": timezone.localtime(),
        },
    )


def fee_statement_pdf(statement, *, verify_url: str) -> bytes:
    """入托缴费证明: the months and totals as issued, the verification code and a QR code that
    opens the public verification page with the code filled in. No ID number, the child's name
    masked (the statement's own snapshot)."""
    code = display_statement_code(statement.code)
    return _render(
        "vouchers/pdf/fee_statement.html",
        {
            "statement": statement,
            "lines": statement.month_lines(),
            "code": code,
            "qr": qr_data_uri(f"{verify_url}?{urlencode({'code': code})}"),
            "verify_url": verify_url,
        },
    )
