"""Demo inspections: a year of patrols, guidance visits and annual inspections with findings in
every state, a holiday joint check, a published random draw with its spot checks, a few
incidents (one about suspected harm to a child) and one draft on the inspector's phone today.

Rows are bulk-created (the services' rules are kept: every failed item is a finding with its
severity's deadline, completed inspections have a score and an outcome). The draw itself goes
through `services.draw_perform`, so its seed and pool are recorded and re-runnable. Dates are
relative to today; every choice comes from the caller's seeded `rng`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from inspections import services
from inspections.checklists import ensure_default_checklists
from inspections.models import (
    ChecklistTemplate,
    Finding,
    Incident,
    Inspection,
    InspectionKind,
    InspectionResult,
    Rectification,
    default_deadline,
)
from inspections.selectors import outcome_for, period_bounds, score_of
from institutions.models import Institution
from portal.dates import add_months
from portal.roles import Role

from .moments import at
from .people import DEMO_PASSWORD
from .registry import DEMO_SUFFIX

EXTRA_INSPECTORS = [
    ("inspector2", "检查员 二"),
    ("inspector3", "检查员 三"),
    ("inspector4", "检查员 四"),
    ("inspector5", "检查员 五"),
    ("inspector6", "检查员 六"),
]
FAIL_RATE = 0.025
# Now and then an inspection finds many problems (a fail below 60 points).
BAD_DAY_RATE = 0.03
BAD_DAY_FAIL_RATE = 0.45
NA_RATE = 0.03
# Inspector's notes on failed items: no names, as the public page shows only the item's wording.
FAIL_NOTES = [
    "现场发现该项不符合要求，已当场指出。",
    "记录缺失近一周。",
    "设施损坏，未及时维修。",
    "未按规定执行，负责人表示立即整改。",
]


def _inspectors(users: dict) -> list:
    """The demo inspector plus five more, so a draw has a pool."""
    User = get_user_model()
    group = Group.objects.get(name=Role.INSPECTOR.group_name)
    result = [users["inspector"]]
    for username, display in EXTRA_INSPECTORS:
        user, created = User.objects.get_or_create(username=username)
        user.first_name = display
        user.is_staff = True
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([group])
        result.append(user)
    return result


class _Builder:
    """Collects rows in memory and writes them with a few bulk inserts."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.templates = {
            t.kind: (t, list(t.items.order_by("order", "pk")))
            for t in ChecklistTemplate.objects.filter(is_active=True)
        }
        self.plans: list[tuple[Inspection, list, list]] = []  # inspection, inspectors, answers

    def plan(
        self,
        institution: Institution,
        kind: str,
        day: dt.date,
        inspectors: list,
        *,
        fail_rate: float = FAIL_RATE,
        draw_assignment=None,
    ) -> Inspection:
        template, items = self.templates[kind]
        if self.rng.random() < BAD_DAY_RATE:
            fail_rate = BAD_DAY_FAIL_RATE
        answers = []
        for item in items:
            roll = self.rng.random()
            if roll < fail_rate:
                answers.append((item, InspectionResult.Result.FAIL, self.rng.choice(FAIL_NOTES)))
            elif roll < fail_rate + NA_RATE:
                answers.append((item, InspectionResult.Result.NOT_APPLICABLE, ""))
            else:
                answers.append((item, InspectionResult.Result.PASS, ""))
        score = score_of([{"result": r, "weight": i.weight} for i, r, _n in answers])
        inspection = Inspection(
            institution=institution,
            kind=kind,
            template=template,
            inspected_on=day,
            state=Inspection.State.COMPLETED,
            score=score.score,
            outcome=outcome_for(score),
            completed_at=at(day, 16),
            completed_by=inspectors[0],
            created_by=inspectors[0],
            draw_assignment=draw_assignment,
            joint_agencies="市消防救援大队、市市场监管局"
            if kind == InspectionKind.HOLIDAY_JOINT
            else "",
        )
        self.plans.append((inspection, inspectors, answers))
        return inspection

    def save(self) -> list[Inspection]:
        inspections = Inspection.objects.bulk_create([p[0] for p in self.plans], batch_size=1000)
        Through = Inspection.inspectors.through
        Through.objects.bulk_create(
            [
                Through(inspection_id=inspection.pk, user_id=user.pk)
                for inspection, (_i, users, _a) in zip(inspections, self.plans, strict=True)
                for user in users
            ],
            batch_size=5000,
        )
        results = []
        for inspection, (_i, _u, answers) in zip(inspections, self.plans, strict=True):
            for item, result, note in answers:
                results.append(
                    InspectionResult(
                        inspection=inspection,
                        item=item,
                        area=item.area,
                        order=item.order,
                        text=item.text,
                        weight=item.weight,
                        severity=item.severity,
                        result=result,
                        note=note,
                    )
                )
        results = InspectionResult.objects.bulk_create(results, batch_size=5000)
        by_inspection = defaultdict(list)
        for row in results:
            if row.result == InspectionResult.Result.FAIL:
                by_inspection[row.inspection_id].append(row)
        self._findings(inspections, by_inspection)
        return inspections

    def _findings(self, inspections: list[Inspection], failed: dict) -> None:
        """Findings in every state: closed on time, closed late, submitted, returned, open, and
        open past the deadline (marked overdue, as the nightly task would)."""
        rng, today = self.rng, self.today
        findings, answers = [], []
        for inspection in inspections:
            for row in failed.get(inspection.pk, []):
                deadline = default_deadline(inspection.inspected_on, row.severity)
                finding = Finding(
                    inspection=inspection,
                    result=row,
                    area=row.area,
                    title=row.text,
                    detail=row.note,
                    severity=row.severity,
                    found_on=inspection.inspected_on,
                    deadline=deadline,
                )
                roll = rng.random()
                answered_on = inspection.inspected_on + dt.timedelta(
                    days=rng.randint(1, max(1, (deadline - inspection.inspected_on).days))
                )
                # Old findings are nearly all closed by now; recent ones are in every state.
                closed_share = 0.95 if deadline < today - dt.timedelta(days=60) else 0.7
                if deadline < today and roll < closed_share:
                    late = roll > closed_share - 0.1
                    closed_on = (
                        deadline + dt.timedelta(days=rng.randint(1, 10)) if late else answered_on
                    )
                    closed_on = min(closed_on, today)
                    finding.state = Finding.State.CLOSED
                    finding.closed_on = closed_on
                    answers.append((finding, answered_on, Rectification.Review.ACCEPTED, closed_on))
                elif deadline < today and roll < closed_share + (1 - closed_share) / 2:
                    finding.state = Finding.State.RETURNED
                    answers.append(
                        (finding, answered_on, Rectification.Review.SENT_BACK, answered_on)
                    )
                    finding.overdue_notified_at = at(deadline + dt.timedelta(days=1), 2)
                elif deadline < today:
                    finding.overdue_notified_at = at(deadline + dt.timedelta(days=1), 2)
                elif roll < 0.5 and answered_on <= today:
                    finding.state = Finding.State.SUBMITTED
                    answers.append((finding, answered_on, Rectification.Review.PENDING, None))
                findings.append(finding)
        self._ensure_submitted(findings, answers)
        Finding.objects.bulk_create(findings, batch_size=2000)
        rectifications = []
        for finding, _answered_on, review, reviewed_on in answers:
            rectifications.append(
                Rectification(
                    finding=finding,
                    action_taken="已按要求完成整改，附整改后照片。",
                    submitted_by=_operator_or_lead(finding),
                    review=review,
                    review_note="整改不到位，请补充佐证材料后重新提交。"
                    if review == Rectification.Review.SENT_BACK
                    else "",
                    reviewed_by=finding.inspection.completed_by if reviewed_on else None,
                    reviewed_at=at(reviewed_on, 15) if reviewed_on else None,
                )
            )
        rows = Rectification.objects.bulk_create(rectifications, batch_size=2000)
        # auto_now_add ignores a given value: place the answers on their days afterwards.
        for row, (_f, answered_on, _r, _d) in zip(rows, answers, strict=True):
            row.submitted_at = at(answered_on, 11)
        Rectification.objects.bulk_update(rows, ["submitted_at"], batch_size=2000)

    def _ensure_submitted(self, findings: list[Finding], answers: list) -> None:
        """On some days no recent finding rolls "submitted" (every recent deadline is past, or
        the rolls fall the other way): answer the newest open one, so the demo shows each state
        whatever day it is seeded."""
        if any(f.state == Finding.State.SUBMITTED for f in findings):
            return
        still_open = [f for f in findings if f.state == Finding.State.OPEN]
        if len(still_open) < 3:  # keep open ones, overdue and not, for the other views
            return
        finding = max(still_open, key=lambda f: (f.found_on, f.deadline))
        answered_on = min(self.today, finding.found_on + dt.timedelta(days=1))
        finding.state = Finding.State.SUBMITTED
        finding.overdue_notified_at = None
        answers.append((finding, answered_on, Rectification.Review.PENDING, None))


_OPERATORS: dict[int, object] = {}


def _operator_or_lead(finding: Finding):
    return _OPERATORS.get(finding.inspection.institution_id) or finding.inspection.completed_by


def seed_inspections(rng: random.Random, *, institutions: list, users: dict) -> int:
    """Create demo inspections, findings, a published draw and incidents; returns how many
    inspections were created."""
    if not institutions:
        return 0
    ensure_default_checklists()
    today = timezone.localdate()
    inspectors = _inspectors(users)
    instructor = users["inspector"]
    others = inspectors[1:]
    _OPERATORS.clear()
    for institution in Institution.objects.filter(
        pk__in=[i.pk for i in institutions], operators__isnull=False
    ).prefetch_related("operators"):
        _OPERATORS[institution.pk] = institution.operators.all()[0]
    builder = _Builder(rng, today)
    first_month = add_months(today.replace(day=1), -11)
    # The first demo operator's institution gets today's patrol as a draft (below).
    draft_institution = institutions[0]

    def counted(institution: Institution, day: dt.date) -> bool:
        return institution.filed_on <= day and (
            institution.closed_on is None or institution.closed_on > day
        )

    def visit_day(start: dt.date, end: dt.date) -> dt.date:
        end = min(end, today)
        return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))

    for institution in institutions:
        # Monthly patrols by the assigned health instructor, with a colleague now and then.
        month = first_month
        while month <= today:
            start, end = period_bounds("month", month)
            current = end >= today
            skip = current and institution.pk == draft_institution.pk
            if (
                not skip
                and counted(institution, start)
                and rng.random() < (0.45 if current else 0.88)
            ):
                team = [instructor] + ([rng.choice(others)] if rng.random() < 0.3 else [])
                builder.plan(institution, InspectionKind.PATROL, visit_day(start, end), team)
            month = add_months(month, 1)
        # Quarterly guidance and the annual inspection.
        for quarter in range(0, 12, 3):
            start, end = period_bounds("quarter", add_months(first_month, quarter))
            start = max(start, first_month)
            if start <= today and counted(institution, start) and rng.random() < 0.8:
                builder.plan(
                    institution, InspectionKind.GUIDANCE, visit_day(start, end), [instructor]
                )
        for year_start in sorted({first_month.replace(month=1), today.replace(month=1, day=1)}):
            start, end = period_bounds("year", year_start)
            start = max(start, first_month)
            if counted(institution, start) and rng.random() < (0.9 if end < today else 0.55):
                team = [instructor, rng.choice(others)]
                builder.plan(
                    institution, InspectionKind.ANNUAL, visit_day(start, end), team, fail_rate=0.08
                )
    # A holiday joint check before the last Spring Festival window (the January in the year).
    january = today.replace(month=1, day=1)
    for institution in rng.sample(institutions, k=max(1, len(institutions) // 5)):
        start, end = january, january + dt.timedelta(days=20)
        if end <= today and counted(institution, start):
            builder.plan(
                institution,
                InspectionKind.HOLIDAY_JOINT,
                visit_day(start, end),
                rng.sample(others, 2),
            )
    created = builder.save()

    created += _draw_and_spot_checks(rng, users=users, inspectors=inspectors, today=today)
    _draft_for_the_inspector(rng, institution=draft_institution, instructor=instructor, today=today)
    _incidents(rng, institutions=institutions, users=users, today=today)
    return len(created) + 1


def _draw_and_spot_checks(
    rng: random.Random, *, users: dict, inspectors: list, today: dt.date
) -> list:
    """A published draw two months ago, risk-weighted, with its spot checks made."""
    drawn_on = today - dt.timedelta(days=60)
    draw = services.draw_perform(
        actor=users["bureau"],
        title=f"{drawn_on:%Y年%m月}托育机构双随机抽查{DEMO_SUFFIX}",
        drawn_on=drawn_on,
        share=Decimal("0.1"),
        risk_weighted=True,
        inspector_ids=[u.pk for u in inspectors],
        seed=rng.randrange(10**12),
    )
    builder = _Builder(rng, today)
    by_pk = {u.pk: u for u in inspectors}
    for assignment in draw.assignments.select_related("institution").prefetch_related("inspectors"):
        day = drawn_on + dt.timedelta(days=rng.randint(3, 25))
        team = [by_pk[u.pk] for u in assignment.inspectors.all()]
        builder.plan(
            assignment.institution,
            InspectionKind.SPOT_CHECK,
            day,
            team,
            fail_rate=0.1,
            draw_assignment=assignment,
        )
    created = builder.save()
    services.draw_publish(draw=draw, actor=users["bureau"])
    return created


def _draft_for_the_inspector(
    rng: random.Random, *, institution: Institution, instructor, today: dt.date
) -> Inspection:
    """Today's patrol of the first demo operator's institution, half filled in: what the
    inspector finds on the phone form."""
    inspection = services.inspection_create(
        institution=institution,
        kind=InspectionKind.PATROL,
        inspected_on=today,
        inspectors=[instructor],
        actor=instructor,
    )
    rows = list(inspection.results.order_by("order", "pk"))
    answers = {}
    for index, row in enumerate(rows[: len(rows) // 2]):
        if index == 2:
            answers[row.pk] = {"result": "fail", "note": "现场发现不符合要求，已要求当场整改。"}
        else:
            answers[row.pk] = {"result": "pass", "note": ""}
    services.inspection_save_results(inspection=inspection, actor=instructor, results=answers)
    return inspection


def _incidents(rng: random.Random, *, institutions: list, users: dict, today: dt.date) -> None:
    """Four incidents with their follow-up trails; one about suspected harm to a child."""
    instructor, bureau = users["inspector"], users["bureau"]
    now = timezone.now()
    pool = institutions[2:] or institutions
    plans = [
        (
            Incident.Kind.INJURY,
            40,
            "户外活动时一名幼儿跌倒，额头擦伤，保健员现场处理后通知家长，送医检查无大碍。",
            1,
            ["已复查户外场地，加装防滑垫。", "家长已确认幼儿恢复良好。"],
            True,
        ),
        (
            Incident.Kind.ILLNESS_OUTBREAK,
            10,
            "托小班一周内出现3例手足口病，已按规定报告疾控并对班级停课消毒。",
            3,
            ["疾控中心已上门指导消毒，班级暂停10天。"],
            False,
        ),
        (
            Incident.Kind.FOOD_SAFETY,
            100,
            "午餐后两名幼儿呕吐，留样已封存送检。",
            2,
            ["送检结果未见致病菌，原因为个别幼儿进食过快。"],
            True,
        ),
        (
            Incident.Kind.SUSPECTED_HARM,
            5,
            "家长反映幼儿身上有不明淤青，监控显示一名保育人员有推搡行为。",
            1,
            ["卫健局已约谈机构负责人，涉事人员已停岗，案件已移交公安机关。"],
            False,
        ),
    ]
    for kind, days_ago, description, children, notes, close in plans:
        institution = rng.choice(pool)
        occurred = min(at(today - dt.timedelta(days=days_ago), 14), now)
        incident = services.incident_report(
            institution=institution,
            actor=instructor,
            kind=kind,
            occurred_at=occurred,
            description=description,
            children_affected=children,
            immediate_action="已通知家长并记录。",
        )
        for index, note in enumerate(notes):
            last = index == len(notes) - 1
            services.incident_follow_up(
                incident=incident,
                actor=bureau if kind == Incident.Kind.SUSPECTED_HARM else instructor,
                note=note,
                close=close and last,
            )
