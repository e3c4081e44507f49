"""Files the portal accepts (inspection photos, rectification evidence, a family's proof, a
concern's attachment) and serves back.

The type is read from the file's first bytes, never trusted from its name or the browser's
content type, and the size is capped (per kind, and by the UPLOAD_MAX_BYTES setting). A stored
file is served inline with the sniffed type and never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

# Signature (at offset 0 unless said otherwise) -> (type name, extension).
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
_PDF_SIGNATURE = b"%PDF-"

LABELS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "application/pdf": "PDF",
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}


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


def read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    return head or b""


def validate_upload(file, *, allowed: set[str], max_bytes: int, what: str) -> str:
    """Refuse a file over the cap, empty, or of a type not `allowed`; return its type."""
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
    kind = sniff_type(read_head(file))
    if kind not in allowed:
        raise ValidationError(
            _("%(what)s格式不支持，请上传：%(types)s。")
            % {"what": what, "types": "、".join(sorted(LABELS[t] for t in allowed))},
            code="file_type",
        )
    return kind


def file_response(field_file):
    """A stored file, inline, with the type its bytes say, never cached."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = handle.read(16)
    handle.seek(0)
    content_type = sniff_type(head) or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response
