"""What the inspection services tell people, through notifications.services: who receives it
and what it says.

Always called through `transaction.on_commit` (or from a nightly sweep), so a rolled-back write
sends nothing; each message reaches the recipients' inbox and the channels they chose, once per
(event, key, recipient). Texts name institutions, findings and deadlines; never an ID number
(the notification service masks any that slip in).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import Message, send_now
from portal.roles import BUREAU_ROLES

from .models import Concern, Finding, Incident, Inspection, StaffCreditAlert

logger = logging.getLogger(__name__)


def bureau_users() -> list[int]:
    """Active bureau admins and staff."""
    names = [role.group_name for role in BUREAU_ROLES]
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=names)
            .values_list("pk", flat=True)
        )
    )


def operator_users(institution_id: int) -> list[int]:
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, operated_institutions=institution_id)
            .values_list("pk", flat=True)
        )
    )


def _send(event: str, key: str, subject: str, body: str, url: str, users: Iterable[int]) -> int:
    """Notify `users` once; returns how many were new (0 on a rerun)."""
    message = Message(event=event, key=key, subject=subject, body=body, url=url, users=users)
    return len(send_now(message))


def _ids_key(ids: Iterable[int]) -> str:
    joined = ",".join(str(pk) for pk in sorted(ids))
    return joined if len(joined) <= 100 else "sha256:" + hashlib.sha256(joined.encode()).hexdigest()


def _path(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def harm_incident_escalated(incident_id: int) -> int:
    """At once, to every bureau staff member: a suspected harm to a child was reported."""
    incident = Incident.objects.select_related("institution").get(pk=incident_id)
    path = _path("inspections:incident_detail", pk=incident.pk)
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
            "path": path,
        }
    sent = _send(Event.HARM_INCIDENT, str(incident.pk), subject, body, path, bureau_users())
    logger.info("harm incident %s escalated to %s bureau users", incident_id, sent)
    return sent


def inspection_completed(inspection_id: int) -> int:
    """To the institution's operators: the result, and each new finding with its deadline."""
    inspection = Inspection.objects.select_related("institution").get(pk=inspection_id)
    findings = list(inspection.findings.order_by("deadline", "pk"))
    path = _path("inspections:inspection_detail", pk=inspection.pk)
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
    return _send(
        Event.INSPECTION_RESULT,
        str(inspection.pk),
        subject,
        "\n".join(lines),
        path,
        operator_users(inspection.institution_id),
    )


def rectification_submitted(finding_id: int) -> int:
    """To the inspection's inspectors: an answer waits for verification."""
    finding = Finding.objects.select_related("inspection__institution").get(pk=finding_id)
    inspectors = list(finding.inspection.inspectors.values_list("pk", flat=True))
    last = finding.rectifications.order_by("-submitted_at", "-pk").first()
    path = _path("inspections:finding_detail", pk=finding.pk)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【待验收】%(institution)s 提交了整改情况") % {
            "institution": finding.inspection.institution.name
        }
        body = _("问题：%(title)s\n请登录平台验收销号或退回：%(path)s") % {
            "title": finding.title,
            "path": path,
        }
    key = f"{finding.pk}:{last.pk if last else 0}"
    return _send(Event.RECTIFICATION_SUBMITTED, key, subject, body, path, inspectors)


def rectification_reviewed(finding_id: int) -> int:
    """To the institution's operators: closed, or sent back with the inspector's note."""
    finding = Finding.objects.select_related("inspection__institution").get(pk=finding_id)
    last = finding.rectifications.order_by("-submitted_at", "-pk").first()
    path = _path("inspections:finding_detail", pk=finding.pk)
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
    key = f"{finding.pk}:{last.pk if last else 0}:{finding.state}"
    return _send(
        Event.RECTIFICATION_REVIEWED,
        key,
        subject,
        body,
        path,
        operator_users(finding.inspection.institution_id),
    )


def finding_deadlines_near(finding_ids: list[int]) -> int:
    """To each institution's operators, per finding: its deadline (inclusive) is near. Once per
    finding and deadline, so a deadline moved later is announced again."""
    sent = 0
    findings = Finding.objects.filter(pk__in=finding_ids).select_related("inspection__institution")
    for finding in findings.order_by("deadline", "pk"):
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("【整改期限临近】%(institution)s：%(title)s") % {
                "institution": finding.inspection.institution.name,
                "title": finding.title,
            }
            body = _(
                "该问题的整改期限为 %(day)s（含当日），请在期限内登录平台提交整改情况和佐证材料。"
            ) % {"day": finding.deadline.isoformat()}
        sent += _send(
            Event.FINDING_DEADLINE_SOON,
            f"{finding.pk}:{finding.deadline.isoformat()}",
            subject,
            body,
            _path("inspections:finding_detail", pk=finding.pk),
            operator_users(finding.inspection.institution_id),
        )
    return sent


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
            url = (
                _path("inspections:finding_detail", pk=rows[0].pk)
                if len(rows) == 1
                else reverse("inspections:finding_list")
            )
            sent += _send(
                Event.FINDING_OVERDUE,
                _ids_key(f.pk for f in rows),
                subject,
                body,
                url,
                operator_users(institution_id),
            )
            digest += [f"{name}", *lines]
        if digest:
            subject = _("【整改逾期】%(n)s个问题已超过整改期限") % {"n": len(findings)}
            sent += _send(
                Event.FINDINGS_OVERDUE_DIGEST,
                _ids_key(f.pk for f in findings),
                subject,
                "\n".join(digest),
                reverse("inspections:finding_list"),
                bureau_users(),
            )
    return sent


def staff_credit_alert(alert_id: int) -> int:
    """To the institution's operators and the bureau: a person with a credit record was
    registered. The operators learn that a record exists, not what it says."""
    alert = StaffCreditAlert.objects.select_related("staff__institution", "record").get(pk=alert_id)
    institution = alert.staff.institution
    admin_path = reverse("admin:inspections_staffcreditrecord_change", args=[alert.record_id])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【从业人员信用提醒】%(institution)s 登记的人员存在不良记录") % {
            "institution": institution.name
        }
        operator_body = _(
            "贵机构登记的从业人员“%(name)s”在卫健局有从业不良记录，请暂缓安排其从事婴幼儿照护工作，"
            "并联系乐清市卫生健康局核实。"
        ) % {"name": alert.staff.name}
        bureau_body = _(
            "%(institution)s 登记的从业人员“%(name)s”（身份证号 %(masked)s）存在信用记录"
            "（认定日期 %(day)s）。请核实：%(path)s"
        ) % {
            "institution": institution.name,
            "name": alert.staff.name,
            "masked": alert.record.id_number,
            "day": alert.record.recorded_on.isoformat(),
            "path": admin_path,
        }
    key = str(alert.pk)
    sent = _send(
        Event.STAFF_CREDIT_ALERT,
        key,
        subject,
        operator_body,
        "",
        operator_users(institution.pk),
    )
    bureau = [pk for pk in bureau_users() if pk not in operator_users(institution.pk)]
    return sent + _send(Event.STAFF_CREDIT_ALERT, key, subject, bureau_body, admin_path, bureau)


def concern_answered(concern_id: int) -> int:
    """To the sender's mobile, if they left one: the answer is ready to read on the follow page
    (with the reference number and that mobile). Once per concern."""
    concern = Concern.objects.select_related("institution").get(pk=concern_id)
    if not concern.contact_phone:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【投诉与反映已答复】您反映的%(institution)s的问题已答复") % {
            "institution": concern.institution.name
        }
        body = _("编号 %(reference)s。请凭编号和手机号码查询答复。") % {
            "reference": concern.reference
        }
    message = Message(
        event=Event.CONCERN_ANSWERED,
        key=str(concern.pk),
        subject=subject,
        body=body,
        url=reverse("inspections:concern_follow"),
        mobiles=[concern.contact_phone],
    )
    return len(send_now(message))
