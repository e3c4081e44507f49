"""A condition on one row of the registry facts, written once as a Q and read two ways: by the
drill-down (an ORM filter on `institutions_as_of`'s annotations) and by the set-based totals
(the same condition in SQL on the facts row `f`, inside an aggregate's FILTER clause).

Only what the definitions need is translated: AND, OR, NOT, exact (a boolean column stands
alone), gt, gte, lt, lte and isnull. Anything else is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q

_OPERATORS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def fields_of(q: Q) -> set[str]:
    """The facts columns `q` reads."""
    names: set[str] = set()
    for child in q.children:
        names |= fields_of(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


def _param(value):
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _lookup_sql(lookup: str, value, alias: str) -> tuple[str, list]:
    field, _, operator = lookup.partition("__")
    column = f"{alias}.{field}"
    if operator == "isnull":
        return f"{column} IS {'' if value else 'NOT '}NULL", []
    if operator in ("", "exact") and isinstance(value, bool):
        return (column if value else f"NOT {column}"), []
    if operator in ("", "exact") and value is None:
        raise ValueError(f"{lookup}=None: write {field}__isnull")
    if (operator or "exact") not in _OPERATORS:
        raise ValueError(f"no SQL for the lookup {lookup!r}")
    return f"{column} {_OPERATORS[operator or 'exact']} %s", [_param(value)]


def where_sql(q: Q, alias: str = "f") -> tuple[str, list]:
    """`q` as SQL on the row `alias` and its parameters; ("", []) for an empty Q (every row)."""
    parts, params = [], []
    for child in q.children:
        sql, child_params = (
            where_sql(child, alias) if isinstance(child, Q) else _lookup_sql(*child, alias)
        )
        if sql:
            parts.append(f"({sql})")
            params += child_params
    sql = f" {q.connector} ".join(parts)
    return (f"NOT ({sql})" if q.negated and sql else sql), params
