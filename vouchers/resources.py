"""Spreadsheets of vouchers: the import of an application list and the payment file for finance.

Import: one row per family, checked cell by cell, then entered through
`services.application_enter` with the importing user (the same path as the entry form), all in
one transaction. If any row fails, nothing is written and every problem is reported with the
row number the clerk sees in the spreadsheet (the header is row 1).

Column headers are fixed Chinese strings, not translated: they are the file format.
"""

from __future__ import annotations

import io
import logging

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.formats.base_formats import XLSX
from import_export.results import Result, RowResult

from institutions.import_jobs.services import with_progress
from institutions.resources import TownshipWidget
from portal.spreadsheets import (
    DateWidget,
    ResidentIdWidget,
    SpreadsheetFileError,
    SpreadsheetXLSX,
    TextWidget,
    YesNoWidget,
    cell_text,
)

from . import services
from .models import Guardian, Settlement, VoucherApplication, VoucherBatch

logger = logging.getLogger(__name__)

# Spreadsheet row of the first data row: row 1 holds the headers.
FIRST_DATA_ROW = 2

GUARDIAN_NAME = "监护人姓名"
GUARDIAN_PHONE = "监护人联系电话"
GUARDIAN_ID = "监护人身份证号码"
CHILD_NAME = "幼儿姓名"
CHILD_ID = "幼儿身份证号码"
HUKOU = "户籍所在镇街"
PERMIT = "持乐清居住证"
SPECIAL_NEEDS = "特殊需要儿童"
APPLIED_ON = "申请日期"

COLUMN_HELP = {
    GUARDIAN_PHONE: "11位手机号码（请以文本格式填写）",
    GUARDIAN_ID: "完整的18位居民身份证号码（请以文本格式填写）",
    CHILD_ID: "完整的18位居民身份证号码；出生日期由号码得出",
    HUKOU: "乐清市镇街名称（如 柳市镇）或统计用区划代码；非乐清户籍留空",
    PERMIT: "是 / 否；非乐清户籍的家庭持乐清居住证时填“是”",
    SPECIAL_NEEDS: "是 / 否",
    APPLIED_ON: "格式：2025-03-01；留空为导入当日",
}


class PhoneWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        try:
            return Guardian._meta.get_field("phone").validate_value(text)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None


class ApplicationImportResource(resources.ModelResource):
    """申请名单: each row a guardian, a child and their application to the chosen batch."""

    required_columns = (GUARDIAN_NAME, GUARDIAN_PHONE, GUARDIAN_ID, CHILD_NAME, CHILD_ID)

    guardian_name = fields.Field("guardian_name", GUARDIAN_NAME, TextWidget())
    guardian_phone = fields.Field("guardian_phone", GUARDIAN_PHONE, PhoneWidget())
    guardian_id_number = fields.Field("guardian_id_number", GUARDIAN_ID, ResidentIdWidget())
    child_name = fields.Field("child_name", CHILD_NAME, TextWidget())
    child_id_number = fields.Field("child_id_number", CHILD_ID, ResidentIdWidget())
    hukou_township = fields.Field("hukou_township", HUKOU, TownshipWidget())
    has_residence_permit = fields.Field("has_residence_permit", PERMIT, YesNoWidget())
    special_needs = fields.Field("special_needs", SPECIAL_NEEDS, YesNoWidget())
    applied_on = fields.Field("applied_on", APPLIED_ON, DateWidget())

    class Meta:
        model = VoucherApplication
        fields = (
            "guardian_name",
            "guardian_phone",
            "guardian_id_number",
            "child_name",
            "child_id_number",
            "hukou_township",
            "has_residence_permit",
            "special_needs",
            "applied_on",
        )
        import_order = fields
        use_transactions = True
        skip_diff = True
        clean_model_instances = False  # the services check every row

    def __init__(self, *, batch: VoucherBatch | None = None, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.batch = batch
        self.actor = actor

    @classmethod
    def get_display_name(cls):
        return _("托育券申请名单")

    # --- import ---------------------------------------------------------------------------------

    def import_data(self, dataset, *args, **kwargs) -> Result:
        # All or nothing, whoever calls: one bad row, no rows.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        if self.batch is None:
            raise ValueError(_("请选择发放批次。"))
        dataset.headers = [cell_text(header) for header in dataset.headers or []]
        # Spreadsheets keep formatted but empty rows at the end; they are not data.
        while len(dataset) and all(cell_text(value) == "" for value in dataset[-1]):
            del dataset[-1]
        missing = [column for column in self.required_columns if column not in dataset.headers]
        if missing:
            raise ValueError(
                _("文件缺少以下列：%(columns)s。请下载导入模板，按模板的列名填写。")
                % {"columns": "、".join(missing)}
            )
        if not len(dataset):
            raise ValueError(_("文件中没有数据行。"))

    def import_row(self, row, instance_loader, **kwargs) -> RowResult:
        if all(cell_text(value) == "" for value in row.values()):
            skipped = self.get_row_result_class()()
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        return super().import_row(row, instance_loader, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        return VoucherApplication(batch=self.batch), True

    def import_instance(self, instance, row, **kwargs):
        line = kwargs["row_number"] + FIRST_DATA_ROW - 1
        values, errors, failed = {}, [], set()
        for field in self.get_import_fields():
            if field.column_name not in row:
                continue
            try:
                values[field.attribute] = field.clean(row)
            except ValueError as error:
                failed.add(field.column_name)
                errors.append(self.line(line, str(error), field.column_name))
        for field in self.get_import_fields():
            if field.column_name in self.required_columns and field.column_name not in failed:
                if not values.get(field.attribute):
                    errors.append(self.line(line, _("必须填写。"), field.column_name))
        if errors:
            raise ValidationError({NON_FIELD_ERRORS: errors})
        instance._import_values = values

    def save_instance(self, instance, is_create, row, **kwargs):
        line = kwargs["row_number"] + FIRST_DATA_ROW - 1
        values = instance._import_values
        try:
            application = services.application_enter(
                batch=self.batch,
                source=VoucherApplication.Source.IMPORT,
                guardian_name=values["guardian_name"],
                guardian_phone=values["guardian_phone"],
                guardian_id_number=values["guardian_id_number"],
                child_name=values["child_name"],
                child_id_number=values["child_id_number"],
                hukou_township=values.get("hukou_township"),
                has_residence_permit=bool(values.get("has_residence_permit")),
                special_needs=bool(values.get("special_needs")),
                applied_on=values.get("applied_on") or timezone.localdate(),
                actor=self.actor,
            )
        except ValidationError as error:
            raise ValidationError(
                {NON_FIELD_ERRORS: [self.line(line, message) for message in error.messages]}
            ) from None
        instance.pk = application.pk
        instance.eligible = application.eligible
        instance.eligibility_notes = application.eligibility_notes

    def for_delete(self, row, instance):
        return False

    # --- messages -------------------------------------------------------------------------------

    @staticmethod
    def line(line: int, message: str, column: str | None = None) -> str:
        if column:
            return _("第%(line)s行，%(column)s：%(message)s") % {
                "line": line,
                "column": column,
                "message": message,
            }
        return _("第%(line)s行：%(message)s") % {"line": line, "message": message}

    def error_messages(self, result: Result) -> list[str]:
        """Every problem of an import, one line each, in the clerk's words."""
        lines = [str(error.error) for error in result.base_errors]
        for number, errors in result.row_errors():
            for error in errors:
                logger.error("application import row %s failed: %r", number, error.error)
                lines.append(
                    self.line(number + FIRST_DATA_ROW - 1, _("无法导入，请检查本行数据。"))
                )
        for invalid in result.invalid_rows:
            for messages in invalid.error_dict.values():
                lines.extend(str(message) for message in messages)
        return lines

    # --- template -------------------------------------------------------------------------------

    @classmethod
    def template_xlsx(cls) -> bytes:
        """An empty workbook with the headers, help on each, and text cells for numbers."""
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "托育券申请名单"
        columns = [field.column_name for field in cls().get_import_fields()]
        sheet.append(columns)
        for index, name in enumerate(columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=name in cls.required_columns)
            if name in COLUMN_HELP:
                cell.comment = Comment(COLUMN_HELP[name], "乐清市普惠托育服务平台")
            sheet.column_dimensions[letter].width = max(14, len(name) * 2 + 6)
            if name not in (PERMIT, SPECIAL_NEEDS, APPLIED_ON):
                # ID and phone numbers must stay text, or Excel rounds them.
                for row in range(2, 501):
                    sheet.cell(row=row, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()


def count_rows(file_bytes: bytes) -> int | None:
    """Data rows of an xlsx application list, or None when the file cannot be read (the import
    then says why)."""
    try:
        return len(SpreadsheetXLSX().create_dataset(file_bytes))
    except Exception:  # noqa: BLE001 - import_applications gives the clerk the message
        return None


def import_applications(file_bytes: bytes, *, batch: VoucherBatch, actor) -> Result:
    """Import an xlsx application list into `batch` as `actor`; nothing is written when any row
    fails. Look at `result.has_errors()`, `result.has_validation_errors()`."""
    try:
        dataset = SpreadsheetXLSX().create_dataset(file_bytes)
    except SpreadsheetFileError:  # too large, too many rows, not an xlsx, formulas: says which
        raise
    except Exception as error:  # noqa: BLE001 - any other unreadable file gets the same answer
        logger.info("unreadable application import: %r", error)
        raise ValueError(_("无法读取该文件，请确认是 xlsx 格式并使用导入模板。")) from None
    resource = ApplicationImportResource(batch=batch, actor=actor)
    return resource.import_data(dataset, user=actor)


# A long application list is imported by a background job (institutions.import_jobs) of this
# kind, registered in VouchersConfig.ready; its options name the batch: {"batch": pk}.
VOUCHER_APPLICATIONS = "vouchers.voucherapplication"


def application_import_job(job, data: bytes, user):
    """How an import job reads a long application list into the batch the clerk chose."""
    batch = VoucherBatch.objects.get(pk=job.options["batch"])
    resource = with_progress(ApplicationImportResource, job)(batch=batch, actor=user)
    return XLSX().create_dataset(data), resource, {}, lambda result: None


# --- Payment file ---------------------------------------------------------------------------------

PAYMENT_COLUMNS = [
    ("结算单号", 10),
    ("机构名称", 36),
    ("统一社会信用代码", 22),
    ("费用月份", 10),
    ("笔数", 8),
    ("结算金额（元）", 16),
    ("审核时间", 18),
]


def payment_file_xlsx(settlements: QuerySet[Settlement], *, month) -> bytes:
    """Approved settlements of a month for finance: one row each, amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{month:%Y-%m}"
    sheet.append([name for name, _width in PAYMENT_COLUMNS])
    for index, (_name, width) in enumerate(PAYMENT_COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for settlement in settlements.select_related("institution").order_by("institution__name", "pk"):
        approved = timezone.localtime(settlement.approved_at) if settlement.approved_at else None
        sheet.append(
            [
                settlement.pk,
                settlement.institution.name,
                settlement.institution.credit_code,
                f"{settlement.month:%Y-%m}",
                settlement.line_count,
                settlement.total,
                approved.strftime("%Y-%m-%d %H:%M") if approved else "",
            ]
        )
        sheet.cell(row=sheet.max_row, column=6).number_format = "#,##0.00"
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
