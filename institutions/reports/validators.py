"""The monthly report's rules: one set, used by the form, the API and the import alike.

`check_report` returns blocking errors (field -> messages) and warnings (code + message). Errors
block submission; each warning needs a written comment before the report can be submitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from institutions.models import CHILDREN_PER_CARER, ClassType, Institution
from institutions.public_fees import MODES, Standards, ceiling_for, standards_on
from institutions.selectors import institutions_as_of
from portal.dates import add_months, month_end

from .models import CLASS_FIELDS, COUNT_FIELDS, MonthlyReport

CHANGE_LIMIT = Decimal("0.30")  # a change above 30% from the previous month needs a comment


@dataclass
class Warning:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass
class CheckResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)

    def add_error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)


def registry_state(report: MonthlyReport) -> Institution:
    """The institution as it stood at the end of the report's month (places, fee, inclusive)."""
    return institutions_as_of(month_end(report.period)).get(pk=report.institution_id)


def previous_report(report: MonthlyReport) -> MonthlyReport | None:
    return (
        MonthlyReport.objects.filter(
            institution_id=report.institution_id,
            period=add_months(report.period, -1),
            state__in=[MonthlyReport.State.SUBMITTED, MonthlyReport.State.ACCEPTED],
        )
        .only(*CLASS_FIELDS.values(), "fee_full_day")
        .first()
    )


def _changed_too_much(before, after) -> bool:
    if before in (None, 0) or after is None:
        return False
    return abs(Decimal(after) - Decimal(before)) / Decimal(before) > CHANGE_LIMIT


def check_report(
    report: MonthlyReport,
    *,
    state: Institution | None = None,
    previous: MonthlyReport | bool | None = False,
    standards: Standards | None = None,
) -> CheckResult:
    """Check `report` against the rules. `state`, `previous` and the city's fee `standards` in
    force at the month's end may be passed in to save queries."""
    result = CheckResult()
    state = state if state is not None else registry_state(report)
    if previous is False:
        previous = previous_report(report)
    if standards is None:
        standards = standards_on(month_end(report.period))
    _add_errors(result, report, state)
    _add_warnings(result, report, state, previous)
    _add_public_standard_warnings(result, report, state, standards)
    return result


def _add_errors(result: CheckResult, report: MonthlyReport, state: Institution) -> None:
    """Errors that block submission."""
    end = month_end(report.period)
    for name in COUNT_FIELDS:
        if (getattr(report, name) or 0) < 0:
            result.add_error(name, _("不能为负数。"))
    for name in ("fee_full_day", "fee_half_day"):
        value = getattr(report, name)
        if value is not None and value < 0:
            result.add_error(name, _("不能为负数。"))
    if report.staff_certified > report.staff_on_duty:
        result.add_error("staff_certified", _("持证人数不能多于在岗保育人员数。"))
    for class_type, name in CLASS_FIELDS.items():
        places = getattr(state, f"places_{class_type}")
        if getattr(report, name) > places:
            result.add_error(
                name,
                _("%(label)s在托人数（%(enrolled)s）超过月末核定托位（%(places)s）。")
                % {
                    "label": ClassType(class_type).label,
                    "enrolled": getattr(report, name),
                    "places": places,
                },
            )
    if state.filed_on is None or state.filed_on > end:
        result.add_error("period", _("机构在该月尚未备案，不能填报该月月报。"))
    elif state.closed_on is not None and state.closed_on <= report.period:
        result.add_error("period", _("机构在该月之前已停办，不能填报该月月报。"))
    if report.voucher_children > report.enrolled_total:
        result.add_error("voucher_children", _("使用托育券人数不能多于在托总人数。"))
    if report.special_needs_children > report.enrolled_total:
        result.add_error("special_needs_children", _("特殊需要儿童人数不能多于在托总人数。"))
    if (
        report.registry_staff_on_duty is not None
        and (
            report.staff_on_duty != report.registry_staff_on_duty
            or report.staff_certified != report.registry_staff_certified
        )
        and not report.staff_override_reason.strip()
    ):
        result.add_error(
            "staff_override_reason",
            _(
                "在岗或持证人数与登记信息（%(on_duty)s人在岗、%(certified)s人持证）不一致，请说明原因。"
            )
            % {
                "on_duty": report.registry_staff_on_duty,
                "certified": report.registry_staff_certified,
            },
        )


def _add_warnings(
    result: CheckResult,
    report: MonthlyReport,
    state: Institution,
    previous: MonthlyReport | None,
) -> None:
    """Warnings that need a comment."""
    required = sum(
        getattr(report, name) / CHILDREN_PER_CARER[class_type]
        for class_type, name in CLASS_FIELDS.items()
    )
    if report.enrolled_total and report.staff_on_duty < math.ceil(required - 1e-9):
        result.warnings.append(
            Warning(
                "staff_ratio",
                _(
                    "保育人员配比低于国家标准（乳儿班1:3、托小班1:5、托大班1:7）：按在托人数至少需要%(need)s人，实际%(have)s人。"
                )
                % {"need": math.ceil(required - 1e-9), "have": report.staff_on_duty},
            )
        )
    if (
        state.is_inclusive
        and report.fee_full_day is not None
        and state.fee_full_day is not None
        and report.fee_full_day > state.fee_full_day
    ):
        result.warnings.append(
            Warning(
                "fee_above_standard",
                _("普惠机构实际收费%(fee)s元高于收费标准%(standard)s元。")
                % {"fee": report.fee_full_day, "standard": state.fee_full_day},
            )
        )
    if previous is not None:
        if _changed_too_much(previous.enrolled_total, report.enrolled_total):
            result.warnings.append(
                Warning(
                    "enrolment_change",
                    _("在托人数较上月（%(before)s人）变化超过30%%。")
                    % {"before": previous.enrolled_total},
                )
            )
        if _changed_too_much(previous.fee_full_day, report.fee_full_day):
            result.warnings.append(
                Warning(
                    "fee_change",
                    _("实际收费较上月（%(before)s元）变化超过30%%。")
                    % {"before": previous.fee_full_day},
                )
            )


def _add_public_standard_warnings(
    result: CheckResult, report: MonthlyReport, state: Institution, standards: Standards
) -> None:
    """A fee above the city's public fee standard for the institution's ownership and the classes
    it enrolled (institutions/public_fees.py says which ceiling applies)."""
    class_types = [
        class_type for class_type, name in CLASS_FIELDS.items() if getattr(report, name) > 0
    ]
    for field_name in MODES:
        fee = getattr(report, field_name)
        if fee is None:
            continue
        ceiling = ceiling_for(
            standards, ownership=state.ownership, class_types=class_types, field=field_name
        )
        if ceiling is None or fee <= ceiling.amount:
            continue
        result.warnings.append(
            Warning(
                "fee_above_public_standard",
                _(
                    "%(mode)s实际收费%(fee)s元高于%(ownership)s托育收费标准%(ceiling)s元"
                    "（%(since)s起执行）。"
                )
                % {
                    "mode": _("全日托") if field_name == "fee_full_day" else _("半日托"),
                    "fee": fee,
                    "ownership": state.get_ownership_display(),
                    "ceiling": ceiling.amount,
                    "since": ceiling.standard.effective_from.isoformat(),
                },
            )
        )
