"""Cell widgets: a cell in, a checked value out, with a Chinese message naming what is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from portal.validators import (
    mask_resident_id,
    normalize_credit_code,
    normalize_resident_id,
    validate_resident_id,
)

from .formats import cell_text

# --- Cell values ----------------------------------------------------------------------------------


def error_text(error: ValidationError) -> str:
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
            raise ValueError(error_text(error)) from None

    def render(self, value, obj=None, **kwargs):
        # str() of a stored ResidentId is already masked; a plain str (a row being previewed) is
        # masked here. Either way the result is a plain str, never the ResidentId itself.
        return mask_resident_id(str(value)) if value else ""
