"""The pilot's three phases (plan.md §2), dated from settings: PILOT_START_DATE,
PILOT_IMPLEMENTATION_START_DATE, PILOT_EVALUATION_START_DATE and PILOT_END_DATE."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    START_UP = "start_up", _("启动阶段")
    IMPLEMENTATION = "implementation", _("实施阶段")
    EVALUATION = "evaluation", _("总结评估阶段")


# The plan's words for what each phase does (二、试点时间).
PHASE_TEXT = {
    Phase.START_UP: "成立乐清市普惠托育基本公共服务试点工作专班，召开部门协调会，明确各部门职责分工，"
    "制定并印发《乐清市普惠托育基本公共服务试点工作方案》。",
    Phase.IMPLEMENTATION: "各相关部门按照实施方案要求，全面推进各项试点任务落实。定期开展督导检查，"
    "确保各项任务按期完成。",
    Phase.EVALUATION: "做好试点工作经验总结，形成乐清特色的普惠托育公共服务做法，迎接省级评估验收。",
}


@dataclass(frozen=True)
class PhaseSpan:
    phase: Phase
    start: dt.date  # inclusive
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        return str(self.phase.label)

    @property
    def text(self) -> str:
        return PHASE_TEXT[self.phase]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def phases() -> list[PhaseSpan]:
    one_day = dt.timedelta(days=1)
    implementation = settings.PILOT_IMPLEMENTATION_START_DATE
    evaluation = settings.PILOT_EVALUATION_START_DATE
    return [
        PhaseSpan(Phase.START_UP, settings.PILOT_START_DATE, implementation - one_day),
        PhaseSpan(Phase.IMPLEMENTATION, implementation, evaluation - one_day),
        PhaseSpan(Phase.EVALUATION, evaluation, settings.PILOT_END_DATE),
    ]


def current_phase(day: dt.date) -> PhaseSpan | None:
    """The phase `day` falls in; None before the pilot's start or after its end."""
    return next((span for span in phases() if span.contains(day)), None)
