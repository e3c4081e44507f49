"""The payment file of an approved subsidy month: one row per institution, amounts as numbers."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.spreadsheets.formats import FORMULA_PREFIXES

from .models import SubsidyMonth


def _text(value: str) -> str:
    """Text a spreadsheet would run as a formula (an institution named "=HYPERLINK(...)") gets an
    apostrophe, as the portal's other exports do: openpyxl writes "=..." as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def payment_file_xlsx(subsidy_month: SubsidyMonth) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = [
        (_("明细号"), 10),
        (_("机构名称"), 36),
        (_("统一社会信用代码"), 22),
        (_("补助项目"), 24),
        (_("月份"), 10),
        (_("金额（元）"), 16),
        (_("计算说明"), 60),
        (_("审核时间"), 18),
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{subsidy_month.month:%Y-%m}"
    sheet.append([name for name, _width in columns])
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    approved = (
        timezone.localtime(subsidy_month.approved_at).strftime("%Y-%m-%d %H:%M")
        if subsidy_month.approved_at
        else ""
    )
    lines = subsidy_month.lines.select_related("institution").order_by("institution__name", "pk")
    for line in lines:
        sheet.append(
            [
                line.pk,
                _text(line.institution.name),
                _text(line.institution.credit_code),
                _text(subsidy_month.scheme.name),
                f"{line.month:%Y-%m}",
                line.amount,
                _text(line.explanation),
                approved,
            ]
        )
        sheet.cell(row=sheet.max_row, column=6).number_format = "#,##0.00"
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"
    sheet.append(["", _("合计"), "", "", "", subsidy_month.total, "", ""])
    sheet.cell(row=sheet.max_row, column=6).number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
