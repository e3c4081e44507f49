"""Rules of the inspections app that forms, serializers and services share.

- Uploaded files: portal.uploads reads the type from the file's first bytes and caps the size
  (per kind here, and by the UPLOAD_MAX_BYTES setting).
- Public wording: text shown on the public page must not carry an ID or a mobile number.
- Inspection rules: a spot check needs at least two inspectors.
- Incidents: when one happened is not in the future and not before 2000 (the report, its
  correction, the API and the form all ask `validate_incident_time`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.uploads import DOCUMENT_TYPES, IMAGE_TYPES, validate_upload
from portal.validators import MOBILE_IN_TEXT

from .choices import SPOT_CHECK_MIN_INSPECTORS, InspectionKind


def field_error(field: str, message, code: str) -> ValidationError:
    """An error on one field that keeps its code (the API answers with it)."""
    return ValidationError({field: ValidationError(message, code=code)})


PHOTO_MAX_BYTES = 10 * 2**20
EVIDENCE_MAX_BYTES = 20 * 2**20
MAX_FILES_PER_UPLOAD = 10

PHOTO_TYPES = IMAGE_TYPES
EVIDENCE_TYPES = DOCUMENT_TYPES


def _validate_file(file, *, allowed: set[str], max_bytes: int, what: str) -> str:
    return validate_upload(file, allowed=allowed, max_bytes=max_bytes, what=what)


def validate_photo_file(file) -> str:
    """A site photo: JPEG, PNG or WebP, at most PHOTO_MAX_BYTES. Returns the type."""
    return _validate_file(file, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, what=_("照片"))


def validate_evidence_file(file) -> str:
    """Rectification evidence: a photo or a PDF, at most EVIDENCE_MAX_BYTES. Returns the type."""
    return _validate_file(
        file, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES, what=_("佐证材料")
    )


CONCERN_ATTACHMENT_MAX_BYTES = 10 * 2**20


def validate_concern_attachment(file) -> str:
    """A concern's attachment from the public: a photo or a PDF, at most 10 MB."""
    return _validate_file(
        file, allowed=EVIDENCE_TYPES, max_bytes=CONCERN_ATTACHMENT_MAX_BYTES, what=_("附件")
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
