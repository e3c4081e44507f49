"""Where a previewed spreadsheet waits for its confirm step: a folder of the portal's own
(IMPORT_TMP_DIR, readable by the portal's user only) instead of the system's temporary folder,
so that files a user previewed and never confirmed (a staff list holds ID numbers) are removed
by the nightly purge (`purge_import_files`)."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage

logger = logging.getLogger(__name__)


def import_tmp_dir() -> Path:
    folder = Path(settings.IMPORT_TMP_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


class ImportTempStorage(TempFolderStorage):
    def get_full_path(self):
        # The confirm form gives the name back; only a file of this folder can be read.
        return str(import_tmp_dir() / os.path.basename(self.name))

    def _open(self, mode="r"):
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)
        tmp_file = tempfile.NamedTemporaryFile(delete=False, dir=import_tmp_dir(), prefix="import-")
        self.name = os.path.basename(tmp_file.name)
        return tmp_file


def purge_import_files(*, older_than_seconds: int) -> int:
    """Remove previewed files older than the given age; returns how many were removed."""
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in import_tmp_dir().glob("import-*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # confirmed (and removed) meanwhile
            continue
    logger.info("purged %s unconfirmed import files", removed)
    return removed
