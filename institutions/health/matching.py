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


# What a township-level facility's name ends with, and the kind it makes (HealthFacility.Kind's
# values: this module imports no model). Longest first, so 中心卫生院 is not read as 卫生院.
TOWNSHIP_SUFFIXES = (
    ("社区卫生服务中心", "community_centre"),
    ("中心卫生院", "township_hospital"),
    ("卫生院", "township_hospital"),
)
_DIVISION_ENDINGS = ("街道", "镇", "乡")


def _stem(township_name: str) -> str:
    for ending in _DIVISION_ENDINGS:
        if township_name.endswith(ending) and len(township_name) > len(ending):
            return township_name[: -len(ending)]
    return township_name


def named_township_facility(text: str, townships) -> tuple[str, int, str] | None:
    """(name, township id, kind) of the township-level facility `text` names by itself: a
    township of the city (its full name, or its name without 街道/镇/乡 where no other township
    shares that stem) followed by 社区卫生服务中心, 中心卫生院 or 卫生院, and nothing else. None when
    the text says less (医院, 卫生服务站, a county facility, whose township its name does not give).
    `townships` is [(id, name)]. The name returned is the normalised text under the city's name."""
    key = normalise(text)
    ending = next(
        ((s, kind) for s, kind in TOWNSHIP_SUFFIXES if key.endswith(s) and len(key) > len(s)), None
    )
    if ending is None:
        return None
    suffix, kind = ending
    place = key[: -len(suffix)]
    full = {name: pk for pk, name in townships}
    stems: dict[str, int | None] = {}
    for pk, name in townships:
        stem = _stem(name)
        stems[stem] = None if stem in stems else pk
    found = full.get(place) or stems.get(place)
    return (f"{CITY_PREFIXES[1]}{key}", found, kind) if found else None


def facilities_to_create(texts, townships, existing) -> list[tuple[str, int, str]]:
    """The township-level facilities today's free text names unambiguously and no record holds
    yet: [(name, township id, kind)]. `existing` is [(name, township id, kind)] of the records.
    A (township, kind) named two different ways (柳市镇卫生院 and 柳市镇中心卫生院), or one that
    already has a record under another name, is left for the bureau: which is meant is a
    judgement, not a spelling."""
    known_names = {normalise(name) for name, _t, _k in existing}
    taken = {(township, kind) for _n, township, kind in existing}
    wanted: dict[tuple[int, str], set[str]] = {}
    for text in texts:
        named = named_township_facility(text, townships)
        if named and normalise(named[0]) not in known_names:
            wanted.setdefault((named[1], named[2]), set()).add(named[0])
    return sorted(
        (names.pop(), township, kind)
        for (township, kind), names in wanted.items()
        if len(names) == 1 and (township, kind) not in taken
    )
