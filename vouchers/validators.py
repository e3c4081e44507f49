"""Rules of the vouchers app that forms, services and models share."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from portal.uploads import DOCUMENT_TYPES, EXTENSIONS, read_head, sniff_type, validate_upload

PROOF_MAX_BYTES = 5 * 2**20


def validate_proof_file(file) -> str:
    """A family's proof with an online application (户口簿 or 居住证): a photo or a PDF, at most
    PROOF_MAX_BYTES. Returns the type."""
    return validate_upload(
        file, allowed=DOCUMENT_TYPES, max_bytes=PROOF_MAX_BYTES, what=_("证明材料")
    )


def proof_path(instance, filename: str) -> str:
    """A random name (the family's file name is never kept) with the extension its bytes say."""
    kind = sniff_type(read_head(instance.proof.file)) if instance.proof else None
    return f"vouchers/proofs/{uuid.uuid4().hex}.{EXTENSIONS.get(kind or '', 'bin')}"
