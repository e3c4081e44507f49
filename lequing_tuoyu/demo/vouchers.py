"""Demo vouchers: two batches, families, applications (some ineligible, some waiting), vouchers,
enrolments at inclusive demo institutions, redemptions over past months, a reversal, settled
months, and a batch whose validity has ended, expired by the nightly job.

Everything money-related goes through `vouchers.services`, so the ledger is exactly what the real
paths write (reconcile_balances() finds nothing). The history is spread over past months: while
an event is written, the clock the services read (`django.utils.timezone.now`) is set to when the
event is meant to have happened, so ledger dates, redemption times and audit history look like a
running pilot. Voucher codes are drawn from the seed's generator for the same reason the rest is:
a seed on a given day gives the same codes, so the README can list one.

Dates are placed relative to the pilot's start (settings.PILOT_START_DATE) and to today, never
written in. Sizes are kept small (a few dozen vouchers at any scale): every redemption goes
through the real service, which is what makes the seed take its seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from institutions.models import Institution, MonthlyReport, Township
from institutions.selectors import institutions_as_of
from portal.dates import add_months, month_end, month_start
from vouchers import codes, services
from vouchers.models import Redemption, Voucher, VoucherApplication, VoucherBatch

from .moments import at
from .people import make_mobile, make_person_name, make_resident_id
from .registry import DEMO_SUFFIX

MAX_HOSTS = 5  # institutions with voucher children: enough to look real, few enough to be fast


@contextmanager
def _swap(owner, name: str, value):
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _clock(moment: dt.datetime):
    """Services stamp rows with timezone.now(): make that the moment the event happened."""
    return _swap(timezone, "now", lambda: moment)


def _demo_codes(rng: random.Random):
    """Voucher codes from the seed, so the same seed gives the same codes."""
    code_rng = random.Random(rng.getrandbits(64))

    def new_code() -> str:
        body = "".join(code_rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
        return body + codes.check_character(body)

    return _swap(codes, "new_code", new_code)


class _Families:
    """Guardians and children with valid, distinct resident ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.townships = list(Township.objects.order_by("code"))

    def id_number(self, born: dt.date) -> str:
        while True:
            number = make_resident_id(self.rng, born=born)
            if number not in self.used:
                self.used.add(number)
                return number

    def family(self, *, born: dt.date, residence: str = "hukou") -> dict:
        rng = self.rng
        guardian_name = make_person_name(rng)
        guardian_born = dt.date(1984, 1, 1) + dt.timedelta(days=rng.randint(0, 14 * 365))
        return {
            "guardian_name": guardian_name,
            "guardian_phone": make_mobile(rng),
            "guardian_id_number": self.id_number(guardian_born),
            # Children take the guardian's surname.
            "child_name": guardian_name[0] + make_person_name(rng)[1:],
            "child_id_number": self.id_number(born),
            "hukou_township": rng.choice(self.townships) if residence == "hukou" else None,
            "has_residence_permit": residence == "permit",
            "special_needs": rng.random() < 0.04,
        }


def _hosts(ids: list[int], first_month_end: dt.date, today: dt.date) -> list[Institution]:
    """Inclusive institutions with places, open from the batch's first month until today."""
    then = set(
        institutions_as_of(first_month_end, Institution.objects.filter(pk__in=ids))
        .filter(is_inclusive=True, is_counted=True, places_total__gt=0)
        .values_list("pk", flat=True)
    )
    return list(
        institutions_as_of(today, Institution.objects.filter(pk__in=then))
        .filter(is_inclusive=True, is_counted=True, places_total__gt=0, fee_full_day__isnull=False)
        .order_by("name")
    )


def _pick_hosts(rng: random.Random, hosts: list[Institution], first: list) -> list[Institution]:
    chosen = [institution for institution in first if institution in hosts]
    others = [institution for institution in hosts if institution not in chosen]
    chosen += rng.sample(others, min(len(others), MAX_HOSTS - len(chosen)))
    return chosen


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


class _Seeder:
    def __init__(self, rng: random.Random, *, institutions: list, users: dict):
        self.rng = rng
        self.ids = [institution.pk for institution in institutions]
        self.bureau = users["bureau"]
        self.operators = {
            institution.pk: user
            for user in (users.get("operator1"), users.get("operator2"))
            if user is not None
            for institution in Institution.objects.filter(operators=user)
        }
        self.home = Institution.objects.filter(operators=users["operator1"]).first()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.this_month = month_start(self.today)
        self.families = _Families(rng)
        self.keys = 0
        self.enrolled: dict[int, tuple[Institution, dt.date, dt.date | None]] = {}

    # --- helpers ---------------------------------------------------------------------------------

    def before_now(self, moment: dt.datetime) -> dt.datetime:
        return min(moment, self.now - dt.timedelta(minutes=30))

    def key(self) -> str:
        self.keys += 1
        return f"demo-{self.keys:05d}"

    def operator(self, institution: Institution):
        return self.operators.get(institution.pk)

    def apply(self, batch, *, applied_on: dt.date, born: dt.date, residence="hukou", **extra):
        family = self.families.family(born=born, residence=residence)
        with _clock(at(applied_on, 9, self.rng.randint(0, 59))):
            return services.application_enter(
                batch=batch, applied_on=applied_on, actor=self.bureau, **family, **extra
            )

    def approve(self, application, *, days: int) -> Voucher:
        day = application.applied_on + dt.timedelta(days=days)
        with _clock(self.before_now(at(day, 15, self.rng.randint(0, 59)))):
            return services.application_approve(application=application, actor=self.bureau)

    def reject(self, application, *, days: int) -> None:
        day = application.applied_on + dt.timedelta(days=days)
        reason = "不符合申请条件：" + application.eligibility_notes[0]
        with _clock(self.before_now(at(day, 16))):
            services.application_reject(application=application, actor=self.bureau, reason=reason)

    def enrol(self, voucher: Voucher, institution: Institution, start: dt.date, end=None) -> None:
        if voucher.child_id in self.enrolled:
            return
        start = min(start, self.today)
        with _clock(self.before_now(at(start, 10))):
            services.enrolment_record(
                child=voucher.child,
                institution=institution,
                start=start,
                end=end,
                actor=self.operator(institution),
            )
        self.enrolled[voucher.child_id] = (institution, start, end)

    def redeem(self, voucher: Voucher, month: dt.date, amount: Decimal, *, day: int, hour=11):
        institution, start, _end = self.enrolled[voucher.child_id]
        moment = at(max(month + dt.timedelta(days=day), start), hour, self.rng.randint(0, 59))
        with _clock(self.before_now(moment)):
            return services.redeem(
                institution=institution,
                code=voucher.code,
                fee_month=month,
                amount=amount,
                idempotency_key=self.key(),
                actor=self.operator(institution),
            ).redemption

    def redeem_months(self, voucher: Voucher, *, skip_current: bool = False) -> int:
        """Redeem the monthly cap (now and then half) for each month the child attended."""
        if voucher.child_id not in self.enrolled:
            return 0
        _institution, start, end = self.enrolled[voucher.child_id]
        last = min(month_start(voucher.valid_until), self.this_month)
        if end is not None:
            last = min(last, month_start(end))
        if skip_current:
            last = min(last, add_months(self.this_month, -1))
        balance, count = voucher.face_value, 0
        for month in _months(max(start, voucher.valid_from), last):
            if self.rng.random() < 0.1:
                continue  # a month the family paid in full (holidays, illness)
            amount = min(voucher.monthly_cap, balance)
            if self.rng.random() < 0.15:
                amount = min(amount, (voucher.monthly_cap / 2).quantize(Decimal("1")))
            if amount <= 0:
                break
            latest_day = (self.today - month).days if month == self.this_month else 14
            self.redeem(
                voucher, month, amount, day=self.rng.randint(0, max(0, min(14, latest_day)))
            )
            balance -= amount
            count += 1
        return count

    # --- the story ---------------------------------------------------------------------------------

    def batches(self) -> tuple[VoucherBatch, VoucherBatch]:
        start = settings.PILOT_START_DATE
        first_month = month_start(start)
        # The pilot's first round: applications in its first two months, valid for a year (or
        # until the end of last month, so the demo always has an expired batch).
        a_valid_until = max(
            min(add_months(first_month, 12), self.this_month) - dt.timedelta(days=1),
            add_months(first_month, 2) - dt.timedelta(days=1),
        )
        first = VoucherBatch(
            name=f"{start.year}年试点首批托育券{DEMO_SUFFIX}",
            face_value=Decimal("2400.00"),
            monthly_cap=Decimal("400.00"),
            quantity_cap=300,
            apply_from=start,
            apply_until=add_months(first_month, 2) - dt.timedelta(days=1),
            valid_from=start,
            valid_until=a_valid_until,
            residence_rule=VoucherBatch.Residence.HUKOU_OR_PERMIT,
            inclusive_only=True,
        )
        # A later round, six months back, still open for applications until next month's end.
        b_start = max(add_months(self.this_month, -6), add_months(first_month, 3))
        home_inclusive = (
            self.home is not None
            and institutions_as_of(month_end(b_start), Institution.objects.filter(pk=self.home.pk))
            .filter(is_inclusive=True)
            .exists()
        )
        second = VoucherBatch(
            name=f"{b_start.year}年第二批托育券{DEMO_SUFFIX}",
            face_value=Decimal("4800.00"),
            monthly_cap=Decimal("400.00"),
            quantity_cap=200,
            apply_from=b_start,
            apply_until=month_end(add_months(self.this_month, 1)),
            valid_from=b_start,
            valid_until=add_months(b_start, 12) - dt.timedelta(days=1),
            residence_rule=VoucherBatch.Residence.HUKOU_OR_PERMIT,
            # Operator1's institution must be able to redeem this round in the demo.
            inclusive_only=home_inclusive or self.home is None,
        )
        with _clock(at(start - dt.timedelta(days=10), 9)):
            services.batch_save(batch=first, actor=self.bureau)
        with _clock(at(b_start - dt.timedelta(days=10), 9)):
            services.batch_save(batch=second, actor=self.bureau)
        return first, second

    def applications(self, batch, count: int, *, hosts, window_days: int, ineligible: int):
        """`count` eligible families and `ineligible` others, applying in the first
        `window_days` of the batch's window; returns the eligible applications."""
        rng, eligible = self.rng, []
        latest = min(batch.apply_until, self.today - dt.timedelta(days=1))
        span = max(0, min(window_days, (latest - batch.apply_from).days))
        for number in range(count + ineligible):
            applied_on = batch.apply_from + dt.timedelta(days=rng.randint(0, span))
            residence = "permit" if rng.random() < 0.12 else "hukou"
            born = applied_on - dt.timedelta(days=rng.randint(70, 820))
            if number >= count:  # ineligible on purpose: too old, or not resident
                if number % 2:
                    born = applied_on - dt.timedelta(days=rng.randint(1130, 1250))
                else:
                    residence = "none"
            host = rng.choice(hosts) if hosts and rng.random() < 0.3 else None
            source = (
                VoucherApplication.Source.OPERATOR
                if host is not None
                else rng.choice(
                    [VoucherApplication.Source.IMPORT, VoucherApplication.Source.BUREAU]
                )
            )
            application = self.apply(
                batch,
                applied_on=applied_on,
                born=born,
                residence=residence,
                source=source,
                institution=host,
            )
            if application.eligible:
                eligible.append(application)
            else:
                # Most are rejected with the reason; in an open window one stays for the demo.
                if batch.apply_until < self.today or number % 2:
                    self.reject(application, days=rng.randint(3, 9))
        return eligible

    def run(self, institutions) -> dict:
        first, second = self.batches()
        hosts_a, hosts_b = self.hosts(first, second)
        scale = len(institutions)
        a_vouchers = self.first_round(first, hosts_a, scale=scale)

        # The first round's validity has ended: the nightly job expires what is left.
        if first.valid_until < self.today:
            expiry_day = first.valid_until + dt.timedelta(days=1)
            with _clock(at(expiry_day, 1, 30)):
                services.expire_vouchers(today=expiry_day)
        services.expire_vouchers()

        b_vouchers = self.second_round(second, hosts_b, a_vouchers, scale=scale)
        family, operator1 = self.redeem_second_round(b_vouchers, hosts_b)
        self.settle()
        self.match_reports()
        if family is None:
            return {}
        family.refresh_from_db()
        return {
            "family_code": family.code,
            "family_id_last6": family.child.id_last6,
            "operator1_code": operator1.code if operator1 else "",
        }

    def hosts(self, first, second) -> tuple[list[Institution], list[Institution]]:
        """The institutions each round's children attend, operator1's first when it can."""
        rng = self.rng
        hosts_a = _pick_hosts(
            rng, _hosts(self.ids, month_end(first.valid_from), self.today), [self.home]
        )
        hosts_b = _hosts(self.ids, month_end(second.valid_from), self.today)
        if self.home is not None and self.home not in hosts_b and not second.inclusive_only:
            hosts_b = [self.home, *hosts_b]
        hosts_b = _pick_hosts(rng, hosts_b, [self.home])
        return hosts_a, hosts_b

    def first_round(self, first, hosts_a: list[Institution], *, scale: int) -> list[Voucher]:
        """Imported lists and bureau entries; nearly all issued, most enrolled, redeemed month
        by month."""
        rng = self.rng
        a_apps = self.applications(
            first, 10 + scale // 100, hosts=hosts_a, window_days=50, ineligible=3
        )
        a_vouchers = [self.approve(app, days=rng.randint(4, 12)) for app in a_apps]
        for voucher in a_vouchers:
            if hosts_a and rng.random() < 0.8:
                host = hosts_a[0] if rng.random() < 0.25 else rng.choice(hosts_a)
                start = voucher.issued_at.date() + dt.timedelta(days=rng.randint(1, 40))
                end = None
                if rng.random() < 0.12:  # moved away during the year
                    end = start + dt.timedelta(days=rng.randint(90, 200))
                    end = end if end < self.today else None
                self.enrol(voucher, host, start, end)
        for voucher in a_vouchers:
            self.redeem_months(voucher)
        return a_vouchers

    def second_round(
        self, second, hosts_b: list[Institution], a_vouchers: list[Voucher], *, scale: int
    ) -> list[Voucher]:
        """Some first-round children apply again; most are new families. A few eligible
        applications wait for the bureau (the demo's approve button); new children enrol."""
        rng = self.rng
        b_new = self.applications(
            second, 10 + scale // 100, hosts=hosts_b, window_days=60, ineligible=4
        )
        waiting = b_new[-3:] if len(b_new) > 6 else []
        returning = [
            voucher
            for voucher in a_vouchers
            if voucher.child_id in self.enrolled
            and self.enrolled[voucher.child_id][2] is None
            and services.age_in_months(
                voucher.child.birth_date, second.apply_from + dt.timedelta(days=20)
            )
            <= second.max_age_months
        ][:3]
        b_apps = [app for app in b_new if app not in waiting]
        for voucher in returning:
            applied_on = second.apply_from + dt.timedelta(days=rng.randint(5, 20))
            with _clock(at(applied_on, 10)):
                b_apps.append(
                    services.application_create(
                        batch=second,
                        child=voucher.child,
                        source=VoucherApplication.Source.BUREAU,
                        applied_on=applied_on,
                        actor=self.bureau,
                    )
                )
        b_vouchers = [self.approve(app, days=rng.randint(3, 10)) for app in b_apps]
        newly = [v for v in b_vouchers if v.child_id not in self.enrolled]
        for index, voucher in enumerate(newly):
            if not hosts_b or (index > 1 and rng.random() > 0.8):
                continue
            # The first two new children attend operator1's institution (hosts_b[0]).
            host = hosts_b[0] if index < 2 else rng.choice(hosts_b)
            start = voucher.issued_at.date() + dt.timedelta(days=rng.randint(1, 25))
            self.enrol(voucher, host, start)
        return b_vouchers

    def redeem_second_round(
        self, b_vouchers: list[Voucher], hosts_b: list[Institution]
    ) -> tuple[Voucher | None, Voucher | None]:
        """The README's family voucher, and the rest redeemed month by month; returns the
        family's voucher and operator1's demo voucher, left for this month."""
        family = self.family_voucher(b_vouchers, hosts_b)
        operator1 = next(
            (
                voucher
                for voucher in b_vouchers
                if self.home is not None
                and voucher != family
                and self.enrolled.get(voucher.child_id, (None,))[0] == self.home
            ),
            None,
        )
        for voucher in b_vouchers:
            if voucher == family:
                continue
            # The current month: some redeemed already; operator1's demo voucher is left for them.
            self.redeem_months(
                voucher, skip_current=voucher == operator1 or self.rng.random() < 0.5
            )
        return family, operator1

    def family_voucher(self, vouchers: list[Voucher], hosts: list[Institution]) -> Voucher | None:
        """The README's family voucher: monthly redemptions, and last month a mistyped amount
        that the operator reversed and redeemed again."""
        candidates = [
            voucher
            for voucher in vouchers
            if voucher.child_id in self.enrolled
            and self.enrolled[voucher.child_id][0] != self.home
            and self.enrolled[voucher.child_id][1] <= add_months(self.this_month, -3)
        ] or [voucher for voucher in vouchers if voucher.child_id in self.enrolled]
        if not candidates:
            return None
        voucher = candidates[0]
        last_month = add_months(self.this_month, -1)
        _institution, start, _end = self.enrolled[voucher.child_id]
        for month in _months(max(start, voucher.valid_from), add_months(last_month, -1)):
            self.redeem(voucher, month, voucher.monthly_cap, day=self.rng.randint(0, 9))
        if month_start(start) <= last_month:
            wrong = self.redeem(voucher, last_month, Decimal("40.00"), day=4, hour=10)
            with _clock(self.before_now(wrong.created_at + dt.timedelta(minutes=25))):
                services.reverse(
                    redemption=wrong,
                    actor=self.operator(wrong.institution),
                    reason="金额录入有误（应为400元），已重新抵扣。",
                    by_bureau=False,
                )
            self.redeem(voucher, last_month, voucher.monthly_cap, day=4, hour=11)
        return voucher

    def settle(self) -> None:
        """Months before last: confirmed, approved and paid. Last month: operator1's
        institution has confirmed its statement, waiting for the bureau."""
        last_month = add_months(self.this_month, -1)
        pairs = (
            Redemption.objects.filter(
                status=Redemption.Status.ACTIVE, fee_month__lt=self.this_month
            )
            .values_list("institution", "fee_month")
            .distinct()
            .order_by("fee_month", "institution")
        )
        institutions = Institution.objects.in_bulk(self.ids)
        paid = 0
        for institution_id, month in pairs:
            institution = institutions.get(institution_id)
            if institution is None:
                continue
            operator = self.operator(institution)
            following = add_months(month, 1)
            if month < last_month:
                with _clock(at(following + dt.timedelta(days=2), 9)):
                    settlement = services.settlement_prepare(
                        institution=institution, month=month, actor=operator
                    )
                    services.settlement_confirm(settlement=settlement, actor=operator)
                with _clock(at(following + dt.timedelta(days=7), 14)):
                    services.settlement_approve(settlement=settlement, actor=self.bureau)
                paid += 1
                with _clock(at(following + dt.timedelta(days=14), 10)):
                    services.settlement_mark_paid(
                        settlement=settlement,
                        reference=f"乐卫托育券支付{month:%Y%m}-{paid:03d}",
                        actor=self.bureau,
                    )
            elif institution == self.home:
                with _clock(self.before_now(at(following + dt.timedelta(days=2), 9))):
                    settlement = services.settlement_prepare(
                        institution=institution, month=month, actor=operator
                    )
                    services.settlement_confirm(settlement=settlement, actor=operator)

    def match_reports(self) -> None:
        """Monthly reports say how many voucher children an institution had. Make the demo's
        reports agree with the redemptions, except two months where the institution redeemed
        for more children than it reported (what the anomaly page is for)."""
        counts = {
            (row["institution"], row["fee_month"]): row["children"]
            for row in Redemption.objects.filter(status=Redemption.Status.ACTIVE)
            .values("institution", "fee_month")
            .annotate(children=Count("voucher__child", distinct=True))
        }
        reports = list(
            MonthlyReport.objects.filter(
                institution_id__in=self.ids, period__in={month for _i, month in counts}
            ).order_by("period", "institution_id")
        )
        changed, over = [], 0
        for report in reports:
            children = counts.get((report.institution_id, report.period))
            if children is None:
                continue
            reported = children
            if (
                over < 2
                and children >= 2
                and report.state == MonthlyReport.State.ACCEPTED
                and self.rng.random() < 0.2
            ):
                reported, over = children - 1, over + 1
            report.voucher_children = min(reported, report.enrolled_total)
            changed.append(report)
        MonthlyReport.objects.bulk_update(changed, ["voucher_children"], batch_size=1000)


def seed_vouchers(rng: random.Random, *, institutions: list, users: dict) -> dict:
    """Create demo batches, applications, vouchers, redemptions, a reversal, a settled month and
    an expired voucher. Returns what the README lists: {"family_code", "family_id_last6",
    "operator1_code"} (empty when nothing was created)."""
    if not institutions or VoucherBatch.objects.filter(name__endswith=DEMO_SUFFIX).exists():
        return {}
    seeder = _Seeder(rng, institutions=institutions, users=users)
    with _demo_codes(rng):
        return seeder.run(institutions)
