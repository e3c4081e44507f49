"""Pilot indicators: the population base, the targets, and the monthly snapshots.

Definitions are ../shared/spec/kpis.md; metrics/computation.py implements them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Township
from portal.jobs import Job

CITY = "city"


class Indicator(models.TextChoices):
    K1 = "K1", _("每千名3岁以下婴幼儿托位数")
    K2 = "K2", _("千人口托位数")
    K3 = "K3", _("托幼一体托位占比")
    K4 = "K4", _("普惠托位占比")
    K5 = "K5", _("托育从业人员持证率")
    K6 = "K6", _("平均月收费与人均可支配收入之比")
    K7 = "K7", _("普惠性幼儿园开设托班率")
    K8 = "K8", _("新增普惠性托位")
    K9_SESSIONS = "K9_sessions", _("养育照护小组活动场次")
    K9_FAMILIES = "K9_families", _("养育照护小组活动覆盖家庭数")
    K10 = "K10", _("新建小区按标准配建托位达标率")
    K11 = "K11", _("医育结合签约覆盖率")
    K12A = "K12a", _("月巡查覆盖率")
    K12B = "K12b", _("季指导覆盖率")
    K12C = "K12c", _("年检覆盖率")
    K12D = "K12d", _("整改按期完成率")
    K13_ISSUED = "K13_issued", _("托育券发放金额")
    K13_REDEEMED = "K13_redeemed", _("托育券抵扣金额")
    K13_USE = "K13_use", _("托育券使用率")
    K13_FAMILIES = "K13_families", _("使用托育券家庭数")
    K14 = "K14", _("月报完整率")
    K14_TIMELY = "K14_timely", _("月报及时率")
    K15 = "K15", _("入托率")
    K16 = "K16", _("小月龄托位占比")
    K17 = "K17", _("一键式报警覆盖率")
    K18 = "K18", _("健康指导员覆盖率")
    K19 = "K19", _("季度每机构指导次数")
    K20 = "K20", _("托育从业人员年度培训覆盖率")
    K21 = "K21", _("医育跟诊参与率")
    K22 = "K22", _("早期发育筛查人次")


class Unit(models.TextChoices):
    PER_THOUSAND = "per_thousand", _("每千人")
    SHARE = "share", _("比例")
    COUNT = "count", _("数量")
    YUAN = "yuan", _("元")
    PER_INSTITUTION = "per_institution", _("每机构")


UNITS = {
    "K1": Unit.PER_THOUSAND,
    "K2": Unit.PER_THOUSAND,
    "K8": Unit.COUNT,
    "K9_sessions": Unit.COUNT,
    "K9_families": Unit.COUNT,
    "K13_issued": Unit.YUAN,
    "K13_redeemed": Unit.YUAN,
    "K13_families": Unit.COUNT,
    "K19": Unit.PER_INSTITUTION,
    "K22": Unit.COUNT,
}
# Units shown as a number to one decimal place (K1, K2 per 1000; K19 visits per institution).
DECIMAL_UNITS = frozenset({Unit.PER_THOUSAND, Unit.PER_INSTITUTION})
HEADLINE = ("K1", "K3", "K4", "K5", "K6")


class PopulationBase(models.Model):
    """Per township and year: resident population, children under 3, births."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="population", verbose_name=_("镇街")
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    residents = models.PositiveIntegerField(_("常住人口"))
    children_under_3 = models.PositiveIntegerField(_("3岁以下婴幼儿数"))
    births = models.PositiveIntegerField(_("出生人口"), null=True, blank=True)

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("人口基数")
        verbose_name_plural = _("人口基数")
        ordering = ["-year", "township__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year"],
                name="population_one_row_per_township_and_year",
                violation_error_message=_("该镇街该年份已有人口数据。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.year}"


class CityIncome(models.Model):
    """Per-capita disposable income of all urban and rural residents (全体居民人均可支配收入)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    per_capita_disposable_income = models.DecimalField(
        _("全体居民人均可支配收入（元/年）"), max_digits=12, decimal_places=2
    )

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("人均可支配收入")
        verbose_name_plural = _("人均可支配收入")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(per_capita_disposable_income__gt=0), name="city_income_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.per_capita_disposable_income}"


class Target(models.Model):
    """An indicator's target; staff edit it. Defaults come from the plan (kpis.md)."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("不低于")
        AT_MOST = "lte", _("不高于")

    indicator = models.CharField(_("指标"), max_length=20, choices=Indicator.choices, unique=True)
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    comparison = models.CharField(_("比较方式"), max_length=3, choices=Comparison.choices)
    by_year_end = models.BooleanField(
        _("年底考核"),
        default=False,
        help_text=_("按年累计的指标（如年检覆盖率）：12月才判定是否达标，此前显示为进行中。"),
    )

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("指标目标")
        verbose_name_plural = _("指标目标")
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_comparison_display()} {self.value}"


class Snapshot(models.Model):
    """An indicator's value for one month and one area, as computed at `computed_at`."""

    class Status(models.TextChoices):
        MET = "met", _("达标")
        NOT_MET = "not_met", _("未达标")
        NO_DATA = "no_data", _("无数据")
        TRACKED = "tracked", _("跟踪")

    period = models.DateField(_("月份"), help_text=_("该月第一天。"))
    area = models.CharField(_("区域"), max_length=12, help_text=_("city 或镇街代码。"))
    indicator = models.CharField(_("指标"), max_length=20, choices=Indicator.choices)
    value = models.DecimalField(_("值"), max_digits=20, decimal_places=6, null=True)
    numerator = models.DecimalField(_("分子"), max_digits=20, decimal_places=4, null=True)
    denominator = models.DecimalField(_("分母"), max_digits=20, decimal_places=4, null=True)
    target = models.DecimalField(_("目标"), max_digits=14, decimal_places=4, null=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    computed_at = models.DateTimeField(_("计算时间"))

    # Rewritten whole by every computation; the computation log is its history.
    history_exempt = True
    scope_public = True

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        ordering = ["period", "area", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "area", "indicator"], name="snapshot_one_per_month_area_indicator"
            ),
            models.CheckConstraint(
                condition=Q(status="no_data", value__isnull=True)
                | (~Q(status="no_data") & Q(value__isnull=False)),
                name="snapshot_no_data_has_no_value",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "area", "period"])]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.area} {self.indicator}={self.value}"


class ComputeRun(Job):
    """One recompute of indicators, so the dashboard can show progress and the last success.

    A long job (portal.jobs): metrics.services.request_compute asks for it, metrics.tasks
    .compute_run runs it month by month."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    first_period = models.DateField(_("起始月份"))
    last_period = models.DateField(_("结束月份"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    months_total = models.PositiveSmallIntegerField(_("月份数"), default=1)
    months_done = models.PositiveSmallIntegerField(_("已完成月份数"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history_exempt = True  # a log in itself
    scope_public = True
    progress_fields = ("months_done", "months_total")
    queue_down_notice = _(
        "任务队列暂时不可用：重新计算已登记，队列恢复后将自动开始，无需重复提交。"
    )

    class Meta(Job.Meta):
        verbose_name = _("指标计算任务")
        verbose_name_plural = _("指标计算任务")

    def __str__(self) -> str:
        return f"{self.first_period:%Y-%m}–{self.last_period:%Y-%m} {self.state}"

    def progress_text(self, *, done: int, total: int, step: str) -> str:
        span = {"first": f"{self.first_period:%Y-%m}", "last": f"{self.last_period:%Y-%m}"}
        if self.state == self.State.DONE:
            return gettext("%(first)s 至 %(last)s 已重新计算（%(n)s 个月）。") % {
                **span,
                "n": total,
            }
        if self.state == self.State.FAILED:
            return gettext("%(first)s 至 %(last)s 重新计算失败。") % span
        if self.state == self.State.RUNNING:
            return gettext("正在计算 %(first)s 至 %(last)s：已完成 %(done)s / %(total)s 个月。") % {
                **span,
                "done": done,
                "total": total,
            }
        return gettext("%(first)s 至 %(last)s 已排队，等待计算。") % span


# What the evaluation report's job is doing, by the step it reports (metrics.pdf).
REPORT_STEPS = {
    "": _("排队中"),
    "reading": _("读取指标"),
    "charts": _("绘制趋势图"),
    "rendering": _("排版 PDF"),
    "storing": _("保存文件"),
    "done": _("已完成"),
    "failed": _("失败"),
}
REPORT_NONE = "none"  # a month whose report was never asked for


def evaluation_report_text(period, state: str, step: str = "") -> str:
    """ "2025-06 评估报告：生成中：绘制趋势图", the sentence under the report's bar."""
    labels = {
        Job.State.QUEUED: _("排队中"),
        Job.State.RUNNING: _("生成中：%(step)s") % {"step": REPORT_STEPS.get(step, "")},
        Job.State.DONE: _("已生成"),
        Job.State.FAILED: _("生成失败"),
        REPORT_NONE: _("尚未生成"),
    }
    return gettext("%(month)s 评估报告：%(state)s") % {
        "month": f"{period:%Y-%m}",
        "state": labels[state],
    }


class EvaluationReportJob(Job):
    """One generation of a month's evaluation report (评估报告), a long job (portal.jobs):
    metrics.report_tasks asks for it and runs it. The stored PDF is the lasting result; the row
    says who asked, how far it got and whether it failed. One live job per month."""

    period = models.DateField(_("月份"), help_text=_("该月第一天。"))
    percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history_exempt = True  # a log in itself
    scope_public = True
    progress_fields = ("percent", "percent_total")
    percent_total = 100  # the counter is a percentage
    stale_after = dt.timedelta(minutes=15)
    # The bureau waits on the page for the report: with the broker down it fails, they ask again.
    fail_when_queue_down = True
    queue_down_notice = _("任务队列暂时不可用，评估报告未能开始生成，请稍后再试。")

    class Meta(Job.Meta):
        verbose_name = _("评估报告生成任务")
        verbose_name_plural = _("评估报告生成任务")
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(state__in=["queued", "running"]),
                name="evaluation_report_one_live_job_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.state}"

    def task_args(self) -> tuple:
        return (f"{self.period:%Y-%m}",)

    def progress_text(self, *, done: int, total: int, step: str) -> str:
        return evaluation_report_text(self.period, self.state, step)
