"""Mail sent by the inspection services: who receives it and what it says.

Always called through `transaction.on_commit`, so a rolled-back write sends nothing. Mails name
institutions, findings and deadlines; they never carry an ID number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.roles import BUREAU_ROLES

from .models import Finding, Incident, Inspection, StaffCreditAlert

logger = logging.getLogger(__name__)


def bureau_emails() -> list[str]:
    """Active bureau admins and staff with an address."""
    names = [role.group_name for role in BUREAU_ROLES]
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=names)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def operator_emails(institution_id: int) -> list[str]:
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, operated_institutions=institution_id)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def user_emails(user_ids: Iterable[int]) -> list[str]:
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, pk__in=list(user_ids))
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _send(subject: str, body: str, recipients: list[str]) -> int:
    if not recipients:
        return 0
    send_mail(subject, body, None, recipients)
    return len(recipients)


def _path(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def harm_incident_escalated(incident_id: int) -> int:
    """At once, to every bureau staff member: a suspected harm to a child was reported."""
    incident = Incident.objects.select_related("institution").get(pk=incident_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【紧急】%(institution)s 报告疑似虐待或忽视儿童事件") % {
            "institution": incident.institution.name
        }
        body = _(
            "%(institution)s 于 %(reported)s 报告了一起疑似虐待或忽视儿童事件（发生于 %(occurred)s，"
            "涉及婴幼儿 %(children)s 名）。请立即登录乐清市普惠托育服务平台查看并处置：%(path)s\n\n"
            "该报告不可删除，所有处置须在平台记录跟进情况。"
        ) % {
            "institution": incident.institution.name,
            "reported": f"{incident.reported_at:%Y-%m-%d %H:%M}",
            "occurred": f"{incident.occurred_at:%Y-%m-%d %H:%M}",
            "children": incident.children_affected,
            "path": _path("inspections:incident_detail", pk=incident.pk),
        }
        sent = _send(subject, body, bureau_emails())
    logger.info("harm incident %s escalated to %s bureau addresses", incident_id, sent)
    return sent


def inspection_completed(inspection_id: int) -> int:
    """To the institution's operators: the result and the findings with their deadlines."""
    inspection = Inspection.objects.select_related("institution").get(pk=inspection_id)
    findings = list(inspection.findings.order_by("deadline", "pk"))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【检查结果】%(institution)s %(kind)s：%(outcome)s") % {
            "institution": inspection.institution.name,
            "kind": inspection.get_kind_display(),
            "outcome": inspection.get_outcome_display(),
        }
        lines = [
            _("%(institution)s 于 %(day)s 接受%(kind)s，结论：%(outcome)s，得分 %(score)s。")
            % {
                "institution": inspection.institution.name,
                "day": inspection.inspected_on.isoformat(),
                "kind": inspection.get_kind_display(),
                "outcome": inspection.get_outcome_display(),
                "score": inspection.score,
            }
        ]
        if findings:
            lines.append(_("需整改的问题（请在期限内登录平台提交整改情况和佐证材料）："))
            lines += [
                f"- {finding.title}（{finding.get_severity_display()}，"
                + _("期限 %(day)s") % {"day": finding.deadline.isoformat()}
                + "）"
                for finding in findings
            ]
        lines.append(_path("inspections:inspection_detail", pk=inspection.pk))
        return _send(subject, "\n".join(lines), operator_emails(inspection.institution_id))


def rectification_submitted(finding_id: int) -> int:
    """To the inspection's inspectors: an answer waits for verification."""
    finding = Finding.objects.select_related("inspection__institution").get(pk=finding_id)
    inspectors = finding.inspection.inspectors.values_list("pk", flat=True)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【待验收】%(institution)s 提交了整改情况") % {
            "institution": finding.inspection.institution.name
        }
        body = _("问题：%(title)s\n请登录平台验收销号或退回：%(path)s") % {
            "title": finding.title,
            "path": _path("inspections:finding_detail", pk=finding.pk),
        }
        return _send(subject, body, user_emails(inspectors))


def rectification_reviewed(finding_id: int) -> int:
    """To the institution's operators: closed, or sent back with the inspector's note."""
    finding = Finding.objects.select_related("inspection__institution").get(pk=finding_id)
    last = finding.rectifications.order_by("-submitted_at", "-pk").first()
    with translation.override(settings.LANGUAGE_CODE):
        if finding.state == Finding.State.CLOSED:
            subject = _("【整改销号】%(title)s") % {"title": finding.title}
            body = _("该问题已验收通过并销号。")
        else:
            subject = _("【整改退回】%(title)s") % {"title": finding.title}
            body = _("整改情况未通过验收，请按意见重新整改并在 %(day)s 前提交：%(note)s") % {
                "day": finding.deadline.isoformat(),
                "note": last.review_note if last else "",
            }
        body += "\n" + _path("inspections:finding_detail", pk=finding.pk)
        return _send(subject, body, operator_emails(finding.inspection.institution_id))


def findings_overdue(finding_ids: list[int]) -> int:
    """Per institution to its operators, and one digest to the bureau."""
    findings = list(
        Finding.objects.filter(pk__in=finding_ids)
        .select_related("inspection__institution")
        .order_by("inspection__institution__name", "deadline", "pk")
    )
    by_institution: dict[int, list] = {}
    for finding in findings:
        by_institution.setdefault(finding.inspection.institution_id, []).append(finding)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        digest = []
        for institution_id, rows in by_institution.items():
            name = rows[0].inspection.institution.name
            lines = [
                f"- {f.title}（" + _("期限 %(day)s") % {"day": f.deadline.isoformat()} + "）"
                for f in rows
            ]
            subject = _("【整改逾期】%(institution)s 有%(n)s个问题已超过整改期限") % {
                "institution": name,
                "n": len(rows),
            }
            body = "\n".join(
                [_("以下问题已超过整改期限仍未销号，请尽快整改并在平台提交整改情况："), *lines]
            )
            sent += _send(subject, body, operator_emails(institution_id))
            digest += [f"{name}", *lines]
        if digest:
            subject = _("【整改逾期】%(n)s个问题已超过整改期限") % {"n": len(findings)}
            sent += _send(subject, "\n".join(digest), bureau_emails())
    return sent


def staff_credit_alert(alert_id: int) -> int:
    """To the institution's operators and the bureau: a person with a credit record was
    registered. The operators learn that a record exists, not what it says."""
    alert = StaffCreditAlert.objects.select_related("staff__institution", "record").get(pk=alert_id)
    institution = alert.staff.institution
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【从业人员信用提醒】%(institution)s 登记的人员存在不良记录") % {
            "institution": institution.name
        }
        operator_body = _(
            "贵机构登记的从业人员“%(name)s”在卫健局有从业不良记录，请暂缓安排其从事婴幼儿照护工作，"
            "并联系乐清市卫生健康局核实。"
        ) % {"name": alert.staff.name}
        sent = _send(subject, operator_body, operator_emails(institution.pk))
        bureau_body = _(
            "%(institution)s 登记的从业人员“%(name)s”（身份证号 %(masked)s）存在信用记录"
            "（认定日期 %(day)s）。请核实：%(path)s"
        ) % {
            "institution": institution.name,
            "name": alert.staff.name,
            "masked": alert.record.id_number,
            "day": alert.record.recorded_on.isoformat(),
            "path": reverse("admin:inspections_staffcreditrecord_change", args=[alert.record_id]),
        }
        sent += _send(subject, bureau_body, bureau_emails())
    return sent
