"""The funds' xlsx export: one row per fund, use and month; numbers stay numbers."""

from __future__ import annotations

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from portal.spreadsheets import SpreadsheetXLSX

from .funds import FundOverview

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def funds_xlsx(overviews: list[FundOverview]) -> HttpResponse:
    dataset = tablib.Dataset(
        headers=[
            _("资金"),
            _("资金来源"),
            _("用途"),
            _("月份"),
            _("预算（元）"),
            _("支出（元）"),
            _("支出来源"),
        ]
    )
    for overview in overviews:
        for row in overview.rows:
            dataset.append(
                [
                    overview.fund.name,
                    overview.fund.get_kind_display(),
                    row.use_label,
                    f"{row.period:%Y-%m}",
                    row.budget,
                    row.spent,
                    _("托育券流水") if row.from_ledger else _("填报"),
                ]
            )
    body = SpreadsheetXLSX().export_data(dataset)
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "试点资金.xlsx")
    return response
