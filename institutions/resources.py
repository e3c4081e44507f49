"""Spreadsheet import and export of the registry: institutions, staff and certificates.

The bureau exchanges these lists as xlsx (or csv) files with Chinese column headers. Every row is
checked with the model's own rules (full_clean, the same as the forms) and our validators, then
saved through `institutions.services` with the importing user, so the audit history says who
imported it. An import is one transaction: if any row fails, nothing is written.

Column headers are fixed Chinese strings, not translated: they are the file format, and a file
filled in by one clerk must import whatever language another clerk's browser is set to.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from import_export import fields, widgets
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal.personal_data import keyed_hash
from portal.roles import scope
from portal.spreadsheets import (
    ChoiceWidget,
    CreditCodeWidget,
    DateWidget,
    DecimalWidget,
    ResidentIdWidget,
    SpreadsheetResource,
    TextWidget,
    YesNoWidget,
    cell_text,
)
from portal.validators import (
    mask_resident_id,
    normalize_credit_code,
)

from .models import Certificate, IdlePremises, Institution, StaffMember, Township
from .services import (
    certificate_save,
    institution_create,
    institution_update,
    registry_record_save,
    staff_save,
)

# --- Widgets that look up registry records -------------------------------------------------------


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


class StaffWidget(ResidentIdWidget):
    """A staff member by resident ID number and their institution's credit code (another column)."""

    # How the institution column is read (the training sign-in sheet of a provider's user reads
    # any institution's: institutions.training.resources).
    institution_widget = InstitutionWidget

    def __init__(self, institution_column: str):
        self.institution_column = institution_column
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if not number:
            return None
        institution = self.institution_widget().clean(
            (row or {}).get(self.institution_column), **kwargs
        )
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


def save_institution(
    instance: Institution, *, actor, operators=None, effective_from=None
) -> Institution:
    """institution_create for a new institution, institution_update otherwise.

    The admin and the import both hold an unsaved instance the caller goes on using (the admin
    saves its inlines against it), so a newly created one's primary key is copied back to it.
    """
    if not instance._state.adding:
        return institution_update(
            institution=instance, actor=actor, operators=operators, effective_from=effective_from
        )
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


CREDIT_CODE = "统一社会信用代码"
INSTITUTION_CREDIT_CODE = "机构统一社会信用代码"
ID_NUMBER = "身份证号码"
_DATE_HELP = "格式：2025-03-01"


class InstitutionResource(SpreadsheetResource):
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
    is_inclusive_kindergarten = fields.Field(
        "is_inclusive_kindergarten", "普惠性幼儿园", YesNoWidget()
    )
    panic_alarm_installed_on = fields.Field(
        "panic_alarm_installed_on", "一键式报警安装日期", DateWidget()
    )
    panic_alarm_removed_on = fields.Field(
        "panic_alarm_removed_on", "一键式报警拆除日期", DateWidget()
    )
    latitude = fields.Field("latitude", "纬度", DecimalWidget())
    longitude = fields.Field("longitude", "经度", DecimalWidget())

    class Meta(SpreadsheetResource.Meta):
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
            "is_inclusive_kindergarten",
            "panic_alarm_installed_on",
            "panic_alarm_removed_on",
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


class StaffMemberResource(SpreadsheetResource):
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

    class Meta(SpreadsheetResource.Meta):
        model = StaffMember
        import_id_fields = ["institution", "id_number", "hired_on"]
        fields = (
            "institution",
            "name",
            "id_number",
            "role",
            "hired_on",
            "left_on",
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


class CertificateResource(SpreadsheetResource):
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

    class Meta(SpreadsheetResource.Meta):
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


# --- Idle state-owned premises --------------------------------------------------------------------


class IdlePremisesResource(SpreadsheetResource):
    """闲置国有房源: the bureau's list of premises; a row is matched to a stored one by its name and
    township, else added. The matched institution is given by its credit code."""

    required_columns = (
        "房源名称",
        "产权单位",
        "所属镇街",
        "地址",
        "建筑面积（平方米）",
        "发布日期",
    )
    column_help = {
        "所属镇街": "乐清市的镇街名称（如“柳市镇”）或统计用区划代码",
        "建筑面积（平方米）": "大于0的数字",
        "发布日期": _DATE_HELP,
        "状态": "可申请、已对接、已投入使用或已撤回；留空为可申请",
        "对接机构统一社会信用代码": "已对接或已投入使用时必填",
        "对接日期": _DATE_HELP + "；已对接或已投入使用时必填",
        "减免起始日": _DATE_HELP,
        "减免截止日": _DATE_HELP + "（含当日）",
        "咨询电话": "产权单位的办公电话，将公开；请勿填写个人手机号",
    }
    looked_up_foreign_keys = ("township",)

    name = fields.Field("name", "房源名称", TextWidget())
    owner = fields.Field("owner", "产权单位", TextWidget())
    township = fields.Field("township", "所属镇街", TownshipWidget())
    address = fields.Field("address", "地址", TextWidget())
    floor_area = fields.Field("floor_area", "建筑面积（平方米）", DecimalWidget())
    contact_phone = fields.Field("contact_phone", "咨询电话", TextWidget())
    offered_on = fields.Field("offered_on", "发布日期", DateWidget())
    state = fields.Field("state", "状态", ChoiceWidget(IdlePremises.State))
    institution = fields.Field("institution", "对接机构统一社会信用代码", InstitutionWidget())
    matched_on = fields.Field("matched_on", "对接日期", DateWidget())
    rent_relief = fields.Field("rent_relief", "租金减免", TextWidget())
    relief_from = fields.Field("relief_from", "减免起始日", DateWidget())
    relief_to = fields.Field("relief_to", "减免截止日", DateWidget())
    note = fields.Field("note", "备注", TextWidget())

    class Meta(SpreadsheetResource.Meta):
        model = IdlePremises
        import_id_fields = ["name", "township"]
        fields = (
            "name",
            "owner",
            "township",
            "address",
            "floor_area",
            "contact_phone",
            "offered_on",
            "state",
            "institution",
            "matched_on",
            "rent_relief",
            "relief_from",
            "relief_to",
            "note",
        )

    @classmethod
    def get_display_name(cls):
        return _("闲置国有房源")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.fields["township"].widget.preload()

    def import_instance(self, instance, row, **kwargs):
        # A blank state keeps a stored row's state; a new row starts on offer.
        previous = instance.state if instance.pk else IdlePremises.State.OFFERED
        super().import_instance(instance, row, **kwargs)
        if not instance.state:
            instance.state = previous

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("township", "institution")

    def save_with_service(self, instance, *, actor):
        registry_record_save(record=instance, actor=actor)
