"""Scenario 2: redemptions over HTTP (POST /api/v1/redemptions/) beside a trivial endpoint and
pgbench, on vouchers made for the run through vouchers.services, then the ledger proved whole."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import time
import uuid

from .common import PG, PGBENCH_DB, admin_sql, flush_cache, log
from .server import Server, load, pgbench


def prepare_redemptions(vouchers_per_host: int = 50, hosts_wanted: int = 4) -> dict:
    """Operators with tokens, and vouchers with enrolments at their institutions, made through
    vouchers.services, so every redemption the clients send can succeed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from institutions.models import Institution, Township
    from institutions.selectors import institutions_as_of
    from portal.dates import month_end
    from portal.roles import Role
    from vouchers import services

    rng = random.Random(9)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    User = get_user_model()
    bureau = User.objects.get(username="bureau")
    hosts = list(
        institutions_as_of(month_end(this_month), Institution.objects.all())
        .filter(is_inclusive=True, is_counted=True, places_total__gt=0)
        .exclude(fee_full_day__isnull=True)
        .order_by("pk")[:hosts_wanted]
    )
    batch = _stress_batch(this_month, quantity=vouchers_per_host * len(hosts))
    services.batch_save(batch=batch, actor=bureau)
    townships = list(Township.objects.all())
    operator_group = Group.objects.get(name=Role.OPERATOR.group_name)
    plan = {"tokens": {}, "vouchers": [], "fee_month": f"{this_month:%Y-%m}"}
    used: set[str] = set()
    for number, host in enumerate(hosts):
        operator = User.objects.create_user(username=f"bench-operator-{number}")
        operator.groups.add(operator_group)
        host_obj = Institution.objects.get(pk=host.pk)
        host_obj.operators.add(operator)
        plan["tokens"][host.pk] = Token.objects.create(user=operator).key
        for _ in range(vouchers_per_host):
            code, last6 = _enrolled_voucher(
                rng, used, batch=batch, host=host_obj, townships=townships, actor=bureau
            )
            plan["vouchers"].append((code, host.pk, last6))
    return plan


def _stress_batch(this_month: dt.date, *, quantity: int):
    """A batch open now, with room for every voucher the run makes (not saved yet)."""
    from decimal import Decimal

    from portal.dates import month_end
    from vouchers.models import VoucherBatch

    return VoucherBatch(
        name="压力测试托育券（演示）",
        face_value=Decimal("100000.00"),
        monthly_cap=Decimal("50000.00"),
        quantity_cap=quantity,
        apply_from=this_month - dt.timedelta(days=30),
        apply_until=month_end(this_month),
        valid_from=this_month - dt.timedelta(days=30),
        valid_until=this_month + dt.timedelta(days=400),
        residence_rule=VoucherBatch.Residence.HUKOU_OR_PERMIT,
        inclusive_only=True,
    )


def _enrolled_voucher(rng, used: set[str], *, batch, host, townships, actor) -> tuple[str, str]:
    """A family applies, is approved and enrols its child at `host` from 20 days before this
    month; returns the voucher's code and the child's ID number's last six characters."""
    from django.utils import timezone

    from lequing_tuoyu.demo import make_mobile, make_person_name, make_resident_id
    from vouchers import services
    from vouchers.models import VoucherApplication

    today = timezone.localdate()
    born = today - dt.timedelta(days=rng.randint(120, 700))
    ids = []
    for when in (dt.date(1990, 1, 1) + dt.timedelta(days=rng.randint(0, 3000)), born):
        while (value := make_resident_id(rng, born=when)) in used:
            pass
        used.add(value)
        ids.append(value)
    name = make_person_name(rng)
    application = services.application_enter(
        batch=batch,
        guardian_name=name,
        guardian_phone=make_mobile(rng),
        guardian_id_number=ids[0],
        child_name=name[0] + make_person_name(rng)[1:],
        child_id_number=ids[1],
        source=VoucherApplication.Source.BUREAU,
        hukou_township=rng.choice(townships),
        applied_on=today,
        actor=actor,
    )
    voucher = services.application_approve(application=application, actor=actor)
    services.enrolment_record(
        child=voucher.child,
        institution=host,
        start=today.replace(day=1) - dt.timedelta(days=20),
        actor=actor,
    )
    return voucher.code, ids[1][-6:]


def scenario_redemptions(server: Server, seconds: float, client_counts: list[int]) -> dict:
    from vouchers.models import Redemption, Voucher
    from vouchers.services import reconcile_balances

    started = time.perf_counter()
    plan = prepare_redemptions()
    vouchers = plan["vouchers"]
    log(f"redemptions: {len(vouchers)} vouchers prepared in {time.perf_counter() - started:.1f}s")
    any_token = next(iter(plan["tokens"].values()))
    before = Redemption.objects.count()

    def redeem(client: int, n: int):
        code, host, _last6 = vouchers[(client + n * 37) % len(vouchers)]
        body = {"voucher_code": code, "fee_month": plan["fee_month"], "amount": "1.00"}
        headers = {
            "Authorization": f"Token {plan['tokens'][host]}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return "POST", "/api/v1/redemptions/", body, headers

    def trivial(client: int, n: int):
        return "GET", "/api/v1/townships/", None, {"Authorization": f"Token {any_token}"}

    admin_sql(f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {PGBENCH_DB}")
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", "10", f"{PG}/{PGBENCH_DB}"], check=True, capture_output=True
    )
    rows = []
    for clients in client_counts:
        flush_cache()
        red = load(server.port, clients, seconds, redeem)
        ref = load(server.port, clients, seconds, trivial)
        pg = pgbench(clients, 10)
        ok = red["statuses"].get("201", 0)
        conflicts = red["statuses"].get("409", 0)
        errors = red["requests"] - ok - conflicts
        row = {
            "clients": clients,
            "redeem": red,
            "trivial": ref,
            "pgbench": pg,
            "succeeded": ok,
            "expected_409": conflicts,
            "errors": errors,
            "vs_trivial": round(red["throughput_rps"] / ref["throughput_rps"], 2)
            if ref["throughput_rps"]
            else None,
        }
        rows.append(row)
        log(
            f"redemptions N={clients}: {red['throughput_rps']} req/s p50 {red['p50_ms']}ms "
            f"p99 {red['p99_ms']}ms errors {errors} 409 {conflicts} | trivial "
            f"{ref['throughput_rps']} req/s p99 {ref['p99_ms']}ms | pgbench {pg['tps']} tps"
        )
    admin_sql(f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    mismatches = reconcile_balances()
    negative = Voucher.objects.filter(balance__lt=0).count()
    created = Redemption.objects.count() - before
    sent_ok = sum(row["succeeded"] for row in rows)
    proof = {
        "reconcile_balances_mismatches": len(mismatches),
        "negative_balances": negative,
        "redemptions_created": created,
        "http_201_answers": sent_ok,
        "holds": not mismatches and negative == 0 and created == sent_ok,
    }
    log(f"ledger proof: {proof}")
    return {"seconds_per_run": seconds, "rows": rows, "proof": proof, "plan": plan}
