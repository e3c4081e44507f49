"""The default checklists, loaded by migration 0003; here for code that needs them back after a
test database was flushed (transactional tests truncate every table) or in a fresh demo."""

from __future__ import annotations

import importlib

from django.apps import apps


def ensure_default_checklists() -> None:
    """Create the default checklist of every kind that has none. Idempotent."""
    migration = importlib.import_module("inspections.migrations.0003_default_checklists")
    migration.load(apps, None)
