"""docs/architecture.md stays true: it lists every periodic job and names only files that exist."""

import re

from lequing_tuoyu.celery import app

from .imports import PACKAGES, ROOT

DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_scheduled_task_is_listed():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert tasks, "the schedule is empty: the check would prove nothing"
    missing = sorted(task for task in tasks if f"`{task}`" not in DOC)
    assert missing == []


def test_every_path_named_exists():
    # `dir/file.py`, `dir/sub/` and the like; dotted names and settings are not paths.
    named = set(re.findall(r"`([a-z_]+/[a-z_/]*(?:\.(?:py|md))?)`", DOC))
    assert len(named) > 10
    # A name inside an app's row (`kpis/`, `views/`) is relative to one of the packages.
    packages = [ROOT, *(ROOT / package for package in PACKAGES)]
    missing = sorted(path for path in named if not any((base / path).exists() for base in packages))
    assert missing == []
