"""Rules of the inspections app that forms, serializers and services share.

- Uploaded files: the type is read from the file's first bytes, not trusted from its name or the
  browser's content type, and the size is capped (per kind, and by the UPLOAD_MAX_BYTES setting).
- Public wording: text shown on the public page must not carry an ID or a mobile number.
- Inspection rules: a spot check needs at least two inspectors.
- Incidents: when one happened is not in the future and not before 2000 (the report, its
  correction, the API and the form all ask `validate_incident_time`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.validators import MOBILE_IN_TEXT

from .choices import SPOT_CHECK_MIN_INSPECTORS, InspectionKind


def field_error(field: str, message, code: str) -> ValidationError:
    """An error on one field that keeps its code (the API answers with it)."""
    return ValidationError({field: ValidationError(message, code=code)})


PHOTO_MAX_BYTES = 10 * 2**20
EVIDENCE_MAX_BYTES = 20 * 2**20
MAX_FILES_PER_UPLOAD = 10

# Signature (at offset 0 unless said otherwise) -> (type name, extension).
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
_PDF_SIGNATURE = b"%PDF-"


def sniff_type(head: bytes) -> str | None:
    """The file's type from its first bytes: image/jpeg, image/png, image/webp or
    application/pdf; None for anything else."""
    for signature, name, _suffix in _IMAGE_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(_PDF_SIGNATURE):
        return "application/pdf"
    return None


def _read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    return head or b""


def _validate_file(file, *, allowed: set[str], max_bytes: int, what: str) -> str:
    # The deployment's UPLOAD_MAX_BYTES caps every kind; each kind may have a lower cap of its own.
    max_bytes = min(max_bytes, settings.UPLOAD_MAX_BYTES)
    size = getattr(file, "size", None) or 0
    if size > max_bytes:
        raise ValidationError(
            _("%(what)s不能超过%(mb)sMB。") % {"what": what, "mb": f"{max_bytes / 2**20:g}"},
            code="file_too_large",
        )
    if size == 0:
        raise ValidationError(_("%(what)s是空文件。") % {"what": what}, code="file_empty")
    kind = sniff_type(_read_head(file))
    if kind not in allowed:
        raise ValidationError(
            _("%(what)s格式不支持，请上传：%(types)s。")
            % {"what": what, "types": "、".join(sorted(_LABELS[t] for t in allowed))},
            code="file_type",
        )
    return kind


_LABELS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "application/pdf": "PDF",
}
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
EVIDENCE_TYPES = PHOTO_TYPES | {"application/pdf"}


def validate_photo_file(file) -> str:
    """A site photo: JPEG, PNG or WebP, at most PHOTO_MAX_BYTES. Returns the type."""
    return _validate_file(file, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, what=_("照片"))


def validate_evidence_file(file) -> str:
    """Rectification evidence: a photo or a PDF, at most EVIDENCE_MAX_BYTES. Returns the type."""
    return _validate_file(
        file, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES, what=_("佐证材料")
    )


def validate_file_count(files: list) -> None:
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(
            _("一次最多上传%(n)s个文件。") % {"n": MAX_FILES_PER_UPLOAD}, code="too_many_files"
        )


_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{6}\*{4,}\d{3}[\dXx]")


def validate_public_wording(text: str) -> str:
    """Text that the public page shows: no ID number and no mobile number in it."""
    if _ID_LIKE.search(text or "") or MOBILE_IN_TEXT.search(text or ""):
        raise ValidationError(
            _("公示内容不能包含身份证号码或手机号码，请删除后再保存。"), code="personal_data"
        )
    return text


def validate_inspectors(*, kind: str, inspector_count: int) -> None:
    if inspector_count < 1:
        raise field_error("inspectors", _("请至少选择一名检查人员。"), "no_inspector")
    if kind == InspectionKind.SPOT_CHECK and inspector_count < SPOT_CHECK_MIN_INSPECTORS:
        raise field_error(
            "inspectors",
            _("双随机抽查须由至少%(n)s名检查人员实施。") % {"n": SPOT_CHECK_MIN_INSPECTORS},
            "spot_check_two_inspectors",
        )


# Before 1901 Asia/Shanghai is local mean time (+08:05:43), which no RFC 3339 client reads; no
# incident of the pilot is that old anyway.
INCIDENT_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def validate_incident_time(moment: dt.datetime) -> dt.datetime:
    """When an incident happened: not before INCIDENT_EARLIEST, not later than now."""
    if moment < INCIDENT_EARLIEST:
        raise ValidationError(_("发生时间不能早于2000年1月1日。"), code="too_early")
    if moment > timezone.now():
        raise ValidationError(_("发生时间不能晚于现在。"), code="future")
    return moment
