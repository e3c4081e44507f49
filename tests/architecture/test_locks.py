"""Every advisory lock goes through portal.locks, where each has its own namespace."""

from portal.locks import LockNamespace

from . import imports as graph


def test_only_portal_locks_takes_advisory_locks():
    takers = [
        f"{graph.module_name(path)}:{number}"
        for path in graph.source_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "pg_advisory" in line or "pg_try_advisory" in line
    ]
    assert takers, "the scan found no advisory lock at all"
    assert {taker.partition(":")[0] for taker in takers} == {"portal.locks"}, takers


def test_each_lock_has_a_namespace_of_its_own():
    values = [member.value for member in LockNamespace]
    assert len(values) == len(set(values)) >= 2
    assert all(-(2**31) <= value < 2**31 for value in values)
