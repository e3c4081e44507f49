"""Concerns (投诉/反映) the public sends about an institution (plan.md task 8.1: 信息公示 is there
to 接受社会监督, which needs a way in). Anonymous is allowed and a contact optional; whoever
left a mobile number follows the concern by its reference number and that number. The bureau
moves it through received → in hand → answered → closed, answers in words the sender reads, and
links it to the inspection or finding it led to."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution
from portal.personal_data import PersonNameField, PhoneNumberField
from portal.uploads import EXTENSIONS, read_head, sniff_type

from ..validators import validate_concern_attachment
from .findings import Finding
from .inspections import Inspection

CONCERN_TEXT_MAX = 2000


def _attachment_path(instance, filename: str) -> str:
    """A random name (the sender's file name is never kept) with the extension its bytes say."""
    kind = sniff_type(read_head(instance.attachment.file)) if instance.attachment else None
    return f"inspections/concerns/{uuid.uuid4().hex}.{EXTENSIONS.get(kind or '', 'bin')}"


CONCERN_ANSWER_MAX = 2000


class Concern(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        REPORT = "report", _("反映问题或意见建议")

    class State(models.TextChoices):
        RECEIVED = "received", _("已收到")
        IN_HAND = "in_hand", _("处理中")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    reference = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("机构")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("反映内容"), max_length=CONCERN_TEXT_MAX)
    contact_name = PersonNameField(_("联系人"), blank=True)
    contact_phone = PhoneNumberField(
        _("联系手机"), blank=True, help_text=_("留了手机号码的，可凭编号和手机号码查询处理结果。")
    )
    attachment = models.FileField(
        _("附件"),
        upload_to=_attachment_path,
        blank=True,
        validators=[validate_concern_attachment],
        help_text=_("照片或PDF，不超过10MB。"),
    )
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    answer = models.TextField(
        _("答复"),
        max_length=CONCERN_ANSWER_MAX,
        blank=True,
        help_text=_("反映人查询时看到这段文字：不写其他人的姓名、身份证号码或电话。"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("引起的检查"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("引起的问题"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )

    history = HistoricalRecords()
    # The bureau's queue: operators never see who complained about them.
    institution_path = None

    class Meta:
        verbose_name = _("投诉与反映")
        verbose_name_plural = _("投诉与反映")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["answered", "closed"])
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="concern_answered_has_answer",
                violation_error_message=_("答复后才能标记为已答复或已办结。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.institution}"
