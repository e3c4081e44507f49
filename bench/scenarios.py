"""Scenarios 1, 3, 4 and 5: the indicators of a month beside a count(*) of the tables they read,
the pages through gunicorn, the xlsx import and the evaluation PDF."""

from __future__ import annotations

import io
import re
import statistics
import time

from .common import flush_cache, log, ms, note, pct
from .server import Server, request

# --- 1. indicators -------------------------------------------------------------------------------

# A table a query reads, quoted (the ORM's SQL) or not (hand-written SQL such as the set-based
# registry, institutions/facts.py); names that are not tables (CTEs, aliases) are dropped.
TABLE_PATTERN = re.compile(r'(?:FROM|JOIN)\s+"?([a-z_][a-z0-9_]*)"?', re.IGNORECASE)


def count_reference(tables: list[str]) -> float:
    """Seconds PostgreSQL takes to read each table once (SELECT count(*)); warm, best of 3."""
    from django.db import connection

    best = None
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
                cursor.fetchone()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def scenario_indicators(scale: str, seed_seconds: float) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from institutions.models import FactsAtDay, Institution
    from metrics.services import compute_period, months_between
    from portal.dates import add_months

    this_month = timezone.localdate().replace(day=1)
    month = add_months(this_month, -1)
    months = months_between(settings.PILOT_START_DATE, this_month)
    # Every pilot month first (as a first deployment or a full recompute does; the seed computes
    # none), then the last full month three times, as the nightly job recomputes it.
    with CaptureQueriesContext(connection) as all_queries:
        start = time.perf_counter()
        for each in months:
            compute_period(each)
        all_seconds = time.perf_counter() - start
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            compute_period(month)
            times.append(time.perf_counter() - start)
    one_queries = len(queries)
    existing = set(connection.introspection.table_names())
    tables = sorted(
        {
            table
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
            for table in TABLE_PATTERN.findall(q["sql"])
            if table in existing
        }
    )
    reference = count_reference(tables)
    # The kept facts' table (institutions.facts_store) holds a row per institution and month
    # computed; the reference without it is that of the tables read before it existed.
    kept_table = FactsAtDay._meta.db_table
    reference_without_kept = count_reference([t for t in tables if t != kept_table])
    one = statistics.median(times)
    changed_seconds, changed = _after_changes(month)
    equal, differing, orm_seconds = _compare_with_orm(months)
    result = {
        "institutions": Institution.objects.count(),
        "seed_seconds": round(seed_seconds, 1),
        "month": f"{month:%Y-%m}",
        "one_month_seconds": round(one, 3),
        "one_month_queries": one_queries,
        "reference_count_seconds": round(reference, 4),
        "ratio": round(one / reference, 1) if reference else None,
        "reference_without_kept_seconds": round(reference_without_kept, 4),
        "ratio_without_kept": round(one / reference_without_kept, 1),
        "changed_institutions": changed,
        "one_month_after_changes_seconds": round(changed_seconds, 3),
        "tables_read": tables,
        "months": len(months),
        "all_months_seconds": round(all_seconds, 2),
        "all_months_queries": len(all_queries),
        "orm_equal_months": equal,
        "orm_differing_months": differing,
        "orm_all_months_seconds": round(orm_seconds, 2),
    }
    log(
        f"indicators {scale}: 1 month {one:.3f}s ({one_queries} queries) vs count(*) "
        f"{reference:.4f}s -> x{result['ratio']}; {len(months)} months {all_seconds:.1f}s"
    )
    return result


def _after_changes(month, share: float = 0.01, runs: int = 3) -> tuple[float, int]:
    """The month recomputed after `share` of the institutions were written to (a different
    share each run): their kept facts were dropped by the trigger and are computed again
    (institutions.facts_store), as after a day of registry edits. The median seconds, and how
    many institutions changed per run."""
    from django.db import connection

    from institutions.models import Institution
    from metrics.services import compute_period

    changed = max(1, round(Institution.objects.count() * share))
    times = []
    for run in range(runs):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE institutions_institution SET address = address || '.' WHERE id IN "
                "(SELECT id FROM institutions_institution ORDER BY id OFFSET %s LIMIT %s)",
                [run * changed, changed],
            )
        start = time.perf_counter()
        compute_period(month)
        times.append(time.perf_counter() - start)
    log(f"one month after {changed} institutions changed: {statistics.median(times):.3f}s")
    return statistics.median(times), changed


def _compare_with_orm(months) -> tuple[int, list[str], float]:
    """Issue 21: every month's registry and activity sums (and the baseline's inclusive places)
    from the set-based registry, and from the facts kept at the month's last day, equal those of
    the ORM's correlated reading (the reading before issue 21); returns the months equal, those
    that differ, and the ORM's time for all."""
    from django.conf import settings
    from django.db import transaction

    from metrics.kpis import registry
    from metrics.kpis.registry import INCLUSIVE, INCLUSIVE_PLACES, REGISTRY, activity
    from portal.dates import month_end

    def sums(period):
        day = month_end(period)
        month = registry.registry_sums(day, (*REGISTRY, *activity(period)), period)
        if registry.set_based():
            # The facts kept at D (what compute_period reads) must give the same sums.
            with transaction.atomic(), registry.read_once(day):
                kept = registry.registry_sums(day, (*REGISTRY, *activity(period)), period)
            if by_township(kept) != by_township(month):
                return "kept facts differ from the set-based reading", None
        base = registry.registry_sums(
            settings.PILOT_BASELINE_DATE, [INCLUSIVE_PLACES], among=INCLUSIVE
        )
        # GROUP BY answers in no set order: both lists sorted by township.
        return by_township(month), by_township(base)

    def by_township(rows):
        return sorted(rows, key=lambda row: row["township_id_at"] or 0)

    equal, differing, orm_seconds = 0, [], 0.0
    for period in months:
        set_based = sums(period)
        registry.SET_BASED[0] = False
        try:
            start = time.perf_counter()
            orm = sums(period)
            orm_seconds += time.perf_counter() - start
        finally:
            registry.SET_BASED[0] = True
        if set_based == orm:
            equal += 1
        else:
            differing.append(f"{period:%Y-%m}")
    log(f"set-based registry vs the ORM's: {equal} months equal, differing {differing}")
    return equal, differing, orm_seconds


# --- 3. pages ------------------------------------------------------------------------------------


# The pages measured, as (name, method, path, body, login): login None is the public. Paths
# with {institution} (operator1's first institution), {subsidy_month} (the latest subsidy month)
# and {voucher} are filled from the seeded data; issue 21 asks for every page the round added and
# every role's home.
PAGES = [
    ("admin institution list", "GET", "/admin/institutions/institution/", None, "bureau"),
    ("review queue /yuebao/shenhe/", "GET", "/yuebao/shenhe/", None, "bureau"),
    ("dashboard /zhibiao/", "GET", "/zhibiao/", None, "bureau"),
    ("public page /gongshi/", "GET", "/gongshi/", None, None),
    ("public start page /", "GET", "/", None, None),
    ("public idle premises /gongshi/fangyuan/", "GET", "/gongshi/fangyuan/", None, None),
    ("public catalogue /gongshi/mulu/", "GET", "/gongshi/mulu/", None, None),
    ("public inspection results /gongshi/jiancha/", "GET", "/gongshi/jiancha/", None, None),
    ("bureau home /wode/", "GET", "/wode/", None, "bureau"),
    ("operator home /wode/", "GET", "/wode/", None, "operator1"),
    ("inspector home /wode/", "GET", "/wode/", None, "inspector"),
    ("department home /wode/", "GET", "/wode/", None, "dept_education"),
    ("health centre home /wode/", "GET", "/wode/", None, "health1"),
    ("fee supervision /zhibiao/shoufei/", "GET", "/zhibiao/shoufei/", None, "bureau"),
    ("forecast /zhibiao/yuce/", "GET", "/zhibiao/yuce/", None, "bureau"),
    ("programme board /zhuanban/", "GET", "/zhuanban/", None, "bureau"),
    ("funds /zhuanban/zijin/", "GET", "/zhuanban/zijin/", None, "bureau"),
    ("health network /weisheng/wangluo/", "GET", "/weisheng/wangluo/", None, "bureau"),
    ("unlinked contracts /weisheng/guanlian/", "GET", "/weisheng/guanlian/", None, "bureau"),
    ("health sessions /weisheng/huodong/", "GET", "/weisheng/huodong/", None, "health1"),
    ("subsidy months /butie/", "GET", "/butie/", None, "bureau"),
    (
        "subsidy month /butie/<month>/",
        "GET",
        "/butie/{subsidy_month}/",
        None,
        "bureau",
    ),
    (
        "institution's subsidy lines /butie/jigou/<pk>/",
        "GET",
        "/butie/jigou/{institution}/",
        None,
        "operator1",
    ),
    ("star ratings /xingji/", "GET", "/xingji/", None, "bureau"),
    ("settlements /tuoyuquan/jiesuan/", "GET", "/tuoyuquan/jiesuan/", None, "bureau"),
    (
        "fee statements /tuoyuquan/jigou/<pk>/zhengming/",
        "GET",
        "/tuoyuquan/jigou/{institution}/zhengming/",
        None,
        "operator1",
    ),
    ("inbox /tongzhi/", "GET", "/tongzhi/", None, "bureau"),
    ("training courses /peixun/", "GET", "/peixun/", None, "bureau"),
    ("a provider's courses /peixun/", "GET", "/peixun/", None, "provider1"),
    ("staff training hours /peixun/xueshi/", "GET", "/peixun/xueshi/", None, "operator1"),
    ("lecturer team /weisheng/jiangshi/", "GET", "/weisheng/jiangshi/", None, "bureau"),
    ("support cases /ronghe/", "GET", "/ronghe/", None, "bureau"),
    ("support cases by township /ronghe/zhenjie/", "GET", "/ronghe/zhenjie/", None, "bureau"),
    (
        "family balance API",
        "POST",
        "/api/v1/public/voucher-balance/",
        {"code": "{voucher}", "id_last6": "{last6}"},
        None,
    ),
]


def _fill(value, names: dict):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _names(plan: dict) -> dict:
    from django.contrib.auth import get_user_model

    from institutions.models import Institution

    code, _host, last6 = plan["vouchers"][0]
    operator = get_user_model().objects.get(username="operator1")
    institution = Institution.objects.filter(operators=operator).order_by("pk").first()
    names = {"voucher": code, "last6": last6, "institution": institution.pk, "subsidy_month": 0}
    try:
        from subsidies.models import SubsidyMonth

        latest = SubsidyMonth.objects.order_by("-month", "-pk").first()
        names["subsidy_month"] = latest.pk if latest else 0
    except ImportError:  # an older tree without subsidies: the row reports a 404
        pass
    return names


def scenario_pages(server: Server, plan: dict, calls: int = 30) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    names = _names(plan)
    browsers: dict[str | None, Client] = {None: Client()}
    results = []
    for name, method, path, body, login in PAGES:
        path, body = _fill(path, names), _fill(body, names)
        try:
            if login not in browsers:
                browser = Client()
                browser.force_login(get_user_model().objects.get(username=login))
                browsers[login] = browser
            results.append(measure_page(server, browsers[login], calls, name, method, path, body))
        except Exception as error:  # noqa: BLE001 - one broken page must not stop the run
            note(f"page {name} failed: {error!r} (see bench/results/gunicorn.log)")
            results.append({"page": name, "path": path, "error": repr(error)})
    return {"rows": results}


def measure_page(server, browser, calls, name, method, path, body) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    count = calls
    if "balance" in name:
        count = 25  # under its throttle of 30/hour per address, after clearing the cache
    flush_cache()
    session = browser.cookies.get("sessionid")
    headers = {"Cookie": f"sessionid={session.value}"} if session else {}
    status, _p, _t = request(server.port, method, path, body, headers)  # warm-up
    times, statuses = [], {}
    for _ in range(count):
        status, _payload, elapsed = request(server.port, method, path, body, headers)
        statuses[status] = statuses.get(status, 0) + 1
        times.append(elapsed)
    flush_cache()
    client = browser
    # The connection keeps its last 9,000 queries: a page past that made every later count 0.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            in_process = client.get(path)
        else:
            in_process = client.post(path, body, content_type="application/json")
    flush_cache()
    row = {
        "page": name,
        "path": path,
        "calls": count,
        "p50_ms": ms(pct(times, 50)),
        "p95_ms": ms(pct(times, 95)),
        "queries": len(queries),
        "statuses": {str(k): v for k, v in statuses.items()},
        "in_process_status": in_process.status_code,
    }
    log(
        f"page {name}: p50 {row['p50_ms']}ms p95 {row['p95_ms']}ms, {row['queries']} "
        f"queries, statuses {row['statuses']}"
    )
    return row


# --- 4. import -----------------------------------------------------------------------------------


def scenario_import(rows: int) -> dict:
    from django.contrib.auth import get_user_model
    from import_export.formats.base_formats import XLSX
    from openpyxl import Workbook

    from institutions.models import Institution, Township
    from institutions.resources import InstitutionResource
    from portal.validators import credit_code_check_char

    townships = [t.name for t in Township.objects.order_by("code")]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["机构名称", "统一社会信用代码", "机构类型", "举办性质", "所属镇街", "备案日期"])
    for serial in range(rows):
        body = f"52330382BM{serial:07d}"
        sheet.append(
            [
                f"导入测试托育机构{serial:05d}（演示）",
                body + credit_code_check_char(body),
                str(Institution.Kind.CENTRE.label),
                str(Institution.Ownership.PRIVATE.label),
                townships[serial % len(townships)],
                "2025-03-01",
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    content = output.getvalue()
    user = get_user_model().objects.get(username="bureau")
    before = Institution.objects.count()
    start = time.perf_counter()
    dataset = XLSX().create_dataset(content)
    resource = InstitutionResource()
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, user=user)
    seconds = time.perf_counter() - start
    added = Institution.objects.count() - before
    errors = resource.error_messages(result)
    out = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1),
        "institutions_added": added,
        "errors": errors[:5],
    }
    log(f"import: {rows} rows in {seconds:.1f}s = {out['rows_per_second']} rows/s, added {added}")
    return out


# --- 5. PDF --------------------------------------------------------------------------------------


def scenario_pdf() -> dict:
    from django.utils import timezone

    from metrics.pdf import evaluation_report_pdf
    from portal.dates import add_months

    month = add_months(timezone.localdate().replace(day=1), -1)
    start = time.perf_counter()
    pdf = evaluation_report_pdf(month)
    seconds = time.perf_counter() - start
    log(f"evaluation PDF {month:%Y-%m}: {seconds:.1f}s, {len(pdf) // 1024} KiB")
    return {"month": f"{month:%Y-%m}", "seconds": round(seconds, 2), "bytes": len(pdf)}
