"""Monthly reports and parenting sessions to and from spreadsheets (django-import-export).

`MonthlyReportResource` works both ways with the same Chinese column headers, so an exported
month can be corrected and imported again:

- export: one row per report, institution and township joined in the one query, numbers kept
  as numbers for xlsx. No ID numbers or phone numbers: the report holds none and the
  institution's phone is not exported.
- import: one row per institution and month, found by 统一社会信用代码 and 月份 (YYYY-MM).
  Each row goes through the same services as the form and the API: `report_get_or_start`, then
  `report_update`, or `report_submit` when the 提交 column says 是. The window, the lock after
  submission and acceptance and every rule therefore apply unchanged. A row that fails is
  reported in Chinese with its row number, and then nothing at all is written: the whole file is
  one transaction, whoever calls `import_data`.

A blank number cell means 0 and a blank fee means "not offered"; a column left out of the file
keeps what the report already says (its pre-filled value for a new report).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from institutions.models import Institution
from portal.dates import deadline_as_datetime, parse_period
from portal.spreadsheets import SpreadsheetCSV, SpreadsheetXLSX

from . import services
from .models import MonthlyReport, ParentingSession
from .selectors import reportable_institutions

# Column headers are the file format: they are fixed Chinese, not translated, so a file exported
# under one language imports under any other.
CREDIT_CODE = "统一社会信用代码"
PERIOD = "月份"
SUBMIT = "提交"
YES = frozenset({"是", "y", "yes", "true", "1"})
NO = frozenset({"", "否", "n", "no", "false", "0"})


class CountWidget(widgets.IntegerWidget):
    """A whole number of children, staff, days or incidents; blank is 0, 8.5 is refused."""

    def clean(self, value, row=None, **kwargs) -> int:
        if self.is_empty(value):
            return 0
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是整数。") % {"value": value}) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("“%(value)s”不是整数。") % {"value": value})
        return int(number)


class MoneyWidget(widgets.DecimalWidget):
    """Yuan with at most two decimal places; blank means the fee does not apply."""

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        if self.is_empty(value):
            return None
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是金额。") % {"value": value}) from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(_("金额“%(value)s”最多保留两位小数。") % {"value": value})
        return amount.quantize(Decimal("0.01"))


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs) -> str:
        return "" if value is None else str(value).strip()


def _count(attribute: str, header: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=CountWidget())


def _money(attribute: str, header: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=MoneyWidget())


def _text(attribute: str, header: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=TextWidget())


def _shown(
    header: str, attribute: str | None = None, widget: widgets.Widget | None = None
) -> fields.Field:
    """A column that is exported and never imported."""
    return fields.Field(attribute=attribute, column_name=header, readonly=True, widget=widget)


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _local(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _period_of(value) -> dt.date:
    # Excel turns a typed "2025-03" into a date; a csv keeps the text.
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = "" if value is None else str(value).strip()
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        try:
            return parse_period(text)
        except ValueError:
            pass
    raise ValidationError(
        {"period": [_("月份“%(value)s”应写成YYYY-MM，例如2025-03。") % {"value": text}]},
        code="invalid",
    )


class MonthlyReportResource(resources.ModelResource):
    institution_name = _shown("机构名称", "institution__name")
    credit_code = _shown(CREDIT_CODE, "institution__credit_code")
    township = _shown("镇街", "institution__township__name")
    period = _shown(PERIOD)
    state = _shown("状态")
    enrolled_infant = _count("enrolled_infant", "乳儿班在托人数")
    enrolled_toddler = _count("enrolled_toddler", "托小班在托人数")
    enrolled_older = _count("enrolled_older", "托大班在托人数")
    enrolled_mixed = _count("enrolled_mixed", "混龄班在托人数")
    enrolled_total = _shown("在托总人数", "enrolled_total", widgets.IntegerWidget())
    voucher_children = _count("voucher_children", "其中使用托育券人数")
    special_needs_children = _count("special_needs_children", "其中特殊需要儿童人数")
    fee_full_day = _money("fee_full_day", "全日托实际月收费（元）")
    fee_half_day = _money("fee_half_day", "半日托实际月收费（元）")
    staff_on_duty = _count("staff_on_duty", "在岗保育人员数")
    staff_certified = _count("staff_certified", "其中持证人数")
    staff_override_reason = _text("staff_override_reason", "人员数与登记信息不一致的原因")
    attendance_days = _count("attendance_days", "出勤天数")
    safety_incidents = _count("safety_incidents", "安全事件数")
    warnings = _shown("预警")
    warning_comment = _text("warning_comment", "预警说明")
    return_reason = _shown("退回/重新打开原因", "return_reason")
    first_submitted_at = _shown("首次提交时间")
    on_time = _shown("是否按时提交")

    class Meta:
        model = MonthlyReport
        fields = (
            "institution_name",
            "credit_code",
            "township",
            "period",
            "state",
            "enrolled_infant",
            "enrolled_toddler",
            "enrolled_older",
            "enrolled_mixed",
            "enrolled_total",
            "voucher_children",
            "special_needs_children",
            "fee_full_day",
            "fee_half_day",
            "staff_on_duty",
            "staff_certified",
            "staff_override_reason",
            "attendance_days",
            "safety_incidents",
            "warnings",
            "warning_comment",
            "return_reason",
            "first_submitted_at",
            "on_time",
        )
        export_order = fields
        use_transactions = True
        clean_model_instances = False  # the services check every row

    def __init__(self, *, actor=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.actor = actor
        self._institutions: QuerySet[Institution] | None = None

    # --- export ---------------------------------------------------------------------------------

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        return MonthlyReport.objects.select_related("institution", "institution__township")

    def dehydrate_period(self, report: MonthlyReport) -> str:
        return f"{report.period:%Y-%m}"

    def dehydrate_state(self, report: MonthlyReport) -> str:
        return str(report.get_state_display())

    def dehydrate_warnings(self, report: MonthlyReport) -> str:
        return "；".join(warning.get("message", "") for warning in report.warnings or [])

    def dehydrate_first_submitted_at(self, report: MonthlyReport) -> str:
        return _local(report.first_submitted_at)

    def dehydrate_on_time(self, report: MonthlyReport) -> str:
        submitted = report.first_submitted_at
        return _yes_no(submitted is not None and submitted <= deadline_as_datetime(report.period))

    # --- import ---------------------------------------------------------------------------------

    def import_data(self, dataset, *args, **kwargs) -> Result:
        # All or nothing whoever calls (the admin's confirm step included): one bad row, no rows.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        # The admin passes the signed-in user as `user`.
        self.actor = kwargs.get("user") or self.actor
        self._institutions = reportable_institutions(self.actor)
        dataset.headers = ["" if h is None else str(h).strip() for h in dataset.headers or []]

    def import_row(self, row, instance_loader, **kwargs) -> RowResult:
        if all(value in (None, "") for value in row.values()):
            skipped = self.get_row_result_class()()
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.validation_error is not None:
            # Counted as a spreadsheet shows it: the header is row 1.
            row_result.validation_error = self._located(
                row_result.validation_error, kwargs["row_number"] + 1
            )
        return row_result

    def get_or_init_instance(self, instance_loader, row) -> tuple[MonthlyReport, bool]:
        code = str(row.get(CREDIT_CODE) or "").strip().upper()
        period = _period_of(row.get(PERIOD))
        if self._institutions is None:
            self._institutions = reportable_institutions(self.actor)
        institution = self._institutions.filter(credit_code=code).first() if code else None
        if institution is None:
            raise ValidationError(
                {
                    "credit_code": [
                        _("找不到统一社会信用代码为“%(code)s”的机构，或您无权为其填报。")
                        % {"code": code}
                    ]
                },
                code="does_not_exist",
            )
        new = not MonthlyReport.objects.filter(institution=institution, period=period).exists()
        report = services.report_get_or_start(
            institution=institution, period=period, actor=self.actor
        )
        return report, new

    def import_instance(self, instance: MonthlyReport, row, **kwargs) -> None:
        values, errors = {}, {}
        for field in self.get_import_fields():
            if field.readonly or not field.attribute or field.column_name not in row:
                continue
            try:
                values[field.attribute] = field.clean(row)
            except ValueError as error:
                errors[field.attribute] = [str(error)]
        submit = str(row.get(SUBMIT) or "").strip().lower()
        if submit not in YES | NO:
            errors["submit"] = [_("“提交”一栏请填“是”或“否”。")]
        if errors:
            raise ValidationError(errors, code="invalid")
        instance._import_values = values
        instance._import_submit = submit in YES

    def save_instance(self, instance: MonthlyReport, is_create: bool, row, **kwargs) -> None:
        values = instance._import_values
        if instance._import_submit:
            saved = services.report_submit(report=instance, actor=self.actor, **values)
        else:
            saved = services.report_update(report=instance, actor=self.actor, **values)
        # The result (and the admin's diff) shows what is stored now.
        for name in ("state", "warnings", "submitted_at", "first_submitted_at", *values):
            setattr(instance, name, getattr(saved, name))

    def _located(self, error: ValidationError, line: int) -> ValidationError:
        """The row's errors, each saying its row and column, keyed as before."""
        headers = {field.attribute: field.column_name for field in self.fields.values()}
        headers.update(credit_code=CREDIT_CODE, period=PERIOD, submit=SUBMIT)
        items = (
            error.message_dict.items()
            if hasattr(error, "error_dict")
            else [(NON_FIELD_ERRORS, error.messages)]
        )
        located = {}
        for name, messages in items:
            column = headers.get(name)
            for message in messages:
                if column:
                    text = _("第%(line)s行，%(column)s：%(message)s") % {
                        "line": line,
                        "column": column,
                        "message": message,
                    }
                else:
                    text = _("第%(line)s行：%(message)s") % {"line": line, "message": message}
                located.setdefault(name, []).append(text)
        return ValidationError(located)


class ParentingSessionResource(resources.ModelResource):
    """养育照护小组活动 for the bureau's monthly list (export only). Never the attendance list's
    families: only how many there are."""

    held_on = fields.Field(
        attribute="held_on", column_name="活动日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    organiser_kind = _shown("组织方类型")
    organiser_name = _shown("组织方名称", "organiser_name")
    institution = _shown("组织机构", "institution__name")
    facility = _shown("组织医疗卫生机构", "facility__name")
    township = _shown("镇街", "township__name")
    venue = _shown("活动场所类型")
    community = _shown("所在社区", "community__name")
    topic = _shown("主题", "topic")
    lecturers = _shown("主讲讲师")
    families_reached = _shown("参与家庭数", "families_reached", widgets.IntegerWidget())

    class Meta:
        model = ParentingSession
        fields = (
            "held_on",
            "organiser_kind",
            "organiser_name",
            "institution",
            "facility",
            "township",
            "venue",
            "community",
            "topic",
            "lecturers",
            "families_reached",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[ParentingSession]:
        return session_export_queryset(ParentingSession.objects.all())

    def dehydrate_organiser_kind(self, session: ParentingSession) -> str:
        return str(session.get_organiser_kind_display())

    def dehydrate_venue(self, session: ParentingSession) -> str:
        return str(session.get_venue_display()) if session.venue else ""

    def dehydrate_lecturers(self, session: ParentingSession) -> str:
        return lecturer_names(session)


def session_export_queryset(sessions: QuerySet[ParentingSession]) -> QuerySet[ParentingSession]:
    """What a sessions export reads: one query for the sessions, one for all their lecturers."""
    return sessions.select_related(
        "institution", "township", "facility", "community"
    ).prefetch_related("lecturers")


def lecturer_names(session: ParentingSession) -> str:
    return "、".join(sorted(member.name for member in session.lecturers.all()))


def import_reports(file_bytes: bytes, format: str, actor, dry_run: bool = False) -> Result:
    """Import a file of monthly reports ("xlsx" or "csv") as `actor`; nothing is written when any
    row fails or when `dry_run`. Look at `result.has_errors()` and `result.invalid_rows`. A file
    refused as a whole (too large, not a spreadsheet, formulas) raises SpreadsheetFileError."""
    if format == "xlsx":
        dataset = SpreadsheetXLSX().create_dataset(file_bytes)
    elif format == "csv":
        dataset = SpreadsheetCSV().create_dataset(file_bytes)
    else:
        raise ValueError(format)
    return MonthlyReportResource(actor=actor).import_data(dataset, dry_run=dry_run, user=actor)


__all__ = [
    "MonthlyReportResource",
    "ParentingSessionResource",
    "import_reports",
    "lecturer_names",
    "session_export_queryset",
]
