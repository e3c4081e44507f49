"""How free text naming a health facility (a "1+1" contract's 签约医疗卫生机构, a session's 组织方名称)
is matched to a facility record: the same name once spaces, brackets' style and the city's
prefix are set aside, and only when exactly one facility has it. Plain functions on strings, so
the data migration and the bureau's "match by name" use the same rule."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
CITY_PREFIXES = ("浙江省乐清市", "乐清市", "乐清")


def normalise(name: str) -> str:
    text = _SPACES.sub("", str(name or "")).replace("（", "(").replace("）", ")")
    for prefix in CITY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


def name_index(facilities) -> dict[str, int | None]:
    """{normalised name: facility id}, None where two facilities share a normalised name."""
    index: dict[str, int | None] = {}
    for pk, name in facilities:
        key = normalise(name)
        index[key] = None if key in index else pk
    return index


def match(text: str, index: dict[str, int | None]) -> int | None:
    """The facility id `text` names, or None (no facility, or more than one)."""
    key = normalise(text)
    return index.get(key) if key else None
