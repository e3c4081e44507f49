"""The results of `make bench`: each target of issues 9 and 21 measured, met or not and why,
written to bench/results/<name>.{json,md}."""

from __future__ import annotations

import json

from .common import RESULT, RESULTS


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("MET" if ok else "**NOT MET**")


# Why a target is missed, from the investigation of issue 9 (EXPLAIN ANALYZE, cProfile, query
# logs; docs/scaling.md has the detail). Shown beside a target only when the run misses it.
WHY_MISSED = {
    "indicators_ratio": (
        "issue 21 made the registry set-based (institutions/facts.py: one pass per fact table, "
        "joined by hash) and kept per day (institutions/facts_store.py: a month reads the rows "
        "kept at its last day; a trigger drops an institution's rows when one of its facts is "
        "written, and only those are computed again); the sources read fewer, hashed queries. "
        "What is left when this is missed: the findings (every inspection read for its "
        "institution), the registry sums with the month's inspections, the sessions' families, "
        "and the baseline's inclusive places (the registry at the baseline day, read set-based "
        "each month)"
    ),
    "redeem_ratio": (
        "the web workers are CPU-bound, not waiting (pg_stat_activity: every backend waits "
        "for its client, never for a lock). Issue 21 cut a redemption to 3 statements in its "
        "transaction (16 round trips before: vouchers/services/redemption_sql.py) and about a "
        "third of its Python calls; what is left is Django and DRF's own request handling "
        "(authentication, throttling in Redis, the serializer, the audit middleware), which "
        "the trivial endpoint pays too"
    ),
    "redeem_p99": (
        "8 closed-loop clients keep 8 requests in flight, so the mean latency is 8 / "
        "throughput (Little's law): the tail is those requests queueing behind 3 CPU-bound "
        "sync workers on 2 cores, not lock waits (p50 with one client is in the table); it "
        "falls with the CPU cost of a redemption (see the row above)"
    ),
    "import": (
        "InstitutionResource validated and saved row by row (29 queries a row); it now checks "
        "rows in Python and writes them in bulk (institutions/resources.py)"
    ),
    "pages": (
        "the dashboard's time does not grow with scale (p50 173 ms at city, 188 ms at "
        "province; its 9 queries take about 0.15 s in all): it is Python rendering one "
        "table of 25 areas x 25 indicators (about 560 {% url %} reversals and 5,500 variable "
        "lookups a page, cProfile), so its p95 crosses 300 ms when the shared machine is "
        "loaded. Next step (metrics/views.py and its template, not done in issue 9): "
        "cache the rendered table per month, as the indicators change once a night"
    ),
}


def target_rows(result: dict) -> list[tuple[str, str, bool | None, str]]:
    """(target, measured, met, why) for every target of issues 9 and 21 this run measured."""
    s = result["scenarios"]
    rows = _indicator_targets(s.get("indicators", {}))
    if s.get("redemptions"):
        rows += _redemption_targets(s["redemptions"])
    if s.get("pages"):
        rows += _page_targets(s["pages"])
    imp = s.get("import")
    if imp:
        rows.append(
            (
                "import ≥ 500 rows/s",
                f"{imp['rows']} rows, {imp['rows_per_second']} rows/s",
                imp["rows_per_second"] >= 500,
                WHY_MISSED["import"],
            )
        )
    return rows


def _indicator_targets(ind: dict) -> list[tuple[str, str, bool | None, str]]:
    rows = []
    for scale, r in ind.items():
        if "orm_equal_months" in r:
            rows.append(
                (
                    f"indicators at {scale}: the set-based registry equals the ORM's, month by "
                    "month",
                    f"{r['orm_equal_months']} of {r['months']} months equal"
                    + (
                        f"; differ: {', '.join(r['orm_differing_months'])}"
                        if r["orm_differing_months"]
                        else ""
                    )
                    + f" (the ORM's reading took {r['orm_all_months_seconds']} s for all)",
                    r["orm_equal_months"] == r["months"],
                    "",
                )
            )
    if "national" in ind:
        n = ind["national"]
        rows.append(
            (
                "indicators, one month of the national sample ≤3x its own count(*) reference",
                f"{n['one_month_seconds']} s vs {n['reference_count_seconds']} s = x{n['ratio']}",
                n["ratio"] is not None and n["ratio"] <= 3,
                WHY_MISSED["indicators_ratio"],
            )
        )
    p = ind.get("province")
    if p:
        rows.append(
            (
                "indicators, one month at province ≤3x count(*) reference",
                f"{p['one_month_seconds']} s vs {p['reference_count_seconds']} s = x{p['ratio']}",
                p["ratio"] is not None and p["ratio"] <= 3,
                WHY_MISSED["indicators_ratio"],
            )
        )
        rows.append(
            (
                f"indicators, all {p['months']} pilot months at province < 30 s",
                f"{p['all_months_seconds']} s",
                p["all_months_seconds"] < 30,
                "",
            )
        )
    if len(ind) > 1:
        counts = {scale: r["one_month_queries"] for scale, r in ind.items()}
        rows.append(
            (
                "indicators, query count independent of scale",
                ", ".join(f"{scale} {n}" for scale, n in counts.items()),
                len(set(counts.values())) == 1,
                "",
            )
        )
        scales = list(ind)
        base = ind[scales[0]]
        growth = []
        linear = True
        for scale in scales[1:]:
            r = ind[scale]
            size = r["institutions"] / base["institutions"]
            grow = r["one_month_seconds"] / base["one_month_seconds"]
            linear = linear and grow <= size * 1.1
            growth.append(f"{scales[0]}→{scale}: institutions x{size:.1f}, time x{grow:.1f}")
        rows.append(("indicators, growth linear or better", "; ".join(growth), linear, ""))
    return rows


def _redemption_targets(red: dict) -> list[tuple[str, str, bool | None, str]]:
    rows = []
    eight = next((row for row in red["rows"] if row["clients"] == 8), None)
    if eight:
        rows.append(
            (
                "redemptions, 8 clients ≥0.5x the trivial endpoint's throughput",
                f"{eight['redeem']['throughput_rps']} vs {eight['trivial']['throughput_rps']}"
                f" req/s = {eight['vs_trivial']}x",
                eight["vs_trivial"] is not None and eight["vs_trivial"] >= 0.5,
                WHY_MISSED["redeem_ratio"],
            )
        )
        p99 = eight["redeem"]["p99_ms"]
        rows.append(
            (
                "redemptions, 8 clients p99 < 100 ms",
                f"{p99} ms",
                p99 is not None and p99 < 100,
                WHY_MISSED["redeem_p99"],
            )
        )
    errors = sum(row["errors"] for row in red["rows"])
    rows.append(
        ("redemptions, zero errors except expected 409s", f"{errors} errors", errors == 0, "")
    )
    proof = red["proof"]
    rows.append(
        (
            "ledger: every voucher's entries sum to its balance, none negative",
            f"{proof['reconcile_balances_mismatches']} mismatches, "
            f"{proof['negative_balances']} negative",
            proof["holds"],
            "",
        )
    )
    return rows


def _page_targets(pages: dict) -> list[tuple[str, str, bool | None, str]]:
    rows = []
    bad = [
        row["page"]
        for row in pages["rows"]
        if "error" in row or not (row["p95_ms"] < 300 and row["queries"] <= 30)
    ]
    worst = max((row.get("p95_ms") or 0 for row in pages["rows"]), default=0)
    most = max((row.get("queries") or 0 for row in pages["rows"]), default=0)
    rows.append(
        (
            f"pages at {pages['scale']} scale: p95 < 300 ms and ≤ 30 queries",
            f"worst p95 {worst} ms, most queries {most}"
            + (f"; over: {', '.join(bad)}" if bad else ""),
            not bad and pages["scale"] == "province",
            (
                WHY_MISSED["pages"]
                if any("dashboard" in page for page in bad)
                else "see the pages table"
            )
            if bad
            else "measured below province scale",
        )
    )
    return rows


def markdown(result: dict) -> str:
    s = result["scenarios"]
    lines = _header(result)
    lines += _indicators_section(s.get("indicators", {}))
    if "redemptions" in s:
        lines += _redemptions_section(s["redemptions"])
    if "pages" in s:
        lines += _pages_section(s["pages"])
    if "import" in s:
        r = s["import"]
        lines += [
            "",
            "## 4. Import (InstitutionResource.import_data, xlsx, dry_run False)",
            "",
            f"{r['rows']} rows in {r['seconds']} s = **{r['rows_per_second']} rows/s** "
            f"({r['institutions_added']} added; errors: {r['errors'] or 'none'}); target ≥500 "
            f"rows/s: {verdict(r['rows_per_second'] >= 500)}.",
        ]
    if "pdf" in s:
        r = s["pdf"]
        lines += [
            "",
            f"## 5. Evaluation PDF ({r['month']}, {s['pdf']['scale']} scale)",
            "",
            f"{r['seconds']} s, {r['bytes'] // 1024} KiB (no target set in the issue).",
        ]
    lines += ["", "## Notes", ""] + [f"- {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


def _header(result: dict) -> list[str]:
    """The machine and the table of targets."""
    m = result["machine"]
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"- date: {m['date']}; total run {result.get('total_seconds')} s",
        f"- machine: {m['cores']} cores, {m['memory_gb']} GB memory, {m['platform']}",
        f"- Python {m['python']}, PostgreSQL {m['postgresql']}, Django {m['django']}",
        f"- load average at start {tuple(round(x, 2) for x in m['load_average_start'])}, at end "
        f"{tuple(round(x, 2) for x in m.get('load_average_end', ()))}: the machine is shared "
        "with other work, so absolute figures are noisy; compare each with its reference.",
        "",
        "## Targets of issues 9 and 21",
        "",
        "| target | measured | verdict | why (when not met) |",
        "|---|---|---|---|",
    ]
    for target, measured, ok, why in target_rows(result):
        lines.append(f"| {target} | {measured} | {verdict(ok)} | {'' if ok else why} |")
    return lines


def _indicators_section(ind: dict) -> list[str]:
    lines = [
        "",
        "## 1. Indicators (`compute_period`)",
        "",
        "| scale | institutions | seed | one month | queries | reference: count(*) of the "
        "tables read | ratio | all months | queries (all) | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, r in ind.items():
        target = ""
        if scale == "province":
            target = (
                f"≤3x: {verdict(r['ratio'] <= 3)}; {r['months']} months < 60 s: "
                f"{verdict(r['all_months_seconds'] < 60)}"
            )
        lines.append(
            f"| {scale} | {r['institutions']} | {r['seed_seconds']} s | "
            f"{r['one_month_seconds']} s | "
            f"{r['one_month_queries']} | {r['reference_count_seconds']} s | x{r['ratio']} | "
            f"{r['months']} months: {r['all_months_seconds']} s | {r['all_months_queries']} | "
            f"{target} |"
        )
    for scale, r in ind.items():
        if "changed_institutions" not in r:
            continue  # a run before the facts were kept (institutions.facts_store)
        lines += [
            "",
            f"{scale}: the month reads the facts kept at its last day "
            f"(institutions.facts_store). Without the kept table in the reference (the tables "
            f"read before it existed): {r['reference_without_kept_seconds']} s, "
            f"x{r['ratio_without_kept']}. After {r['changed_institutions']} institutions (1%) "
            f"were written to, their facts are computed again: "
            f"{r['one_month_after_changes_seconds']} s for the month.",
        ]
    if len(ind) > 1:
        base_scale = next(iter(ind))
        c = ind[base_scale]
        for scale, p in list(ind.items())[1:]:
            size = p["institutions"] / c["institutions"]
            grow = p["one_month_seconds"] / c["one_month_seconds"]
            ref = p["reference_count_seconds"] / c["reference_count_seconds"]
            lines += [
                "",
                f"Growth {base_scale} → {scale}: institutions x{size:.1f}, one-month time "
                f"x{grow:.1f}, reference x{ref:.1f} (linear or better: "
                f"{verdict(grow <= size * 1.1)}); queries {c['one_month_queries']} → "
                f"{p['one_month_queries']} (independent of scale: "
                f"{verdict(c['one_month_queries'] == p['one_month_queries'])}).",
            ]
    return lines


def _redemptions_section(r: dict) -> list[str]:
    lines = [
        "",
        f"## 2. Redemptions (POST /api/v1/redemptions/, {r['seconds_per_run']} s per run, "
        f"gunicorn {r['workers']} sync workers, DEBUG off)",
        "",
        "| clients | redeem req/s | p50 | p99 | 201 | 409 (expected) | errors | "
        "trivial GET /api/v1/townships/ req/s (p50/p99) | redeem / trivial | "
        "pgbench TPC-B tps (avg latency) | target (8 clients) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in r["rows"]:
        red, ref, pg = row["redeem"], row["trivial"], row["pgbench"]
        target = ""
        if row["clients"] == 8:
            target = (
                f"≥0.5x trivial: {verdict(row['vs_trivial'] >= 0.5)}; p99<100 ms: "
                f"{verdict(red['p99_ms'] is not None and red['p99_ms'] < 100)}; "
                f"no errors: {verdict(row['errors'] == 0)}"
            )
        lines.append(
            f"| {row['clients']} | {red['throughput_rps']} | {red['p50_ms']} ms | "
            f"{red['p99_ms']} ms | {row['succeeded']} | {row['expected_409']} | "
            f"{row['errors']} | {ref['throughput_rps']} ({ref['p50_ms']}/{ref['p99_ms']} ms) "
            f"| {row['vs_trivial']} | {pg['tps']} ({pg['latency_avg_ms']} ms) | {target} |"
        )
    proof = r["proof"]
    lines += [
        "",
        f"Ledger proof: reconcile_balances() mismatches = "
        f"{proof['reconcile_balances_mismatches']}, negative balances = "
        f"{proof['negative_balances']}, redemptions created = {proof['redemptions_created']}"
        f" vs 201 answers = {proof['http_201_answers']} → {verdict(proof['holds'])}.",
    ]
    return lines


def _pages_section(pages: dict) -> list[str]:
    lines = [
        "",
        f"## 3. Pages at {pages['scale']} scale (through gunicorn; queries in-process)",
        "",
        "| page | calls | p50 | p95 | queries | statuses | target p95<300 ms, ≤30 queries |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in pages["rows"]:
        if "error" in row:
            lines.append(f"| {row['page']} | — | — | — | — | {row['error'][:80]} | not measured |")
            continue
        ok = row["p95_ms"] < 300 and row["queries"] <= 30 and set(row["statuses"]) == {"200"}
        lines.append(
            f"| {row['page']} | {row['calls']} | {row['p50_ms']} ms | {row['p95_ms']} ms | "
            f"{row['queries']} | {row['statuses']} | {verdict(ok)} |"
        )
    return lines


RESULTS_NAME = ["latest"]  # --results-name: another name keeps latest.* untouched


def write_results() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{RESULTS_NAME[0]}.json").write_text(
        json.dumps(RESULT, indent=2, ensure_ascii=False, default=str) + "\n"
    )
    (RESULTS / f"{RESULTS_NAME[0]}.md").write_text(markdown(RESULT))
