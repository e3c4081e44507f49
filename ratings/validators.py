"""Evidence files an application carries: the rules of portal.uploads (type sniffed from the
bytes, size capped), as inspections' photos and evidence."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.uploads import DOCUMENT_TYPES, validate_upload

EVIDENCE_MAX_BYTES = 10 * 2**20


def validate_evidence_file(file) -> str:
    """A photo or a PDF, at most EVIDENCE_MAX_BYTES. Returns the type."""
    return validate_upload(
        file, allowed=DOCUMENT_TYPES, max_bytes=EVIDENCE_MAX_BYTES, what=_("佐证材料")
    )
