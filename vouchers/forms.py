"""Forms of the voucher pages. They check input; every write goes through `vouchers/services/`."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Township
from portal import dates
from portal.dates import add_months, format_month, month_start
from portal.forms import PAGE_YEARS, MonthChoiceField
from portal.personal_data import keyed_hash
from portal.spreadsheets import SpreadsheetFileError, check_import_size
from portal.validators import validate_phone, validate_resident_id

from . import codes
from .models import Guardian, Settlement, Voucher, VoucherApplication, VoucherBatch
from .validators import validate_proof_file

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,100}")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def month_value(month: dt.date) -> str:
    return format_month(month)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def parse_month(text: str) -> dt.date | None:
    """The month a filter's text names, by the portal's one month rule, or None (the filter
    then keeps its default)."""
    try:
        month = dates.parse_month(text or "")
    except ValueError:
        return None
    return month if month.year in PAGE_YEARS else None


def month_choices(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """Months from `last` back to `first`, newest first."""
    choices, month = [], month_start(last)
    while month >= month_start(first):
        choices.append((month_value(month), month_label(month)))
        month = add_months(month, -1)
    return choices


def _text_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


class VoucherCodeField(forms.CharField):
    """A voucher code as printed (XXXX-XXXX-XXXX) or typed without dashes; the check character
    catches a mistyped code before anything is looked up."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("券码"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("12位，印在托育券告知书上，如 ABCD-EFGH-JK23。"))
        kwargs.setdefault(
            "widget",
            _text_input(autocapitalize="characters", spellcheck="false", inputmode="text"),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = codes.normalize(super().clean(value))
        if value and not codes.is_well_formed(value):
            raise ValidationError(
                _("券码有误（位数或校验位不对），请对照告知书核对。"), code="bad_code"
            )
        return value


class ResidentIdFormField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("widget", _text_input(inputmode="text", spellcheck="false"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validate_resident_id(value) if value else value


# --- Applications -------------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    """A family's application as a clerk enters it: guardian, child, batch."""

    batch = forms.ModelChoiceField(
        label=_("发放批次"), queryset=VoucherBatch.objects.none(), empty_label=None
    )
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, widget=_text_input())
    guardian_phone = forms.CharField(
        label=_("监护人联系电话"), max_length=20, widget=_text_input(inputmode="tel")
    )
    guardian_id_number = ResidentIdFormField(label=_("监护人身份证号码"))
    child_name = forms.CharField(label=_("幼儿姓名"), max_length=50, widget=_text_input())
    child_id_number = ResidentIdFormField(
        label=_("幼儿身份证号码"), help_text=_("出生日期由身份证号码得出。")
    )
    hukou_township = forms.ModelChoiceField(
        label=_("户籍所在镇街"),
        queryset=Township.objects.all(),
        required=False,
        empty_label=_("非乐清户籍"),
    )
    has_residence_permit = forms.BooleanField(label=_("持乐清居住证"), required=False)
    special_needs = forms.BooleanField(label=_("特殊需要儿童"), required=False)
    applied_on = forms.DateField(
        label=_("申请日期"), widget=DateInput(), help_text=_("家庭提交申请的日期，按此日判断月龄。")
    )

    def __init__(self, *args, allow_date: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["batch"].queryset = VoucherBatch.objects.order_by("-apply_from", "pk")
        open_batch = (
            VoucherBatch.objects.filter(apply_from__lte=today, apply_until__gte=today)
            .order_by("-apply_from")
            .first()
        )
        if open_batch is not None:
            self.fields["batch"].initial = open_batch.pk
        if allow_date:
            self.fields["applied_on"].initial = today
        else:
            del self.fields["applied_on"]

    def clean_guardian_phone(self):
        return Guardian._meta.get_field("phone").validate_value(self.cleaned_data["guardian_phone"])

    def clean(self):
        data = super().clean()
        if data.get("guardian_id_number") and data.get("guardian_id_number") == data.get(
            "child_id_number"
        ):
            self.add_error("child_id_number", _("幼儿和监护人的身份证号码不能相同。"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "batch": data["batch"],
            "guardian_name": data["guardian_name"].strip(),
            "guardian_phone": data["guardian_phone"],
            "guardian_id_number": data["guardian_id_number"],
            "child_name": data["child_name"].strip(),
            "child_id_number": data["child_id_number"],
            "hukou_township": data.get("hukou_township"),
            "has_residence_permit": data.get("has_residence_permit", False),
            "special_needs": data.get("special_needs", False),
            "applied_on": data.get("applied_on") or timezone.localdate(),
        }


CONSENT_TEXT = _(
    "我同意乐清市卫生健康局使用以上信息审核本次托育券申请、发放和使用托育券。"
    "身份证号码和电话加密保存，只有审核人员能看到；不会用于其他用途，也不会公开。"
)


class PublicApplicationForm(ApplicationForm):
    """A family's own application online (no account): the clerk's form without the batch
    (chosen on the page), the date (today) and the special-needs flag (the bureau's to set), and
    with the family's consent to the use of the details."""

    proof = forms.FileField(
        label=_("证明材料（可不上传）"),
        required=False,
        help_text=_("户口簿户主页和幼儿页，或居住证的照片或PDF，不超过5MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("请阅读并勾选同意后再提交。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_date=False, **kwargs)
        del self.fields["batch"]
        del self.fields["special_needs"]
        self.fields["guardian_phone"].label = _("监护人手机号码")
        self.fields["guardian_phone"].help_text = _("11位手机号码，审核有疑问时联系您。")

    def clean_guardian_phone(self):
        return validate_phone(self.cleaned_data["guardian_phone"], kind="mobile")

    def clean_proof(self):
        proof = self.cleaned_data.get("proof")
        if proof:
            validate_proof_file(proof)
        return proof

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "guardian_name": data["guardian_name"].strip(),
            "guardian_phone": data["guardian_phone"],
            "guardian_id_number": data["guardian_id_number"],
            "child_name": data["child_name"].strip(),
            "child_id_number": data["child_id_number"],
            "hukou_township": data.get("hukou_township"),
            "has_residence_permit": data.get("has_residence_permit", False),
            "proof": data.get("proof"),
            "consent": data.get("consent", False),
        }


class PreCheckForm(forms.Form):
    """Before applying: would the child meet the batch's rules? Nothing is stored."""

    RESIDENCE_CHOICES = (
        ("hukou", _("乐清户籍")),
        ("permit", _("非乐清户籍，持乐清居住证")),
        ("none", _("以上都不是")),
    )
    birth_date = forms.DateField(label=_("幼儿出生日期"), widget=DateInput())
    residence = forms.ChoiceField(
        label=_("户籍或居住证"), choices=RESIDENCE_CHOICES, widget=forms.RadioSelect
    )


class ApplicationFilterForm(forms.Form):
    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=VoucherBatch.objects.none(), required=False, empty_label=_("全部")
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *VoucherApplication.State.choices],
    )
    eligible = forms.ChoiceField(
        label=_("资格"),
        required=False,
        choices=[("", _("全部")), ("yes", _("符合条件")), ("no", _("不符合条件"))],
    )
    source = forms.ChoiceField(
        label=_("来源"),
        required=False,
        choices=[("", _("全部")), *VoucherApplication.Source.choices],
    )
    id_number = forms.CharField(
        label=_("幼儿身份证号码"),
        required=False,
        max_length=18,
        help_text=_("输入完整的18位号码精确查找。"),
        widget=_text_input(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = VoucherBatch.objects.order_by("-apply_from", "pk")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["batch"]:
            queryset = queryset.filter(batch=data["batch"])
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["eligible"]:
            queryset = queryset.filter(eligible=data["eligible"] == "yes")
        if data["source"]:
            queryset = queryset.filter(source=data["source"])
        number = (data["id_number"] or "").strip().upper()
        if number:
            queryset = queryset.filter(child__id_number_hash=keyed_hash(number))
        return queryset


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不通过原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("将记录在申请中，家庭咨询时可据此答复。"),
    )


class ImportForm(forms.Form):
    batch = forms.ModelChoiceField(
        label=_("发放批次"), queryset=VoucherBatch.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("申请名单（xlsx）"),
        help_text=_("请使用下载的导入模板；任何一行有误时整份名单都不会导入。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = VoucherBatch.objects.order_by("-apply_from", "pk")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 xlsx 格式的文件（Excel 2007 及以上）。"))
        try:
            check_import_size(upload.size)  # IMPORT_MAX_BYTES, as every spreadsheet import
        except SpreadsheetFileError as error:
            raise ValidationError(str(error)) from None
        return upload


# --- Operators: enrolment, redemption, reversal -------------------------------------------------


class EnrolmentForm(forms.Form):
    """A voucher child starts attending: identified by the voucher code and the child's ID
    number together, so an operator cannot enrol a child from a code alone."""

    MISMATCH = _("券码与幼儿身份证号码不匹配，请核对后重新输入。")

    voucher_code = VoucherCodeField()
    child_id_number = ResidentIdFormField(label=_("幼儿身份证号码"))
    start = forms.DateField(label=_("入托日期"), widget=DateInput(), help_text=_("含当日。"))
    end = forms.DateField(
        label=_("离托日期"),
        widget=DateInput(),
        required=False,
        help_text=_("含当日；仍在托请留空。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = timezone.localdate()
        self.voucher: Voucher | None = None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("离托日期不能早于入托日期。"))
        code, number = data.get("voucher_code"), data.get("child_id_number")
        if code and number:
            voucher = Voucher.objects.select_related("child").filter(code=code).first()
            # One message for an unknown code and a wrong ID number: neither is confirmed.
            if voucher is None or voucher.child.id_number_hash != keyed_hash(number):
                raise ValidationError(self.MISMATCH, code="mismatch")
            self.voucher = voucher
        return data


class EnrolmentEndForm(forms.Form):
    end = forms.DateField(label=_("离托日期"), widget=DateInput(), help_text=_("含当日。"))

    def __init__(self, *args, enrolment, **kwargs):
        self.enrolment = enrolment
        super().__init__(*args, **kwargs)
        self.fields["end"].initial = timezone.localdate()

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end < self.enrolment.start:
            raise ValidationError(
                _("离托日期不能早于入托日期（%(start)s）。")
                % {"start": self.enrolment.start.isoformat()}
            )
        return end


def new_idempotency_key() -> str:
    return f"web-{uuid.uuid4().hex}"


class RedemptionForm(forms.Form):
    """The idempotency key is made when the form is first shown and travels in a hidden field:
    a double click or a resubmitted page sends the same key, and the service redeems once."""

    voucher_code = VoucherCodeField()
    fee_month = MonthChoiceField(label=_("费用月份"))
    amount = forms.DecimalField(
        label=_("抵扣金额（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"}),
        help_text=_("核对券码后自动填入余额、当月抵扣上限和当月托育费中最少的一项，可改小。"),
    )
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=100,
        error_messages={"required": _("页面已过期，请核对后重新提交。")},
    )
    # The button pressed: "check" shows whose voucher it is and fills the amount; "confirm" (or a
    # POST with an amount and no button, as scripts send it) redeems.
    CHECK, CONFIRM = "check", "confirm"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # No future month: a fee is redeemed for a month that has begun.
        self.fields["fee_month"].choices = month_choices(
            add_months(month_start(today), -11), month_start(today)
        )
        self.fields["fee_month"].initial = month_value(month_start(today))
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())

    @property
    def confirming(self) -> bool:
        action = self.data.get("action")
        return action == self.CONFIRM or (action is None and bool(self.data.get("amount")))

    def clean(self):
        cleaned = super().clean()
        if self.confirming and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("请填写抵扣金额。"))
        return cleaned

    def clean_idempotency_key(self):
        key = self.cleaned_data["idempotency_key"]
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise ValidationError(_("页面已过期，请核对后重新提交。"))
        return key

    def with_new_key(self) -> RedemptionForm:
        """The same input with a fresh key (after the old one was spent on another request)."""
        data = self.data.copy()
        data["idempotency_key"] = new_idempotency_key()
        form = RedemptionForm(data)
        form.is_valid()
        return form

    def filled(self, amount) -> RedemptionForm:
        """The checked input, the same key, and the amount filled in, ready to confirm."""
        data = self.data.copy()
        data["amount"] = f"{amount:.2f}"
        data["action"] = self.CONFIRM
        form = RedemptionForm(data)
        form.is_valid()
        return form


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("冲正原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


# --- Settlements -----------------------------------------------------------------------------------


class SettlementPrepareForm(forms.Form):
    month = MonthChoiceField(label=_("费用月份"))

    def __init__(self, *args, first: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["month"].choices = month_choices(first, month_start(today))
        self.fields["month"].initial = month_value(add_months(month_start(today), -1))


class MarkPaidForm(forms.Form):
    reference = forms.CharField(
        label=_("支付凭证号"),
        max_length=100,
        widget=_text_input(),
        help_text=_("财务支付的凭证号或银行流水号。"),
    )


class SettlementFilterForm(forms.Form):
    month = forms.ChoiceField(label=_("费用月份"), required=False)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Settlement.State.choices]
    )

    def __init__(self, *args, first: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            ("", _("全部")),
            *month_choices(first, month_start(timezone.localdate())),
        ]


class MonthRangeForm(forms.Form):
    month_from = forms.ChoiceField(label=_("起始月份"), required=False)
    month_to = forms.ChoiceField(label=_("截止月份"), required=False)
    q = forms.CharField(label=_("机构名称"), required=False, max_length=100)

    def __init__(
        self, *args, first: dt.date, default_months: int = 6, with_name: bool = True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if not with_name:
            del self.fields["q"]
        this_month = month_start(timezone.localdate())
        choices = month_choices(first, add_months(this_month, 1))
        self.fields["month_from"].choices = choices
        self.fields["month_to"].choices = choices
        self.default_from = max(month_start(first), add_months(this_month, 1 - default_months))
        self.default_to = this_month
        self.fields["month_from"].initial = month_value(self.default_from)
        self.fields["month_to"].initial = month_value(self.default_to)

    def range(self) -> tuple[dt.date, dt.date, str]:
        data = self.cleaned_data if self.is_valid() else {}
        month_from = parse_month(data.get("month_from", "")) or self.default_from
        month_to = parse_month(data.get("month_to", "")) or self.default_to
        if month_to < month_from:
            month_from, month_to = month_to, month_from
        return month_from, month_to, (data.get("q") or "").strip()
