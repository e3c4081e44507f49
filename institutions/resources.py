"""Spreadsheet import and export of the registry: institutions, staff and certificates.

The bureau exchanges these lists as xlsx (or csv) files with Chinese column headers. Every row is
checked with the model's own rules (full_clean, the same as the forms) and our validators, then
saved through `institutions.services` with the importing user, so the audit history says who
imported it. An import is one transaction: if any row fails, nothing is written.

Column headers are fixed Chinese strings, not translated: they are the file format, and a file
filled in by one clerk must import whatever language another clerk's browser is set to.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lequing_tuoyu.personal_data import keyed_hash
from lequing_tuoyu.roles import scope
from lequing_tuoyu.validators import (
    mask_resident_id,
    normalize_credit_code,
    normalize_resident_id,
    validate_resident_id,
)

from .models import Certificate, Institution, StaffMember, Township
from .services import certificate_save, institution_create, institution_update, staff_save

# The spreadsheet row of the first data row: row 1 holds the headers.
FIRST_DATA_ROW = 2


# --- Formats --------------------------------------------------------------------------------------


class SpreadsheetFileError(ValueError):
    """A file refused before any row is read; the message is for the clerk who uploaded it."""


# Characters that make a spreadsheet treat a cell as a formula (and tab and carriage return, which
# some programs strip before looking at the next character).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def check_import_size(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES, before anything reads it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise SpreadsheetFileError(
            _("文件太大（%(size)s），导入文件不能超过 %(limit)s。请拆分成几个文件分别导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def _check_row_count(count: int) -> None:
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise SpreadsheetFileError(
            _("文件超过 %(limit)s 行数据，请拆分成几个文件分别导入。") % {"limit": limit}
        )


def escape_formulae(dataset: tablib.Dataset) -> None:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (=HYPERLINK(...) typed into
    an institution's name), so that whoever opens an export sees it as text. Plain numbers ("-1.5")
    are left alone. `cell_text` takes the apostrophe off again when the file is imported back."""
    for index, row in enumerate(dataset):
        if any(_needs_escape(value) for value in row):
            dataset[index] = tuple("'" + value if _needs_escape(value) else value for value in row)


def _needs_escape(value) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def _rows_to_dataset(rows) -> tablib.Dataset:
    """The first row as headers, the others cut or padded to as many cells, at most
    IMPORT_MAX_ROWS of them (counted while reading, so a huge file stops early).

    Empty rows are kept only when a data row follows, so that row numbers match the sheet's
    while the formatted but empty rows at the end of many sheets neither count nor show.
    """
    rows = iter(rows)
    headers = list(next(rows, []))
    while headers and cell_text(headers[-1]) == "":
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset(headers=headers or None)
    blank_rows = 0
    for row in rows:
        values = (list(row) + [None] * width)[:width]
        if all(cell_text(value) == "" for value in values):
            blank_rows += 1
            continue
        for _blank in range(blank_rows):
            dataset.append([None] * width)
        blank_rows = 0
        dataset.append(values)
        _check_row_count(len(dataset))
    return dataset


class SpreadsheetCSV(base_formats.CSV):
    """CSV as office software in China writes it.

    Excel saves "CSV" in GB18030 (GBK) on Chinese Windows and in UTF-8 with a BOM elsewhere, so an
    import accepts both (and UTF-16, Excel's "Unicode text"); an export carries a BOM so that Excel
    opens it with the Chinese intact. Read as bytes (is_binary) so that the decoding is ours, not
    the temp file's.
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            check_import_size(len(in_stream))
            in_stream = self._decode(in_stream)
        try:
            return _rows_to_dataset(csv.reader(io.StringIO(in_stream, newline="")))
        except csv.Error:
            raise SpreadsheetFileError(
                _("文件无法按 CSV 读取，请用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”后再导入。")
            ) from None

    @staticmethod
    def _decode(data: bytes) -> str:
        if data.startswith(b"PK\x03\x04"):
            raise SpreadsheetFileError(
                _("这是一个 Excel（xlsx）文件，不是 CSV 文件：请将格式选为 xlsx 后再导入。")
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encodings = ("utf-16",)
        elif b"\x00" in data:
            encodings = ()  # binary data, not text
        else:
            encodings = ("utf-8-sig", "gb18030")
        for encoding in encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise SpreadsheetFileError(
            _(
                "文件无法按文本读取：不是 CSV 文件，或编码无法识别。"
                "请用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”后再导入。"
            )
        )

    def export_data(self, dataset, **kwargs):
        escape_formulae(dataset)
        return "\ufeff" + super().export_data(dataset, **kwargs)


class SpreadsheetXLSX(base_formats.XLSX):
    """xlsx, read with limits: size, rows, how far the zip unpacks, and no formulas.

    A formula cell is refused rather than read: the value saved with it may be stale or missing
    (files written by programs other than Excel carry none), and it is never computed here.
    """

    def create_dataset(self, in_stream):
        check_import_size(len(in_stream))
        not_xlsx = SpreadsheetFileError(
            _(
                "文件不是有效的 Excel（xlsx）文件。请用 Excel 打开后另存为“Excel 工作簿（*.xlsx）”再导入。"
            )
        )
        if not in_stream.startswith(b"PK\x03\x04"):
            raise not_xlsx
        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise not_xlsx from None
        if unpacked > settings.IMPORT_MAX_UNZIP_RATIO * len(in_stream):
            raise SpreadsheetFileError(
                _("文件解压后异常庞大（%(size)s），无法导入。请把数据复制到新的工作簿后再导入。")
                % {"size": filesizeformat(unpacked)}
            )
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(in_stream), read_only=True, data_only=False
            )
            return self._read(workbook.active)
        except SpreadsheetFileError:
            raise
        except Exception:  # noqa: BLE001 - any fault of a malformed workbook is the same answer
            raise not_xlsx from None

    @staticmethod
    def _read(sheet) -> tablib.Dataset:
        from openpyxl.utils import get_column_letter

        formulas = []

        def values(rows):
            for line, row in enumerate(rows, start=1):
                for index, cell in enumerate(row):
                    if cell.data_type == "f":
                        formulas.append(f"{get_column_letter(index + 1)}{line}")
                yield [cell.value for cell in row]

        dataset = _rows_to_dataset(values(sheet.iter_rows()))
        if formulas:
            shown = "、".join(formulas[:10]) + ("等" if len(formulas) > 10 else "")
            raise SpreadsheetFileError(
                _(
                    "以下单元格是公式：%(cells)s。导入不计算公式，请复制这些单元格，"
                    "“选择性粘贴—数值”后再导入。"
                )
                % {"cells": shown}
            )
        return dataset

    def export_data(self, dataset, **kwargs):
        escape_formulae(dataset)
        return super().export_data(dataset, **kwargs)


SPREADSHEET_FORMATS = [SpreadsheetXLSX, SpreadsheetCSV]


# --- Cell values ----------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text. Spreadsheets hand back all-digit cells as numbers (1.0 for "1").

    The apostrophe an export puts before formula-like text (`escape_formulae`) is taken off, so an
    exported file imports back unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class CreditCodeWidget(TextWidget):
    """The institution's key in every import: normalised here, checked by the model's clean()."""

    def __init__(self, *, required: bool = True):
        self.required = required
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        code = normalize_credit_code(cell_text(value))
        if not code and self.required:
            raise ValueError(
                _("统一社会信用代码必须填写：导入时用它识别机构。没有代码的机构请在后台逐个添加。")
            )
        return code


class ChoiceWidget(widgets.Widget):
    """A choice given by its Chinese label or its code; exported as the Chinese label."""

    def __init__(self, choices):
        self.choices = choices
        super().__init__()

    def _labels(self) -> dict[str, str]:
        # Built once per language: an import asks for every row.
        language = translation.get_language()
        cache = self.__dict__.setdefault("_labels_by_language", {})
        if language not in cache:
            cache[language] = self._build_labels()
        return cache[language]

    def _build_labels(self) -> dict[str, str]:
        accepted = {}
        for choice in self.choices:
            accepted[choice.value] = choice.value
            accepted[str(choice.label)] = choice.value
            with translation.override("zh-hans"):
                accepted[str(choice.label)] = choice.value
        return accepted

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        accepted = self._labels()
        if text in accepted:
            return accepted[text]
        with translation.override("zh-hans"):
            labels = "、".join(str(choice.label) for choice in self.choices)
        raise ValueError(
            _("“%(value)s”不是可选的值，请填写：%(labels)s。") % {"value": text, "labels": labels}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        with translation.override("zh-hans"):
            return str(self.choices(value).label)

    def labels(self) -> list[str]:
        with translation.override("zh-hans"):
            return [str(choice.label) for choice in self.choices]


class YesNoWidget(widgets.Widget):
    """是 / 否 (also 1/0, true/false); an empty cell is 否."""

    TRUE = {"是", "1", "true", "y", "yes", "√"}
    FALSE = {"否", "0", "false", "n", "no", "×", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s”无法识别，请填写“是”或“否”。") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class DateWidget(widgets.Widget):
    """Dates as xlsx date cells or as text in the forms people type; exported as 2025-03-01."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        # A datetime typed as text ("2025-03-01 00:00:00") keeps only its day.
        day = text.split(" ")[0]
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(day, fmt).date()
            except ValueError:
                continue
        raise ValueError(
            _("日期“%(value)s”无法识别，请按 2025-03-01 的格式填写。") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是有效的数字。") % {"value": text}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TownshipWidget(widgets.Widget):
    """A township by its name (柳市镇, or 柳市), or its statistical code (330382114)."""

    def __init__(self):
        super().__init__()
        self._by_code_or_name: dict[str, Township] | None = None

    def preload(self) -> None:
        """Read the 25 townships once, so that an import of thousands of rows asks for none."""
        townships = Township.objects.order_by("code")
        self._by_code_or_name = {key: t for t in townships for key in (t.name, t.code)}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        names = [text] + [text + suffix for suffix in ("街道", "镇", "乡")]
        if self._by_code_or_name is not None:
            found = (self._by_code_or_name.get(name) for name in names)
            township = next((t for t in found if t is not None), None)
        else:
            township = Township.objects.filter(Q(code=text) | Q(name__in=names)).first()
        if township is None:
            raise ValueError(
                _("所属镇街“%(value)s”不存在，请填写乐清市的镇街名称或统计用区划代码。")
                % {"value": text}
            )
        return township

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class InstitutionWidget(widgets.Widget):
    """An institution the importing user may see, by its unified social credit code."""

    def clean(self, value, row=None, **kwargs):
        code = normalize_credit_code(cell_text(value))
        if not code:
            return None
        institution = scope(kwargs.get("user"), Institution).filter(credit_code=code).first()
        if institution is None:
            raise ValueError(_("机构统一社会信用代码“%(code)s”找不到对应的机构。") % {"code": code})
        return institution

    def render(self, value, obj=None, **kwargs):
        return value.credit_code if value else ""


class ResidentIdWidget(widgets.Widget):
    """A full resident ID number in, the masked form out: a file never carries a plain one."""

    def clean(self, value, row=None, **kwargs):
        text = normalize_resident_id(cell_text(value))
        if not text:
            return ""
        if "*" in text:
            raise ValueError(
                _("身份证号码是脱敏显示的（导出文件不含完整号码），导入时请填写完整的18位号码。")
            )
        try:
            return validate_resident_id(text)
        except ValidationError as error:
            raise ValueError(_messages(error)) from None

    def render(self, value, obj=None, **kwargs):
        # str() of a stored ResidentId is already masked; a plain str (a row being previewed) is
        # masked here. Either way the result is a plain str, never the ResidentId itself.
        return mask_resident_id(str(value)) if value else ""


class StaffWidget(ResidentIdWidget):
    """A staff member by resident ID number and their institution's credit code (another column)."""

    def __init__(self, institution_column: str):
        self.institution_column = institution_column
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if not number:
            return None
        institution = InstitutionWidget().clean((row or {}).get(self.institution_column), **kwargs)
        if institution is None:
            raise ValueError(
                _("请填写%(column)s，以确定此人所在的机构。") % {"column": self.institution_column}
            )
        # Someone hired twice at one institution has two records; a certificate goes with the latest.
        staff = (
            StaffMember.objects.filter(institution=institution, id_number_hash=keyed_hash(number))
            .order_by("-hired_on")
            .first()
        )
        if staff is None:
            raise ValueError(
                _("%(institution)s没有身份证号码为 %(masked)s 的从业人员，请先导入从业人员。")
                % {"institution": institution.name, "masked": mask_resident_id(number)}
            )
        return staff

    def render(self, value, obj=None, **kwargs):
        return super().render(value.id_number if value else None)


# --- Resources ------------------------------------------------------------------------------------


def save_institution(instance: Institution, *, actor, operators=None) -> Institution:
    """institution_create for a new institution, institution_update otherwise.

    The admin and the import both hold an unsaved instance the caller goes on using (the admin
    saves its inlines against it), so a newly created one's primary key is copied back to it.
    """
    if not instance._state.adding:
        return institution_update(institution=instance, actor=actor, operators=operators)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in Institution._meta.concrete_fields
        if not field.primary_key
    }
    created = institution_create(actor=actor, operators=operators, **values)
    instance.pk = created.pk
    instance._state.adding = False
    instance._state.db = created._state.db
    return created


def institutions_bulk_save(instances: list[Institution], *, fields: list[str], actor) -> None:
    """Create and update many institutions at once, each with its history record by `actor`.

    For a whole file that has passed the row checks: field rules and clean() have run on every
    instance; uniqueness and the check constraints are left to the database, which refuses the
    whole write (IntegrityError) if any row breaks one.
    """
    adding = [instance for instance in instances if instance._state.adding]
    changing = [instance for instance in instances if not instance._state.adding]
    if adding:
        bulk_create_with_history(adding, Institution, batch_size=1000, default_user=actor)
        for instance in adding:
            instance._state.adding = False
    if changing:
        bulk_update_with_history(
            changing, Institution, fields=fields, batch_size=1000, default_user=actor
        )


class RegistryResource(resources.ModelResource):
    """Shared rules: one transaction, model validation, saves through the services."""

    # Columns a file must have; the others may be left out.
    required_columns: tuple[str, ...] = ()
    # Help shown as a comment on each header of the downloadable template.
    column_help: dict[str, str] = {}
    # Foreign keys whose widgets return only objects read from the database.
    looked_up_foreign_keys: tuple[str, ...] = ()
    # Above this many rows the preview lists each row's kind (new, update) without its cells:
    # thousands of rows of cells make a page nobody reads and take a third of the import's time.
    preview_cells_max_rows = 1000

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = None

    # Import ---------------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        if dataset.headers:
            dataset.headers = [cell_text(header) for header in dataset.headers]
        # Spreadsheets keep formatted but empty rows at the end; they are not data.
        while len(dataset) and all(cell_text(value) == "" for value in dataset[-1]):
            del dataset[-1]
        missing = [
            column for column in self.required_columns if column not in (dataset.headers or [])
        ]
        if missing:
            raise ValueError(
                _("文件缺少以下列：%(columns)s。请下载导入模板，按模板的列名填写。")
                % {"columns": "、".join(missing)}
            )
        if not len(dataset):
            raise ValueError(_("文件中没有数据行。"))
        if len(dataset) > self.preview_cells_max_rows:
            self._meta = copy.copy(self._meta)  # this import's options, not the class's
            self._meta.skip_diff = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The field rules and clean(), in Python. Uniqueness and the constraints, which each cost a
        # query or three, are checked once when the row is saved (by the service, or by the
        # database for a bulk write), not here as well.
        errors = dict(import_validation_errors or {})
        # A foreign key its widget has just read from the database needs no query to prove it
        # exists.
        looked_up = [
            name for name in self.looked_up_foreign_keys if getattr(instance, f"{name}_id", None)
        ]
        try:
            instance.full_clean(
                exclude=[*errors, *looked_up], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            self.save_with_service(instance, actor=kwargs.get("user"))
        self.after_save_instance(instance, row, **kwargs)

    def save_with_service(self, instance: Model, *, actor) -> None:
        raise NotImplementedError

    def for_delete(self, row, instance):
        # A spreadsheet never deletes: records are closed or ended with dates.
        return False

    # Messages -------------------------------------------------------------------------------------

    def column_for(self, field_name: str) -> str:
        """The column a model field's error belongs to, else the field's verbose name."""
        for field in self.fields.values():
            if field.attribute == field_name:
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(field_name).verbose_name)
        except Exception:  # noqa: BLE001 - an error key that is not a field: show it as it is
            return field_name

    def _line(self, row_number: int, message: str, column: str | None = None) -> str:
        line = row_number + FIRST_DATA_ROW - 1
        columns = [field.column_name for field in self.fields.values()]
        # A message that already names a column ("统一社会信用代码校验位不正确") needs no prefix.
        if column and not any(name in message for name in [*columns, column]):
            return _("第%(line)s行：%(column)s：%(message)s") % {
                "line": line,
                "column": column,
                "message": message,
            }
        return _("第%(line)s行：%(message)s") % {"line": line, "message": message}

    def error_messages(self, result) -> list[str]:
        """Every problem of an import result, one line each, in the clerk's words.

        Row numbers are those the clerk sees in the spreadsheet, where row 1 holds the headers.
        """
        lines = [
            _messages(e.error) if isinstance(e.error, ValidationError) else str(e.error)
            for e in result.base_errors
        ]
        for number, errors in result.row_errors():
            for error in errors:
                lines.append(self._line(number, str(error.error)))
        for invalid in result.invalid_rows:
            for field_name, messages in invalid.error_dict.items():
                column = None if field_name == NON_FIELD_ERRORS else self.column_for(field_name)
                seen = set()
                for message in messages:
                    if message not in seen:
                        seen.add(message)
                        lines.append(self._line(invalid.number, str(message), column))
        return lines

    # Template -------------------------------------------------------------------------------------

    @classmethod
    def template_columns(cls) -> list[tuple[str, widgets.Widget]]:
        resource = cls()
        return [(field.column_name, field.widget) for field in resource.get_import_fields()]

    @classmethod
    def template_xlsx(cls) -> bytes:
        """An empty workbook with the import's headers, help on each, text cells for codes."""
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(cls._meta.model._meta.verbose_name)
        columns = cls.template_columns()
        sheet.append([name for name, _widget in columns])
        for index, (name, widget) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=name in cls.required_columns)
            help_text = cls.column_help.get(name)
            if isinstance(widget, ChoiceWidget):
                choices = "、".join(widget.labels())
                help_text = f"{help_text}\n{choices}" if help_text else choices
                listing = ",".join(widget.labels())
                if len(listing) <= 250:  # Excel's limit for a literal list
                    validation = DataValidation(
                        type="list", formula1=f'"{listing}"', allow_blank=True
                    )
                    validation.add(f"{letter}2:{letter}1000")
                    sheet.add_data_validation(validation)
            if help_text:
                cell.comment = Comment(help_text, "乐清市普惠托育服务平台")
            sheet.column_dimensions[letter].width = max(14, len(name) * 2 + 4)
            # Long digit strings (ID numbers, codes) must stay text, or Excel rounds them.
            if isinstance(widget, TextWidget | ResidentIdWidget):
                sheet.column_dimensions[letter].number_format = "@"
        sheet.freeze_panes = "A2"
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()


CREDIT_CODE = "统一社会信用代码"
INSTITUTION_CREDIT_CODE = "机构统一社会信用代码"
ID_NUMBER = "身份证号码"
_DATE_HELP = "格式：2025-03-01"


class InstitutionResource(RegistryResource):
    """托育机构: matched by credit code; a new code adds an institution, a known one updates it."""

    required_columns = ("机构名称", CREDIT_CODE, "机构类型", "举办性质", "所属镇街")
    column_help = {
        CREDIT_CODE: "18位统一社会信用代码，用来识别机构；已存在的代码将更新该机构。",
        "信用代码校验说明": "代码未通过校验位检查、但经核实为证照上的真实代码时填写。",
        "所属镇街": "镇街名称（如 柳市镇）或统计用区划代码（如 330382114）",
        "备案日期": _DATE_HELP,
        "注销/停办日期": _DATE_HELP,
        "一键式报警安装日期": _DATE_HELP,
        "提供融合托育": "是 / 否",
        "示范单位": "是 / 否",
        "普惠性幼儿园": "是 / 否（仅幼儿园）",
    }
    looked_up_foreign_keys = ("township",)

    name = fields.Field("name", "机构名称", TextWidget())
    credit_code = fields.Field("credit_code", CREDIT_CODE, CreditCodeWidget())
    credit_code_override_reason = fields.Field(
        "credit_code_override_reason", "信用代码校验说明", TextWidget()
    )
    kind = fields.Field("kind", "机构类型", ChoiceWidget(Institution.Kind))
    ownership = fields.Field("ownership", "举办性质", ChoiceWidget(Institution.Ownership))
    township = fields.Field("township", "所属镇街", TownshipWidget())
    address = fields.Field("address", "地址", TextWidget())
    contact_phone = fields.Field("contact_phone", "联系电话", TextWidget())
    filing_number = fields.Field("filing_number", "备案编号", TextWidget())
    filed_on = fields.Field("filed_on", "备案日期", DateWidget())
    closed_on = fields.Field("closed_on", "注销/停办日期", DateWidget())
    special_needs_care = fields.Field("special_needs_care", "提供融合托育", YesNoWidget())
    is_demonstration = fields.Field("is_demonstration", "示范单位", YesNoWidget())
    is_inclusive_kindergarten = fields.Field(
        "is_inclusive_kindergarten", "普惠性幼儿园", YesNoWidget()
    )
    panic_alarm_installed_on = fields.Field(
        "panic_alarm_installed_on", "一键式报警安装日期", DateWidget()
    )
    latitude = fields.Field("latitude", "纬度", DecimalWidget())
    longitude = fields.Field("longitude", "经度", DecimalWidget())

    class Meta(RegistryResource.Meta):
        model = Institution
        import_id_fields = ["credit_code"]
        # No savepoint per row: rows only read until `after_import` writes them together (the
        # library's own bulk lists stay empty, since save_instance is ours).
        use_bulk = True
        fields = (
            "name",
            "credit_code",
            "credit_code_override_reason",
            "kind",
            "ownership",
            "township",
            "address",
            "contact_phone",
            "filing_number",
            "filed_on",
            "closed_on",
            "special_needs_care",
            "is_demonstration",
            "is_inclusive_kindergarten",
            "panic_alarm_installed_on",
            "latitude",
            "longitude",
        )

    @classmethod
    def get_display_name(cls):
        return _("托育机构")

    # Speed (10,000 institutions in one file): the townships and the file's known institutions are
    # read once before the rows; valid rows are written together at the end with their history
    # (`institutions_bulk_save`). If the database refuses that write, the rows are saved again one
    # by one through the service to say which row is wrong and why; either way it is all or nothing.

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.fields["township"].widget.preload()
        codes = {normalize_credit_code(cell_text(value)) for value in dataset[CREDIT_CODE]}
        known = scope(self.user, Institution).filter(credit_code__in=codes - {""})
        self._known = {institution.credit_code: institution for institution in known}
        self._pending: list[tuple[int, dict, Institution]] = []

    def get_instance(self, instance_loader, row):
        code = normalize_credit_code(cell_text(row.get(CREDIT_CODE)))
        if not code:
            return None
        if hasattr(self, "_known"):
            return self._known.get(code)
        return scope(self.user, Institution).filter(credit_code=code).first()

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            return
        if not hasattr(self, "_pending"):
            super().save_instance(instance, is_create, row, **kwargs)
            return
        self._pending.append((kwargs["row_number"], row, instance))
        # A later row with the same code updates this one, as it would once saved.
        self._known[instance.credit_code] = instance

    def after_import(self, dataset, result, **kwargs):
        pending, self._pending = getattr(self, "_pending", []), []
        if not pending or result.has_errors() or result.has_validation_errors():
            return  # rolled back whole: nothing to write
        instances = list({id(instance): instance for _n, _r, instance in pending}.values())
        adding = [instance for instance in instances if instance._state.adding]
        try:
            with transaction.atomic():
                institutions_bulk_save(
                    instances, fields=self._bulk_fields(), actor=kwargs.get("user")
                )
        except IntegrityError:
            for instance in adding:  # the write was rolled back: they are new again
                instance.pk = None
                instance._state.adding = True
            self._save_one_by_one(pending, result, actor=kwargs.get("user"))

    def _bulk_fields(self) -> list[str]:
        return [field.attribute for field in self.get_import_fields() if field.attribute]

    def _save_one_by_one(self, pending, result, *, actor) -> None:
        saved: set[int] = set()
        for number, row, instance in pending:
            if id(instance) in saved:
                continue
            try:
                with transaction.atomic():
                    save_institution(instance, actor=actor)
            except ValidationError as error:
                result.append_invalid_row(number, row, error)
            else:
                saved.add(id(instance))

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("township")

    def save_with_service(self, instance, *, actor):
        save_institution(instance, actor=actor)


class StaffMemberResource(RegistryResource):
    """从业人员: matched by institution, ID number and hiring date; exported with masked ID numbers."""

    required_columns = (INSTITUTION_CREDIT_CODE, "姓名", ID_NUMBER, "岗位", "入职日期")
    column_help = {
        INSTITUTION_CREDIT_CODE: "所在机构的统一社会信用代码",
        ID_NUMBER: "完整的18位居民身份证号码（请以文本格式填写）",
        "入职日期": _DATE_HELP,
        "离职日期": _DATE_HELP + "；在岗留空",
    }

    institution = fields.Field("institution", INSTITUTION_CREDIT_CODE, InstitutionWidget())
    name = fields.Field("name", "姓名", TextWidget())
    id_number = fields.Field("id_number", ID_NUMBER, ResidentIdWidget())
    role = fields.Field("role", "岗位", ChoiceWidget(StaffMember.Role))
    hired_on = fields.Field("hired_on", "入职日期", DateWidget())
    left_on = fields.Field("left_on", "离职日期", DateWidget())
    annual_training_hours = fields.Field(
        "annual_training_hours", "年度培训学时", DecimalWidget(), default=Decimal("0")
    )

    class Meta(RegistryResource.Meta):
        model = StaffMember
        import_id_fields = ["institution", "id_number", "hired_on"]
        fields = (
            "institution",
            "name",
            "id_number",
            "role",
            "hired_on",
            "left_on",
            "annual_training_hours",
        )

    @classmethod
    def get_display_name(cls):
        return _("从业人员")

    def get_instance(self, instance_loader, row):
        # The same person at the same institution from the same day is the same employment.
        try:
            institution = InstitutionWidget().clean(
                row.get(INSTITUTION_CREDIT_CODE), user=self.user
            )
            number = ResidentIdWidget().clean(row.get(ID_NUMBER))
            hired_on = DateWidget().clean(row.get("入职日期"))
        except ValueError:
            return None  # import_instance reports the bad cell
        if not (institution and number and hired_on):
            return None
        return StaffMember.objects.filter(
            institution=institution, id_number_hash=keyed_hash(number), hired_on=hired_on
        ).first()

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("institution")

    def save_with_service(self, instance, *, actor):
        staff_save(staff=instance, actor=actor)


class CertificateResource(RegistryResource):
    """证书: the holder by ID number and institution; matched by number, else by issue date."""

    required_columns = (ID_NUMBER, INSTITUTION_CREDIT_CODE, "证书类型", "发证日期")
    column_help = {
        ID_NUMBER: "持证人的完整18位居民身份证号码（此人须已登记为该机构的从业人员）",
        INSTITUTION_CREDIT_CODE: "持证人所在机构的统一社会信用代码",
        "发证日期": _DATE_HELP,
        "有效期至": _DATE_HELP + "；长期有效留空",
    }

    staff = fields.Field("staff", ID_NUMBER, StaffWidget(INSTITUTION_CREDIT_CODE))
    # Read by the staff column on import (which institution); written on export.
    institution_credit_code = fields.Field(
        "staff__institution__credit_code", INSTITUTION_CREDIT_CODE, TextWidget(), readonly=True
    )
    kind = fields.Field("kind", "证书类型", ChoiceWidget(Certificate.Kind))
    number = fields.Field("number", "证书编号", TextWidget())
    issued_on = fields.Field("issued_on", "发证日期", DateWidget())
    expires_on = fields.Field("expires_on", "有效期至", DateWidget())

    class Meta(RegistryResource.Meta):
        model = Certificate
        import_id_fields = ["staff", "kind"]
        fields = ("staff", "institution_credit_code", "kind", "number", "issued_on", "expires_on")

    @classmethod
    def get_display_name(cls):
        return _("证书")

    def get_instance(self, instance_loader, row):
        try:
            staff = self.fields["staff"].clean(row, user=self.user)
            kind = self.fields["kind"].clean(row)
            number = cell_text(row.get("证书编号"))
            issued_on = DateWidget().clean(row.get("发证日期"))
        except ValueError:
            return None  # import_instance reports the bad cell
        if not (staff and kind):
            return None
        certificates = Certificate.objects.filter(staff=staff, kind=kind)
        if number:
            return certificates.filter(number=number).first()
        return certificates.filter(number="", issued_on=issued_on).first() if issued_on else None

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("staff__institution")

    def save_with_service(self, instance, *, actor):
        certificate_save(certificate=instance, actor=actor)
