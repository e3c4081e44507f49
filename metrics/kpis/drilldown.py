"""Drill-down: what is behind one figure, listed with the definitions the computation reads.

A registry indicator lists the institutions of the registry total its definition divides by
(or, over the population, the total it counts), flagged with its numerator's condition; any
other lists the rows of its source's queryset. One query for the rows (two for K8), plus the
paginator's count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.selectors import completed_inspections
from institutions.models import Institution, Township

from .definitions import BY_ID, REGISTRY, Definition
from .month import Month
from .registry import INCLUSIVE_PLACES, INSPECTIONS, Total, registry_facts, totals_by_name
from .sources import (
    FEE_ROWS,
    accepted_reports,
    findings,
    new_communities,
    sessions,
    township_at,
)
from .tracked import screening_months, tracked_institutions

ORDERING = ("township__sort_order", "name", "pk")
TEXTS = {
    "places": gettext_lazy(
        "月末在册（已备案、未停办）且有核定托位的机构；托位为月末有效的核定托位。"
    ),
    "staff": gettext_lazy(
        "月末在册机构的在岗保育人员、教师、保健人员，及其中持有月末有效资格证书的人数。"
    ),
    "kindergartens": gettext_lazy("月末在册的普惠性幼儿园及其是否开设托班。"),
    "K11": gettext_lazy("月末在册机构及其月末是否有有效的医育结合签约。"),
    "K17": gettext_lazy("月末在册机构及其月末是否已安装一键式报警。"),
    "inspections": gettext_lazy(
        "月末在册机构，及其在统计期内是否完成了该类检查（最近一次完成日期）。"
    ),
    "report_states": gettext_lazy(
        "月末在册机构的本月月报：提交过一次即计入完整率；截止日期前首次提交计入及时率。"
    ),
    "fees": gettext_lazy(
        "本月审核通过的月报中，月末在册且普惠认定有效、在托人数大于0的机构：按在托人数加权的全日托月收费。"
    ),
    "enrolment": gettext_lazy("本月审核通过的月报（月末在册机构）的在托人数。"),
    "sessions": gettext_lazy("1月1日至月末举办的养育照护小组活动。"),
    "communities": gettext_lazy(
        "试点开始后至月末交付的新建小区，及其托位是否达到每千常住人口10个。"
    ),
    "findings": gettext_lazy("整改期限在本月的问题，及其是否在期限内销号。"),
    "K18": gettext_lazy("月末在册机构及其月末是否指派了健康指导员（以月末有效的指派记录为准）。"),
    "K19": gettext_lazy("月末在册机构及其本季度第一天至月末的健康指导次数（上门指导和咨询服务）。"),
    "K20": gettext_lazy(
        "月末在册机构的在岗保育人员，及其中参加过结束日期在当年1月1日至月末之间的培训课程的人数。"
    ),
    "K21": gettext_lazy(
        "月末在册机构的在岗保育人员，及其中参加过结束日期在当年1月1日至月末之间的医育跟诊的人数。"
    ),
    "screenings": gettext_lazy(
        "各医疗卫生机构当年1月至本月填报的儿童早期发育筛查人次，按机构所在镇街统计。"
    ),
    "none": gettext_lazy(
        "托育券指标按儿童户籍所在镇街统计，明细涉及家庭信息，请在托育券模块查看。"
    ),
}


@dataclass
class Drilldown:
    """What is listed behind a figure: `kind` picks the table in the template."""

    kind: str
    rows: QuerySet | list
    description: str
    day: dt.date


def _in_area(queryset: QuerySet, area: Township | None, path: str = "township") -> QuerySet:
    return queryset if area is None else queryset.filter(**{path: area})


def _at_d(queryset: QuerySet, area: Township | None) -> QuerySet:
    """Rows of institutions (or their reports, findings) in `area` by their township at D
    (`township_id_at`)."""
    return queryset if area is None else queryset.filter(township_id_at=area.pk)


def _flag(total: Total) -> ExpressionWrapper:
    return ExpressionWrapper(total.where, output_field=BooleanField())


def listed_total(definition: Definition, totals: dict[str, Total]) -> Total:
    """The registry total whose institutions a registry indicator lists: the one it divides by,
    else (over the population, or a count) the one it counts."""
    return totals.get(definition.denominator) or totals[definition.numerator]


def drilldown(period: dt.date, area: Township | None, indicator: str) -> Drilldown:
    """The institutions (or reports, sessions, communities, findings) behind the figure of
    `indicator` for `area` (None: the city) in `period`, read with the rules of kpis.md at the
    month's end D."""
    definition = BY_ID[indicator]
    month = Month(period.replace(day=1), {})
    kind = definition.drill or "none"
    if kind in LISTINGS:
        rows = LISTINGS[kind](month, area, definition)
    elif kind == "none":
        rows = []
    else:
        rows = _registry_rows(month, area, definition)
    return Drilldown(kind, rows, _description(definition.id, kind), month.day)


def _description(indicator: str, kind: str) -> str:
    if kind == "inclusive_growth":
        return _(
            "月末与试点基线日（%(day)s）分别计入的普惠托位；新增 = 月末普惠托位 − 基线普惠托位。"
        ) % {"day": settings.PILOT_BASELINE_DATE.isoformat()}
    return str(TEXTS.get(indicator) or TEXTS[kind])


def _registry_rows(month: Month, area: Township | None, definition: Definition) -> QuerySet:
    """The institutions of the listed registry total, flagged by the numerator's condition
    (`flag`; for the monthly reports `is_submitted` and `is_on_time`)."""
    totals = totals_by_name(month.period)
    facts = registry_facts(month.day, None if definition.source == REGISTRY else month.period)
    rows = _at_d(listed_total(definition, totals).rows(facts), area).select_related("township")
    if definition.drill == "report_states":
        rows = rows.annotate(
            is_submitted=_flag(totals["submitted"]), is_on_time=_flag(totals["on_time"])
        )
    elif definition.drill in ("flag", "inspections"):
        rows = rows.annotate(flag=_flag(totals[definition.numerator]))
    if definition.drill == "inspections":
        kind, start = INSPECTIONS[definition.numerator]
        done = completed_inspections(kind=kind, start=start(month), end=month.day)
        last = done.filter(institution=OuterRef("pk")).order_by("-inspected_on")
        rows = rows.annotate(
            last_done_on=Subquery(last.values("inspected_on")[:1], output_field=DateField())
        )
    return rows.order_by(*ORDERING)


def _inclusive_growth(month: Month, area: Township | None, _definition) -> list[Institution]:
    """K8: institutions inclusive and counted at D or at the baseline, with both place counts."""
    day, baseline_day = month.day, settings.PILOT_BASELINE_DATE
    now = {
        i.pk: i
        for i in _at_d(registry_facts(day).filter(INCLUSIVE_PLACES.where), area).select_related(
            "township"
        )
    }
    baseline = {
        row["pk"]: row["places_total"]
        for row in _at_d(registry_facts(baseline_day).filter(INCLUSIVE_PLACES.where), area).values(
            "pk", "places_total"
        )
    }
    missing = set(baseline) - set(now)
    if missing:
        for institution in Institution.objects.filter(pk__in=missing).select_related("township"):
            institution.places_total = 0
            now[institution.pk] = institution
    rows = list(now.values())
    for institution in rows:
        institution.baseline_places = baseline.get(institution.pk, 0)
        institution.places_change = institution.places_total - institution.baseline_places
    rows.sort(key=lambda i: (i.township.sort_order, i.name, i.pk))
    return rows


def _reports(month: Month, area: Township | None, definition: Definition) -> QuerySet:
    """K6 and K15: the accepted reports they read (K6: those FEE_ROWS selects)."""
    rows = (
        _at_d(accepted_reports(month.period, month.day), area)
        .select_related("institution", "institution__township")
        .order_by("institution__township__sort_order", "institution__name", "pk")
    )
    if definition.id == "K6":
        return rows.filter(FEE_ROWS).annotate(fee_weighted=F("fee_full_day") * F("enrolled"))
    return rows


def _sessions(month: Month, area: Township | None, _definition) -> QuerySet:
    rows = _in_area(sessions(month.day), area).select_related("township", "institution")
    # The families on each session's attendance list (0: no list, its head count counts).
    return rows.annotate(on_list=Count("attendance")).order_by("held_on", "pk")


def _communities(month: Month, area: Township | None, _definition) -> QuerySet:
    rows = _in_area(new_communities(month.day), area).select_related("township")
    return rows.order_by("delivered_on", "pk")


def _findings(month: Month, area: Township | None, _definition) -> QuerySet:
    rows = _at_d(
        findings(month).annotate(township_id_at=township_at(month.day, "inspection__institution")),
        area,
    )
    rows = rows.select_related("inspection__institution", "inspection__institution__township")
    return rows.order_by("deadline", "pk")


def _tracked(month: Month, area: Township | None, definition: Definition) -> QuerySet:
    """K18-K21: the counted institutions with their figures (K20, K21: those with care staff)."""
    rows = _at_d(tracked_institutions(month), area).select_related("township")
    if definition.drill == "training":
        rows = rows.filter(care_staff_at__gt=0)
    return rows.order_by(*ORDERING)


def _screenings(month: Month, area: Township | None, _definition) -> QuerySet:
    rows = _in_area(screening_months(month), area, "facility__township")
    rows = rows.select_related("facility", "facility__township")
    return rows.order_by("facility__township__sort_order", "facility__name", "period")


LISTINGS = {
    "inclusive_growth": _inclusive_growth,
    "fees": _reports,
    "enrolment": _reports,
    "sessions": _sessions,
    "communities": _communities,
    "findings": _findings,
    "guidance": _tracked,
    "training": _tracked,
    "screenings": _screenings,
}
