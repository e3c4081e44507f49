"""The schemes' rates from a spreadsheet (补助标准导入): the bureau keeps its rate tables in
spreadsheets, as it keeps its lists of premises. The same rules as every import
(portal/spreadsheets): Chinese column headers, the model's validation, all or nothing, each error
named by its row; a row matches a stored rate by scheme, class type and star level, else adds one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, widgets

from institutions.class_types import ClassType
from portal.spreadsheets import (
    ChoiceWidget,
    DecimalWidget,
    SpreadsheetResource,
    cell_text,
)

from .models import SchemeRate, SubsidyScheme


class SchemeWidget(widgets.Widget):
    """A scheme by its exact name."""

    def clean(self, value, row=None, **kwargs):
        name = cell_text(value)
        if not name:
            return None
        scheme = SubsidyScheme.objects.filter(name=name).first()
        if scheme is None:
            raise ValueError(
                _("补助项目“%(name)s”不存在，请先在管理后台建立该项目。") % {"name": name}
            )
        return scheme

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class StarsWidget(widgets.Widget):
    """Blank (any level) or a whole number from 1 to 5."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).removesuffix("星")
        if not text:
            return None
        if not text.isdigit() or not 1 <= int(text) <= 5:
            raise ValueError(_("星级须为1至5的整数，不分星级请留空。"))
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ClassTypeWidget(ChoiceWidget):
    """A class type by its label, its short name (托小班) or its value; blank is any class."""

    def __init__(self):
        super().__init__(ClassType)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        short = {str(label).split("（")[0]: value for value, label in ClassType.choices}
        return short.get(text) or super().clean(value, row, **kwargs)


class SchemeRateResource(SpreadsheetResource):
    all_or_nothing = True
    required_columns = ("补助项目", "金额（元）")
    column_help = {
        "补助项目": "管理后台中已建立的补助项目名称，须完全一致",
        "班型": "乳儿班、托小班、托大班或混龄班；不分班型请留空",
        "星级": "1至5；不分星级请留空",
        "金额（元）": "每人每月、每个新增托位或每项奖励的金额，不小于0",
    }

    scheme = fields.Field("scheme", "补助项目", SchemeWidget())
    class_type = fields.Field("class_type", "班型", ClassTypeWidget())
    stars = fields.Field("stars", "星级", StarsWidget())
    amount = fields.Field("amount", "金额（元）", DecimalWidget())

    class Meta(SpreadsheetResource.Meta):
        model = SchemeRate
        import_id_fields = ["scheme", "class_type", "stars"]
        fields = ("scheme", "class_type", "stars", "amount")

    @classmethod
    def get_display_name(cls):
        return _("补助标准")

    def get_instance(self, instance_loader, row):
        try:
            scheme = self.fields["scheme"].clean(row)
            class_type = self.fields["class_type"].clean(row) or ""
            stars = self.fields["stars"].clean(row)
        except ValueError:
            return None  # import_instance reports the bad cell
        if scheme is None:
            return None
        return SchemeRate.objects.filter(scheme=scheme, class_type=class_type, stars=stars).first()

    def save_with_service(self, instance, *, actor):
        instance.full_clean()
        if actor is not None and getattr(actor, "is_authenticated", False):
            instance._history_user = actor
        with transaction.atomic():
            instance.save()
