"""Import of training attendance from a sign-in sheet (签到表), with the rules of every import
(portal.spreadsheets): one transaction, all or nothing, errors named by row in Chinese, saves
through the services with the importing user. A person is found by ID number and their
institution's credit code (institutions.resources.StaffWidget); the course by its number
(编号, shown in the admin's course list)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, widgets
from import_export.results import Result

from portal.spreadsheets import (
    DecimalWidget,
    SpreadsheetCSV,
    SpreadsheetResource,
    SpreadsheetXLSX,
    TextWidget,
    YesNoWidget,
    cell_text,
)
from portal.validators import normalize_credit_code

from ..models import Institution
from ..resources import ID_NUMBER, INSTITUTION_CREDIT_CODE, InstitutionWidget, StaffWidget
from .models import TrainingAttendance, TrainingCourse
from .services import attendance_save

COURSE_NUMBER = "课程编号"


class CourseWidget(widgets.Widget):
    """A course by its number; the courses are read once per import."""

    def __init__(self):
        super().__init__()
        self._courses: dict[int, TrainingCourse] | None = None

    def preload(self, courses=None) -> None:
        """Read the courses a file may name (`courses`: a page's own course; default: all)."""
        courses = TrainingCourse.objects.all() if courses is None else courses
        self._courses = {course.pk: course for course in courses}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            number = int(float(text))
        except ValueError:
            number = None
        if self._courses is None:
            self.preload()
        course = self._courses.get(number) if number is not None else None
        if course is None:
            raise ValueError(_("课程编号“%(value)s”不存在。") % {"value": text})
        return course

    def render(self, value, obj=None, **kwargs):
        return str(value.pk) if value else ""


class AnyInstitutionWidget(InstitutionWidget):
    """Any institution by its credit code: a provider's users record the attendance of staff of
    every institution at their own courses (the page names the one course they may enter)."""

    def clean(self, value, row=None, **kwargs):
        code = normalize_credit_code(cell_text(value))
        if not code:
            return None
        institution = Institution.objects.filter(credit_code=code).first()
        if institution is None:
            raise ValueError(_("机构统一社会信用代码“%(code)s”找不到对应的机构。") % {"code": code})
        return institution


class CachedStaffWidget(StaffWidget):
    """StaffWidget that looks each person up once per import (a sign-in sheet of a thousand rows
    asks the database a thousand times less)."""

    def __init__(self, institution_column: str):
        super().__init__(institution_column)
        self.cache: dict[tuple[str, str], object] = {}

    def clean(self, value, row=None, **kwargs):
        key = (cell_text(value), cell_text((row or {}).get(self.institution_column)))
        if key not in self.cache:
            self.cache[key] = super().clean(value, row, **kwargs)
        return self.cache[key]


class TrainingAttendanceResource(SpreadsheetResource):
    """培训签到: one row per person; a person already on the course has the row update them."""

    all_or_nothing = True
    required_columns = (COURSE_NUMBER, ID_NUMBER, INSTITUTION_CREDIT_CODE, "参训学时")
    column_help = {
        COURSE_NUMBER: "培训课程列表中的编号",
        ID_NUMBER: "参训人员的完整18位居民身份证号码（此人须已登记为该机构的从业人员）",
        INSTITUTION_CREDIT_CODE: "参训人员所在机构的统一社会信用代码",
        "参训学时": "0至课程学时之间的数字",
        "是否结业": "是 / 否",
        "竞赛名次/奖项": "仅技能竞赛填写",
    }
    looked_up_foreign_keys = ("course", "staff")

    course = fields.Field("course", COURSE_NUMBER, CourseWidget())
    staff = fields.Field("staff", ID_NUMBER, CachedStaffWidget(INSTITUTION_CREDIT_CODE))
    institution_credit_code = fields.Field(
        "staff__institution__credit_code", INSTITUTION_CREDIT_CODE, TextWidget(), readonly=True
    )
    name = fields.Field("staff__name", "姓名", TextWidget(), readonly=True)
    hours = fields.Field("hours", "参训学时", DecimalWidget())
    completed = fields.Field("completed", "是否结业", YesNoWidget())
    award = fields.Field("award", "竞赛名次/奖项", TextWidget())

    class Meta(SpreadsheetResource.Meta):
        model = TrainingAttendance
        import_id_fields = ["course", "staff"]
        fields = (
            "course",
            "staff",
            "institution_credit_code",
            "name",
            "hours",
            "completed",
            "award",
        )

    def __init__(self, *, courses=None, **kwargs):
        super().__init__(**kwargs)
        # The courses a file may name; None: every course (the bureau's admin import).
        self.courses = courses

    @classmethod
    def get_display_name(cls):
        return _("培训签到")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.fields["course"].widget.preload(self.courses)
        self.fields["staff"].widget.cache = {}
        # A page's import names its one course, which the user may enter: any institution's staff.
        self.fields["staff"].widget.institution_widget = (
            InstitutionWidget if self.courses is None else AnyInstitutionWidget
        )
        existing = TrainingAttendance.objects.all()
        if self.courses is not None:
            existing = existing.filter(course__in=self.courses)
        self._existing = {(a.course_id, a.staff_id): a for a in existing.iterator()}

    def get_instance(self, instance_loader, row):
        try:
            course = self.fields["course"].clean(row)
            staff = self.fields["staff"].clean(row, user=self.user)
        except ValueError:
            return None  # import_instance reports the bad cell
        if not (course and staff):
            return None
        return self._existing.get((course.pk, staff.pk))

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("course", "staff__institution")

    def save_with_service(self, instance, *, actor):
        attendance_save(attendance=instance, actor=actor)


def import_attendance(file_bytes: bytes, format: str, actor, courses) -> Result:
    """Import a sign-in sheet ("xlsx" or "csv") as `actor`, naming only `courses`; nothing is
    written when any row fails. Look at `result.has_errors()` and `result.invalid_rows`. A file
    refused as a whole (too large, not a spreadsheet, formulas) raises SpreadsheetFileError."""
    if format == "xlsx":
        dataset = SpreadsheetXLSX().create_dataset(file_bytes)
    elif format == "csv":
        dataset = SpreadsheetCSV().create_dataset(file_bytes)
    else:
        raise ValueError(format)
    resource = TrainingAttendanceResource(courses=courses)
    result = resource.import_data(dataset, dry_run=False, user=actor)
    result.messages = resource.error_messages(result)
    return result
