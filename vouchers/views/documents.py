"""Downloads: the family's voucher notice and the settlement statement (PDF).

Both are for those who may see them: the notice for voucher viewers, the family itself, and the
operators of an institution where the child is (or was) enrolled; the statement for voucher
viewers and the institution's operators. Anyone else gets a 404, as if it did not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from portal.pages import operated_ids, portal_page
from portal.roles import Role, has_role, scope

from .. import codes, pdf
from ..models import Enrolment, Voucher
from .access import sees_vouchers
from .institution import _settlement


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _voucher(request, code: str) -> Voucher:
    code = codes.normalize(code)
    vouchers = Voucher.objects.select_related("batch", "child").filter(code=code)
    user = request.user
    if sees_vouchers(user):
        voucher = vouchers.first()
    else:
        # The family's own (inspectors, who see every institution, see no voucher here).
        voucher = scope(user, vouchers).first() if has_role(user, Role.FAMILY) else None
        if voucher is None and operated_ids(user):
            enrolled = Enrolment.objects.filter(institution__in=operated_ids(user)).values("child")
            voucher = vouchers.filter(child__in=enrolled).first()
    if voucher is None:
        raise Http404
    return voucher


@portal_page
@require_GET
def voucher_notice(request, code: str):
    voucher = _voucher(request, code)
    body = pdf.voucher_notice_pdf(voucher, family_url=pdf.family_page_url(request, voucher.code))
    return pdf_response(body, f"托育券告知书-{codes.display(voucher.code)}.pdf")


@portal_page
@require_GET
def settlement_pdf(request, pk: int):
    settlement = _settlement(request, pk)
    body = pdf.settlement_statement_pdf(settlement)
    return pdf_response(
        body, f"托育券结算单-{settlement.institution.name}-{settlement.month:%Y-%m}.pdf"
    )
