"""Import of a parenting session's attendance list (签到名单) from a spreadsheet, with the rules of
every import (portal.spreadsheets: size, rows, formulas, encodings, one transaction, errors named
by row). The file has one column, 家长手机号; the numbers replace the session's list through
`services.attendance_replace`, as the typed list does. A number is personal data: it is never
echoed in a message, kept in the result or logged, and only its keyed hash is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields
from import_export.results import Result

from portal.spreadsheets import (
    SpreadsheetCSV,
    SpreadsheetResource,
    SpreadsheetXLSX,
    TextWidget,
    cell_text,
)
from portal.validators import validate_phone

from ..models import ParentingSession
from .models import SessionAttendance
from .services import attendance_replace

MOBILE = "家长手机号"


class MobileWidget(TextWidget):
    """A parent's mobile number: its 11 digits, or a message that does not repeat it."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""  # a blank row between families is left out
        try:
            return validate_phone(text, kind="mobile")
        except ValidationError:
            raise ValueError(_("不是有效的11位手机号码。")) from None

    def render(self, value, obj=None, **kwargs):
        return ""  # a number is never written back into a file


class AttendanceResource(SpreadsheetResource):
    """签到名单: one row per family. Rows are only collected; after the last row, and only when
    every row is valid, the whole list replaces the session's (all or nothing)."""

    all_or_nothing = True
    required_columns = (MOBILE,)
    column_help = {
        MOBILE: "每行一个家长的11位手机号码（请以文本格式填写）；同一号码只记一次",
    }

    mobile = fields.Field("mobile", MOBILE, MobileWidget())

    class Meta(SpreadsheetResource.Meta):
        model = SessionAttendance
        fields = ("mobile",)
        # No diff of the rows: it would hold the numbers in the result.
        skip_diff = True
        skip_unchanged = False
        report_skipped = False

    def __init__(self, *, session: ParentingSession | None = None, **kwargs):
        super().__init__(**kwargs)
        self.session = session
        self.numbers: list[str] = []
        self.families = 0

    @classmethod
    def get_display_name(cls):
        return _("签到名单")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.numbers = []

    def get_instance(self, instance_loader, row):
        return None  # every row is a family of the new list

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The row's only rule is its number's (MobileWidget); the list's are the service's.
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_with_service(self, instance, *, actor):
        if instance.mobile:
            self.numbers.append(instance.mobile)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors() or kwargs.get("dry_run"):
            return
        if not self.numbers:
            # An empty file never removes a list: that is the typed form's, on purpose.
            raise ValueError(_("文件中没有家长手机号码，签到名单未改变。"))
        self.families = attendance_replace(
            session=self.session, mobiles=self.numbers, actor=kwargs.get("user")
        )


def import_attendance(
    file_bytes: bytes, format: str, *, session: ParentingSession, actor
) -> tuple[Result, int]:
    """Replace `session`'s attendance list with the numbers of a file ("xlsx" or "csv") as
    `actor`; nothing is written when any row fails. Returns the result (its `messages` name each
    problem by row) and the number of families on the new list. A file refused as a whole (too
    large, not a spreadsheet, formulas) raises SpreadsheetFileError."""
    if format == "xlsx":
        dataset = SpreadsheetXLSX().create_dataset(file_bytes)
    elif format == "csv":
        dataset = SpreadsheetCSV().create_dataset(file_bytes)
    else:
        raise ValueError(format)
    resource = AttendanceResource(session=session)
    result = resource.import_data(dataset, dry_run=False, user=actor)
    result.messages = (
        resource.error_messages(result)
        if result.has_errors() or result.has_validation_errors()
        else []
    )
    return result, resource.families
