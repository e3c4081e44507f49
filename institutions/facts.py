"""The registry as it stood on day D, set-based: one pass over each dated-fact table (issue 21).

`institutions_as_of` (selectors.py) answers the same question with correlated subqueries, one
index lookup per institution and fact (and per staff member and fact): fine for a page of
institutions, linear but several times a table scan for the whole registry. `facts_sql` reads
each fact table once (`DISTINCT ON` the owner, ordered as the ORM's rule orders), joins the
results to the institutions by hash, and gives the same columns under the same names:

    id, is_counted, kind_at, township_id_at, is_inclusive_kindergarten_at,
    places_infant, places_toddler, places_older, places_mixed, places_total,
    fee_full_day, fee_half_day, stars, stars_from, stars_until, instructor_user_id,
    is_inclusive, has_care_contract, has_panic_alarm, care_staff_count,
    certified_care_staff_count, trained_care_staff_count, shadowing_care_staff_count

The rules are the ones `selectors.py` writes (and documents) for each fact:
- a dated value (details, a staff member's role): the latest record effective on or before D;
  before the first record, the first record's value; with no record, the current field;
- the latest record on or before D (places, fees, instructor; a star rating only while
  unexpired: an expired rating is no rating);
- a validity period covering D, both ends included (inclusive recognition, care contract,
  one-click alarm; an institution with no alarm record reads its current alarm dates);
- care staff: employed at D (hired on or before D, not left on or before D) in a care role at
  D; certified when a qualifying certificate is valid at D.

tests/institutions/test_facts.py holds the two to the same rows on hand-built edge cases, and
tests/metrics/kpis/test_set_based_registry.py the indicators to the same totals month by month on
the demo data. PostgreSQL only (DISTINCT ON); other databases use `institutions_as_of`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from .kinds import CARE_ROLES
from .models import Certificate
from .training.models import TrainingCourse

# The dated-value order of selectors.dated_value: records effective on or before D first, the
# latest of them first; then (none on or before D) the earliest record.
_DATED_ORDER = (
    "(effective_from > %(day)s), "
    "CASE WHEN effective_from <= %(day)s THEN effective_from END DESC NULLS LAST, "
    "effective_from"
)


# One pass per fact table, joined to the institutions by hash; {dated_order} and {where} are
# filled by facts_sql, the values are parameters.
_FACTS = """
WITH details AS (
    SELECT DISTINCT ON (institution_id)
        institution_id, kind, township_id, is_inclusive_kindergarten
    FROM institutions_institutiondetails WHERE TRUE{only}
    ORDER BY institution_id, {dated_order}
), places AS (
    SELECT DISTINCT ON (institution_id) institution_id, infant, toddler, older, mixed
    FROM institutions_approvedplaces WHERE effective_from <= %(day)s{only}
    ORDER BY institution_id, effective_from DESC
), fees AS (
    SELECT DISTINCT ON (institution_id) institution_id, monthly_full_day, monthly_half_day
    FROM institutions_feestandard WHERE effective_from <= %(day)s{only}
    ORDER BY institution_id, effective_from DESC
), ratings AS (
    SELECT DISTINCT ON (institution_id) institution_id, stars, effective_from, expires_on,
        (expires_on IS NULL OR expires_on >= %(day)s) AS held
    FROM institutions_starrating WHERE effective_from <= %(day)s{only}
    ORDER BY institution_id, effective_from DESC
), instructors AS (
    SELECT DISTINCT ON (institution_id) institution_id, instructor_id
    FROM institutions_instructorassignment WHERE effective_from <= %(day)s{only}
    ORDER BY institution_id, effective_from DESC
), inclusive AS (
    SELECT DISTINCT institution_id FROM institutions_inclusiverecognition
    WHERE valid_from <= %(day)s AND (valid_to IS NULL OR valid_to >= %(day)s){only}
), contracts AS (
    SELECT DISTINCT institution_id FROM institutions_carecontract
    WHERE valid_from <= %(day)s AND (valid_to IS NULL OR valid_to >= %(day)s){only}
), alarms_valid AS (
    SELECT DISTINCT institution_id FROM institutions_panicalarm
    WHERE valid_from <= %(day)s AND (valid_to IS NULL OR valid_to >= %(day)s){only}
), alarms_any AS (
    SELECT DISTINCT institution_id FROM institutions_panicalarm WHERE TRUE{only}
), roles AS (
    SELECT DISTINCT ON (staff_id) staff_id, role
    FROM institutions_staffrolerecord{only_roles}
    ORDER BY staff_id, {dated_order}
), care AS (
    -- Only the care staff employed at D are grouped; whether each holds a qualifying
    -- certificate or attended training is an EXISTS: for the whole registry PostgreSQL hashes
    -- the certificates and attendance once (a third faster than the grouped joins before,
    -- issue 21), for a few institutions (facts_store's fill) it looks each member up by index.
    SELECT e.institution_id,
        count(*) AS staff,
        count(*) FILTER (WHERE e.certified) AS certified,
        count(*) FILTER (WHERE e.trained) AS trained,
        count(*) FILTER (WHERE e.shadowing) AS shadowing
    FROM (
        SELECT s.institution_id,
            EXISTS (
                SELECT 1 FROM institutions_certificate q
                WHERE q.staff_id = s.id
                  AND q.issued_on <= %(day)s AND (q.expires_on IS NULL OR q.expires_on >= %(day)s)
                  AND q.kind = ANY(%(qualifying)s)
            ) AS certified,
            -- Issue 19's K20 and K21: attendance at a course ending in D's year, up to D.
            EXISTS (
                SELECT 1 FROM institutions_trainingattendance a
                JOIN institutions_trainingcourse c ON c.id = a.course_id
                WHERE a.staff_id = s.id AND c.ends_on >= %(year_start)s AND c.ends_on <= %(day)s
            ) AS trained,
            EXISTS (
                SELECT 1 FROM institutions_trainingattendance a
                JOIN institutions_trainingcourse c ON c.id = a.course_id
                WHERE a.staff_id = s.id AND c.ends_on >= %(year_start)s AND c.ends_on <= %(day)s
                  AND c.kind = %(shadowing)s
            ) AS shadowing
        FROM institutions_staffmember s
        LEFT JOIN roles r ON r.staff_id = s.id
        WHERE s.hired_on <= %(day)s AND (s.left_on IS NULL OR s.left_on > %(day)s)
          AND (CASE WHEN r.staff_id IS NULL THEN s.role ELSE r.role END) = ANY(%(care_roles)s)
          {only_staff}
    ) AS e
    GROUP BY e.institution_id
), facts AS (
    SELECT
        i.id,
        (i.filed_on IS NOT NULL AND i.filed_on <= %(day)s
            AND (i.closed_on IS NULL OR i.closed_on > %(day)s)) AS is_counted,
        CASE WHEN d.institution_id IS NULL THEN i.kind ELSE d.kind END AS kind_at,
        CASE WHEN d.institution_id IS NULL THEN i.township_id ELSE d.township_id END
            AS township_id_at,
        CASE WHEN d.institution_id IS NULL THEN i.is_inclusive_kindergarten
            ELSE d.is_inclusive_kindergarten END AS is_inclusive_kindergarten_at,
        coalesce(p.infant, 0) AS places_infant,
        coalesce(p.toddler, 0) AS places_toddler,
        coalesce(p.older, 0) AS places_older,
        coalesce(p.mixed, 0) AS places_mixed,
        coalesce(p.infant, 0) + coalesce(p.toddler, 0) + coalesce(p.older, 0)
            + coalesce(p.mixed, 0) AS places_total,
        f.monthly_full_day AS fee_full_day,
        f.monthly_half_day AS fee_half_day,
        CASE WHEN r.held THEN r.stars END AS stars,
        CASE WHEN r.held THEN r.effective_from END AS stars_from,
        CASE WHEN r.held THEN r.expires_on END AS stars_until,
        a.instructor_id AS instructor_user_id,
        (inc.institution_id IS NOT NULL) AS is_inclusive,
        (con.institution_id IS NOT NULL) AS has_care_contract,
        (av.institution_id IS NOT NULL OR (
            aa.institution_id IS NULL AND i.panic_alarm_installed_on IS NOT NULL
            AND i.panic_alarm_installed_on <= %(day)s
            AND (i.panic_alarm_removed_on IS NULL OR i.panic_alarm_removed_on > %(day)s)
        )) AS has_panic_alarm,
        coalesce(c.staff, 0) AS care_staff_count,
        coalesce(c.certified, 0) AS certified_care_staff_count,
        coalesce(c.trained, 0) AS trained_care_staff_count,
        coalesce(c.shadowing, 0) AS shadowing_care_staff_count
    FROM institutions_institution i
    LEFT JOIN details d ON d.institution_id = i.id
    LEFT JOIN places p ON p.institution_id = i.id
    LEFT JOIN fees f ON f.institution_id = i.id
    LEFT JOIN ratings r ON r.institution_id = i.id
    LEFT JOIN instructors a ON a.institution_id = i.id
    LEFT JOIN inclusive inc ON inc.institution_id = i.id
    LEFT JOIN contracts con ON con.institution_id = i.id
    LEFT JOIN alarms_valid av ON av.institution_id = i.id
    LEFT JOIN alarms_any aa ON aa.institution_id = i.id
    LEFT JOIN care c ON c.institution_id = i.id
)
SELECT * FROM facts {where}
"""


def facts_sql(
    day: dt.date, *, filed_and_open_only: bool = False, institution_ids: list[int] | None = None
) -> tuple[str, list]:
    """The registry at `day` as SQL and its parameters (positional, so it nests in a query
    with other parameters); with `filed_and_open_only`, only the institutions filed on or
    before `day` and not closed on or before it (`is_counted`); with `institution_ids`, only
    those institutions (each fact table is narrowed by its institution, not read whole)."""
    params = {"day": day, "year_start": day.replace(month=1, day=1), "ids": institution_ids}
    params |= _CONSTANTS
    conditions = ["is_counted"] if filed_and_open_only else []
    only = only_staff = only_roles = ""
    if institution_ids is not None:
        conditions.append("id = ANY(%(ids)s)")
        only = " AND institution_id = ANY(%(ids)s)"
        only_staff = "AND s.institution_id = ANY(%(ids)s)"
        only_roles = (
            " WHERE staff_id IN"
            " (SELECT id FROM institutions_staffmember WHERE institution_id = ANY(%(ids)s))"
        )
    sql = _FACTS.format(
        dated_order=_DATED_ORDER,
        only=only,
        only_staff=only_staff,
        only_roles=only_roles,
        where=f"WHERE {' AND '.join(conditions)}" if conditions else "",
    )
    return _positional(sql, params)


# The rules' constants: which roles are care roles, which certificates qualify, which course
# kind is 医育跟诊.
_CONSTANTS = {
    "care_roles": [str(role) for role in CARE_ROLES],
    "qualifying": sorted(str(kind) for kind in Certificate.QUALIFYING),
    "shadowing": str(TrainingCourse.Kind.SHADOWING),
}
# Changes whenever the rules above change (their SQL or their constants): the facts kept in
# `FactsAtDay` under another version are computed again (institutions.facts_store).
FACTS_VERSION = hashlib.blake2b(
    repr((_FACTS, _DATED_ORDER, sorted(_CONSTANTS.items()))).encode(), digest_size=8
).hexdigest()


def dated_order_sql(day: dt.date) -> tuple[str, list]:
    """selectors.dated_value's order of one owner's dated records at `day` (for `ORDER BY
    owner, ...` under `DISTINCT ON (owner)`), as SQL and its positional parameters; the table
    needs an `effective_from` column."""
    return _positional(_DATED_ORDER, {"day": day})


_NAMED = re.compile(r"%\((\w+)\)s")


def _positional(sql: str, named: dict) -> tuple[str, list]:
    """`sql` with each %(name)s as %s, and the values in the order they occur."""
    values = [named[name] for name in _NAMED.findall(sql)]
    return _NAMED.sub("%s", sql), values


FACT_COLUMNS = (
    "id",
    "is_counted",
    "kind_at",
    "township_id_at",
    "is_inclusive_kindergarten_at",
    "places_infant",
    "places_toddler",
    "places_older",
    "places_mixed",
    "places_total",
    "fee_full_day",
    "fee_half_day",
    "stars",
    "stars_from",
    "stars_until",
    "instructor_user_id",
    "is_inclusive",
    "has_care_contract",
    "has_panic_alarm",
    "care_staff_count",
    "certified_care_staff_count",
)
# Two more columns than `institutions_as_of` gives, for issue 19's K20 and K21 (the ORM's
# reading is metrics.kpis.tracked.tracked_institutions): care staff at D who attended a course
# ending from 1 January of D's year to D, and those who attended a 医育跟诊 course.
TRAINING_COLUMNS = ("trained_care_staff_count", "shadowing_care_staff_count")
