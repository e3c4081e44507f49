"""The base resource every import uses: one transaction, model validation, saves through a
service with the importing user, errors that name the row and the column."""

from __future__ import annotations

import copy
import io

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from import_export import resources, widgets

from .formats import FIRST_DATA_ROW, cell_text
from .widgets import ChoiceWidget, ResidentIdWidget, TextWidget, error_text


class SpreadsheetResource(resources.ModelResource):
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
    # All or nothing whoever calls import_data (the admin's confirm step, a background job, a
    # page, a test): one bad row, and no row is written.
    all_or_nothing = False

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = None

    # Import ---------------------------------------------------------------------------------------

    def import_data(self, dataset, *args, **kwargs):
        if self.all_or_nothing:
            kwargs["use_transactions"] = True
            kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

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
            error_text(e.error) if isinstance(e.error, ValidationError) else str(e.error)
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
