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

TABLE_PATTERN = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


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

    from institutions.models import Institution
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
    tables = sorted(
        {
            table
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT")
            for table in TABLE_PATTERN.findall(q["sql"])
        }
    )
    reference = count_reference(tables)
    one = statistics.median(times)
    result = {
        "institutions": Institution.objects.count(),
        "seed_seconds": round(seed_seconds, 1),
        "month": f"{month:%Y-%m}",
        "one_month_seconds": round(one, 3),
        "one_month_queries": one_queries,
        "reference_count_seconds": round(reference, 4),
        "ratio": round(one / reference, 1) if reference else None,
        "tables_read": tables,
        "months": len(months),
        "all_months_seconds": round(all_seconds, 2),
        "all_months_queries": len(all_queries),
    }
    log(
        f"indicators {scale}: 1 month {one:.3f}s ({one_queries} queries) vs count(*) "
        f"{reference:.4f}s -> x{result['ratio']}; {len(months)} months {all_seconds:.1f}s"
    )
    return result


# --- 3. pages ------------------------------------------------------------------------------------


def scenario_pages(server: Server, plan: dict, calls: int = 30) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    bureau = get_user_model().objects.get(username="bureau")
    browser = Client()
    browser.force_login(bureau)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    code, _host, last6 = plan["vouchers"][0]
    pages = [
        ("admin institution list", "GET", "/admin/institutions/institution/", None, True),
        ("review queue /yuebao/shenhe/", "GET", "/yuebao/shenhe/", None, True),
        ("dashboard /zhibiao/", "GET", "/zhibiao/", None, True),
        ("public page /gongshi/", "GET", "/gongshi/", None, False),
        (
            "family balance API",
            "POST",
            "/api/v1/public/voucher-balance/",
            {"code": code, "id_last6": last6},
            False,
        ),
    ]
    results = []
    for name, method, path, body, signed_in in pages:
        try:
            results.append(
                measure_page(server, browser, cookie, calls, name, method, path, body, signed_in)
            )
        except Exception as error:  # noqa: BLE001 - one broken page must not stop the run
            note(f"page {name} failed: {error!r} (see bench/results/gunicorn.log)")
            results.append({"page": name, "path": path, "error": repr(error)})
    return {"rows": results}


def measure_page(server, browser, cookie, calls, name, method, path, body, signed_in) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    count = calls
    if "balance" in name:
        count = 25  # under its throttle of 30/hour per address, after clearing the cache
    flush_cache()
    headers = {"Cookie": cookie} if signed_in else {}
    status, _p, _t = request(server.port, method, path, body, headers)  # warm-up
    times, statuses = [], {}
    for _ in range(count):
        status, _payload, elapsed = request(server.port, method, path, body, headers)
        statuses[status] = statuses.get(status, 0) + 1
        times.append(elapsed)
    flush_cache()
    client = browser if signed_in else Client()
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
