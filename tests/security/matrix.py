"""Who may do what at every URL of the portal: the authorization matrix.

`test_authz_matrix.py` walks the URL configuration and, for every pattern, looks its key up here;
a pattern without an entry fails ("new URL without an entry"). For each persona and method the
answer must be *allowed* (2xx, a redirect that is not to a login page, or a 400 validation
answer) for the personas listed, and *refused* (401, 403, 404, 405 or a redirect to a login
page) for everyone else. A 5xx fails the test whoever asks.

URLs that point at a record point at institution A's record (operator_a's), so operator_b is
expected to be refused there: an operator never reaches another institution's records.

`get` lists who may read; `post` who may write (None: the URL takes no POST, and nobody may get
an allowed answer to one); `patch` likewise for API detail endpoints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

ANON, FAMILY, OP_A, OP_B = "anonymous", "family", "operator_a", "operator_b"
INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR = (
    "inspector",
    "education",
    "bureau",
    "bureau_admin",
    "auditor",
)
# A user of the education bureau's department in the pilot task force (lead of task 3).
DEPT = "department"
# A user of the health facility under a "1+1" contract with institution A (Role.HEALTH_CENTRE).
HEALTH = "health_centre"
# A user of the training provider of the world's course (Role.TRAINING_PROVIDER).
PROVIDER = "training_provider"

EVERYONE = frozenset(
    {
        ANON,
        FAMILY,
        OP_A,
        OP_B,
        INSPECTOR,
        EDUCATION,
        BUREAU,
        BUREAU_ADMIN,
        AUDITOR,
        DEPT,
        HEALTH,
        PROVIDER,
    }
)
SIGNED_IN = EVERYONE - {ANON}
NOBODY = frozenset()
BUREAUS = frozenset({BUREAU, BUREAU_ADMIN})
# Roles that see every institution (and use the admin).
CITY = frozenset({INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR})
OPERATORS = frozenset({OP_A, OP_B})
READ_ONLY = frozenset({AUDITOR, EDUCATION})
# Who reads the pilot programme's pages and API: the office (bureau), departments, education, audit.
PROGRAMME = frozenset({EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT})


def _s(*personas) -> frozenset:
    return frozenset(personas)


@dataclass(frozen=True)
class Entry:
    get: frozenset
    post: frozenset | None = None
    patch: frozenset | None = None
    # Read-only personas whose empty POST the view answers 400 / redirects with a message
    # before the service refuses the write (the services' own tests cover the refusal).
    screened: frozenset = frozenset()
    why: str = ""


def _pick(label: str):
    """kwargs {"pk": institution A's (or any) object of `app.Model`}."""

    def kwargs(world):
        from django.apps import apps

        return {"pk": world.pick(apps.get_model(label)).pk}

    return kwargs


def _inst(world):
    return {"pk": world.institution_a.pk}


def _import_job(label: str, name: str = "job_id"):
    """kwargs {name: an import job of `label` started by the bureau persona}."""

    def kwargs(world):
        from institutions.models import ImportJob

        job, _ = ImportJob.objects.get_or_create(
            model_label=label, created_by=world.users["bureau"], defaults={"file_name": "导入.xlsx"}
        )
        return {name: job.pk}

    return kwargs


def _staff(world):
    from institutions.models import StaffMember

    return {"pk": world.institution_a.pk, "staff_pk": world.pick(StaffMember).pk}


def _certificate(world):
    from institutions.models import Certificate

    cert = world.pick(Certificate)
    return {"pk": world.institution_a.pk, "staff_pk": cert.staff_id, "certificate_pk": cert.pk}


def _report_form(world):
    return {"institution_pk": world.institution_a.pk, "period": dt.date(2025, 3, 1)}


def _report(world):
    from institutions.models import MonthlyReport

    return {"report_pk": world.pick(MonthlyReport).pk}


def _draft(world):
    return {"pk": world.objects["draft_inspection"].pk}


def _draw_start(world):
    from inspections.models import DrawAssignment

    assignment = DrawAssignment.objects.order_by("pk").first()
    return {"pk": assignment.draw_id, "assignment_pk": assignment.pk}


def _voucher_code(world):
    from vouchers.models import Voucher

    return {"code": world.pick(Voucher).code}


def _enrolment(world):
    from vouchers.models import Enrolment

    return {"pk": world.institution_a.pk, "enrolment_pk": world.pick(Enrolment).pk}


def _redemption(world):
    from vouchers.models import Redemption

    return {"pk": world.institution_a.pk, "redemption_pk": world.pick(Redemption).pk}


def _open_batch(world):
    from django.utils import timezone

    from vouchers.services import open_batches

    return {"pk": open_batches(timezone.localdate()).first().pk}


def _month(world):
    return {"period": dt.date(2025, 3, 1)}


def _drilldown(world):
    return {"area": "city", "indicator": "K1"}


# --- Pages and API -------------------------------------------------------------------------------
ENTRIES: dict[str, Entry] = {
    "audit_search": Entry(
        get=_s(BUREAU_ADMIN, AUDITOR), why="bureau admins and auditors search the audit trail"
    ),
    "home": Entry(get=EVERYONE, post=NOBODY, why="the start page: three doors, no form"),
    "role_home": Entry(
        get=SIGNED_IN,
        why=(
            "after /denglu/, each signed-in persona's home: operator_a and operator_b their own"
            " institution's work only, inspector their visits, spot checks and rectifications,"
            " bureau and bureau_admin the day's work, department its tasks, health_centre its"
            " facility's screening, services, guidance and lists to do (200); education and"
            " auditor are sent to the dashboard, family to the voucher page (302); anonymous to"
            " the sign-in page"
        ),
    ),
    "healthz": Entry(get=EVERYONE),
    "set_language": Entry(get=EVERYONE, post=EVERYONE),
    "admin:index": Entry(get=CITY, post=CITY),
    # Notifications: every signed-in persona has an inbox and settings of their own; the
    # matrix's notification is operator_a's, so anyone else opening it gets a 404.
    "notifications:inbox": Entry(get=SIGNED_IN),
    "notifications:open": Entry(get=NOBODY, post=_s(OP_A), why="only the recipient opens it"),
    "notifications:read_all": Entry(get=NOBODY, post=SIGNED_IN),
    "notifications:preferences": Entry(get=SIGNED_IN, post=SIGNED_IN),
    # The admin's list of what was sent: bureau admins read it, nobody writes.
    "admin:notifications.notification:changelist": Entry(get=_s(BUREAU_ADMIN)),
    "admin:notifications.notification:add": Entry(get=NOBODY, post=NOBODY),
    "admin:notifications.notification:history": Entry(get=_s(BUREAU_ADMIN)),
    "admin:notifications.notification:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:notifications.notification:change": Entry(get=_s(BUREAU_ADMIN), post=NOBODY),
    "admin:notifications.notification:redirect": Entry(get=CITY),
    "admin:login": Entry(get=EVERYONE, post=EVERYONE),
    "admin:logout": Entry(get=_s(ANON, FAMILY, OP_A, OP_B, DEPT, HEALTH, PROVIDER), post=EVERYONE),
    "admin:password_change": Entry(get=CITY, post=CITY),
    "admin:password_change_done": Entry(get=CITY),
    "admin:autocomplete": Entry(get=NOBODY),
    "admin:jsi18n": Entry(get=CITY),
    "admin:view_on_site": Entry(get=NOBODY),
    "admin:auth.group:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:auth.group:add": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:auth.group:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:auth.group:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:auth.group:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(BUREAU_ADMIN)),
    "admin:auth.group:redirect": Entry(get=CITY),
    "admin:auth.user:password_change": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:auth.user:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:auth.user:add": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:auth.user:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:auth.user:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:auth.user:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(BUREAU_ADMIN)),
    "admin:auth.user:redirect": Entry(get=CITY),
    "admin:authtoken.tokenproxy:changelist": Entry(get=_s(BUREAU_ADMIN)),
    "admin:authtoken.tokenproxy:add": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:authtoken.tokenproxy:history": Entry(get=_s(BUREAU_ADMIN)),
    "admin:authtoken.tokenproxy:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:authtoken.tokenproxy:change": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:authtoken.tokenproxy:redirect": Entry(get=CITY),
    "admin:axes.accessattempt:changelist": Entry(get=NOBODY),
    "admin:axes.accessattempt:add": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accessattempt:history": Entry(get=NOBODY),
    "admin:axes.accessattempt:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accessattempt:change": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accessattempt:redirect": Entry(get=CITY),
    "admin:axes.accesslog:changelist": Entry(get=NOBODY),
    "admin:axes.accesslog:add": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accesslog:history": Entry(get=NOBODY),
    "admin:axes.accesslog:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accesslog:change": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accesslog:redirect": Entry(get=CITY),
    "admin:axes.accessfailurelog:changelist": Entry(get=NOBODY),
    "admin:axes.accessfailurelog:add": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accessfailurelog:history": Entry(get=NOBODY),
    "admin:axes.accessfailurelog:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accessfailurelog:change": Entry(get=NOBODY, post=NOBODY),
    "admin:axes.accessfailurelog:redirect": Entry(get=CITY),
    "admin:institutions.township:simple_history": Entry(get=CITY),
    "admin:institutions.township:changelist": Entry(get=CITY),
    "admin:institutions.township:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.township:history": Entry(get=CITY),
    "admin:institutions.township:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.township:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.township:redirect": Entry(get=CITY),
    "admin:institutions.publicfeestandard:simple_history": Entry(get=CITY),
    "admin:institutions.publicfeestandard:changelist": Entry(get=CITY),
    "admin:institutions.publicfeestandard:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.publicfeestandard:history": Entry(get=CITY),
    "admin:institutions.publicfeestandard:delete": Entry(
        get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)
    ),
    "admin:institutions.publicfeestandard:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.publicfeestandard:redirect": Entry(get=CITY),
    "admin:institutions.community:changelist": Entry(get=CITY),
    "admin:institutions.community:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.community:history": Entry(get=CITY),
    "admin:institutions.community:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.community:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.community:redirect": Entry(get=CITY),
    "admin:institutions.institution:import_template": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.institution:process_import": Entry(get=NOBODY, post=BUREAUS),
    "admin:institutions.institution:import_job": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.institution:import_job_state": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.institution:import": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.institution:export": Entry(get=CITY, post=CITY),
    "admin:institutions.institution:simple_history": Entry(get=CITY),
    "admin:institutions.institution:changelist": Entry(get=CITY),
    "admin:institutions.institution:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.institution:history": Entry(get=CITY),
    "admin:institutions.institution:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.institution:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.institution:redirect": Entry(get=CITY),
    "admin:institutions.approvedplaces:changelist": Entry(get=CITY),
    "admin:institutions.approvedplaces:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.approvedplaces:history": Entry(get=CITY),
    "admin:institutions.approvedplaces:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.approvedplaces:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.approvedplaces:redirect": Entry(get=CITY),
    "admin:institutions.feestandard:changelist": Entry(get=CITY),
    "admin:institutions.feestandard:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.feestandard:history": Entry(get=CITY),
    "admin:institutions.feestandard:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.feestandard:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.feestandard:redirect": Entry(get=CITY),
    "admin:institutions.starrating:simple_history": Entry(get=CITY),
    "admin:institutions.starrating:changelist": Entry(get=CITY),
    "admin:institutions.starrating:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.starrating:history": Entry(get=CITY),
    "admin:institutions.starrating:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.starrating:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.starrating:redirect": Entry(get=CITY),
    "admin:institutions.instructorassignment:changelist": Entry(get=CITY),
    "admin:institutions.instructorassignment:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.instructorassignment:history": Entry(get=CITY),
    "admin:institutions.instructorassignment:delete": Entry(
        get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)
    ),
    "admin:institutions.instructorassignment:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.instructorassignment:redirect": Entry(get=CITY),
    "admin:institutions.demonstrationunit:changelist": Entry(get=CITY),
    "admin:institutions.demonstrationunit:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.demonstrationunit:history": Entry(get=CITY),
    "admin:institutions.demonstrationunit:delete": Entry(
        get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)
    ),
    "admin:institutions.demonstrationunit:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.demonstrationunit:redirect": Entry(get=CITY),
    "admin:institutions.demonstrationunit:simple_history": Entry(get=CITY),
    "admin:institutions.inclusiverecognition:changelist": Entry(get=CITY),
    "admin:institutions.inclusiverecognition:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.inclusiverecognition:history": Entry(get=CITY),
    "admin:institutions.inclusiverecognition:delete": Entry(
        get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)
    ),
    "admin:institutions.inclusiverecognition:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.inclusiverecognition:redirect": Entry(get=CITY),
    "admin:institutions.carecontract:changelist": Entry(get=CITY),
    "admin:institutions.carecontract:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.carecontract:history": Entry(get=CITY),
    "admin:institutions.carecontract:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.carecontract:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.carecontract:redirect": Entry(get=CITY),
    "admin:institutions.staffmember:import_template": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.staffmember:process_import": Entry(get=NOBODY, post=BUREAUS),
    "admin:institutions.staffmember:import_job": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.staffmember:import_job_state": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.staffmember:import": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.staffmember:export": Entry(
        get=BUREAUS,
        post=BUREAUS,
        why="names and masked ID numbers: personal data, exported by bureau staff only (logged)",
    ),
    "admin:institutions.staffmember:changelist": Entry(get=CITY),
    "admin:institutions.staffmember:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.staffmember:history": Entry(get=CITY),
    "admin:institutions.staffmember:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.staffmember:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.staffmember:redirect": Entry(get=CITY),
    "admin:institutions.idlepremises:import_template": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.idlepremises:process_import": Entry(get=NOBODY, post=BUREAUS),
    "admin:institutions.idlepremises:import_job": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.idlepremises:import_job_state": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.idlepremises:import": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.idlepremises:export": Entry(get=CITY, post=CITY),
    "admin:institutions.idlepremises:changelist": Entry(get=CITY),
    "admin:institutions.idlepremises:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.idlepremises:history": Entry(get=CITY),
    "admin:institutions.idlepremises:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.idlepremises:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.idlepremises:redirect": Entry(get=CITY),
    "admin:institutions.idlepremises:simple_history": Entry(get=CITY),
    "admin:institutions.certificate:import_template": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.certificate:process_import": Entry(get=NOBODY, post=BUREAUS),
    "admin:institutions.certificate:import_job": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.certificate:import_job_state": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:institutions.certificate:import": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.certificate:export": Entry(
        get=BUREAUS,
        post=BUREAUS,
        why="names and masked ID numbers: personal data, exported by bureau staff only (logged)",
    ),
    "admin:institutions.certificate:changelist": Entry(get=CITY),
    "admin:institutions.certificate:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:institutions.certificate:history": Entry(get=CITY),
    "admin:institutions.certificate:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:institutions.certificate:change": Entry(get=CITY, post=BUREAUS),
    "admin:institutions.certificate:redirect": Entry(get=CITY),
    "admin:vouchers.guardian:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.guardian:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.guardian:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.guardian:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.guardian:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.guardian:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.guardian:redirect": Entry(get=CITY),
    "admin:vouchers.child:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.child:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.child:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.child:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.child:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.child:redirect": Entry(get=CITY),
    "admin:vouchers.voucherbatch:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucherbatch:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucherbatch:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:vouchers.voucherbatch:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucherbatch:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.voucherbatch:change": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:vouchers.voucherbatch:redirect": Entry(get=CITY),
    "admin:vouchers.voucherapplication:simple_history": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:vouchers.voucherapplication:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucherapplication:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.voucherapplication:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucherapplication:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.voucherapplication:change": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:vouchers.voucherapplication:redirect": Entry(get=CITY),
    "admin:vouchers.voucher:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucher:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.voucher:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucher:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.voucher:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.voucher:redirect": Entry(get=CITY),
    "admin:vouchers.ledgerentry:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.ledgerentry:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.ledgerentry:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.ledgerentry:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.ledgerentry:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.ledgerentry:redirect": Entry(get=CITY),
    "admin:vouchers.vouchermonth:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.vouchermonth:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.vouchermonth:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.vouchermonth:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.vouchermonth:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.vouchermonth:redirect": Entry(get=CITY),
    "admin:vouchers.enrolment:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.enrolment:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.enrolment:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.enrolment:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.enrolment:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.enrolment:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.enrolment:redirect": Entry(get=CITY),
    "admin:vouchers.redemption:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.redemption:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.redemption:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.redemption:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.redemption:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.redemption:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.redemption:redirect": Entry(get=CITY),
    "admin:vouchers.settlement:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.settlement:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.settlement:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.settlement:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.settlement:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.settlement:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.settlement:redirect": Entry(get=CITY),
    "admin:vouchers.feestatement:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.feestatement:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.feestatement:add": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.feestatement:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.feestatement:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:vouchers.feestatement:change": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "admin:vouchers.feestatement:redirect": Entry(get=CITY),
    "admin:inspections.checklisttemplate:changelist": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.checklisttemplate:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:inspections.checklisttemplate:history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.checklisttemplate:delete": Entry(
        get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)
    ),
    "admin:inspections.checklisttemplate:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:inspections.checklisttemplate:redirect": Entry(get=CITY),
    "admin:inspections.inspection:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.inspection:changelist": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.inspection:add": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.inspection:history": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.inspection:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.inspection:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:inspections.inspection:redirect": Entry(get=CITY),
    "admin:inspections.finding:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.finding:changelist": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.finding:add": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.finding:history": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.finding:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.finding:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:inspections.finding:redirect": Entry(get=CITY),
    "admin:inspections.rectification:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.rectification:changelist": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.rectification:add": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.rectification:history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.rectification:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.rectification:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:inspections.rectification:redirect": Entry(get=CITY),
    "admin:inspections.randomdraw:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.randomdraw:changelist": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.randomdraw:add": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.randomdraw:history": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.randomdraw:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.randomdraw:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:inspections.randomdraw:redirect": Entry(get=CITY),
    "admin:inspections.conflictofinterest:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.conflictofinterest:changelist": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.conflictofinterest:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:inspections.conflictofinterest:history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.conflictofinterest:delete": Entry(
        get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)
    ),
    "admin:inspections.conflictofinterest:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:inspections.conflictofinterest:redirect": Entry(get=CITY),
    "admin:inspections.incident:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.incident:changelist": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.incident:add": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.incident:history": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.incident:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:inspections.incident:change": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:inspections.incident:redirect": Entry(get=CITY),
    "admin:inspections.concern:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.concern:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.concern:add": Entry(get=NOBODY, post=NOBODY, why="from the public form"),
    "admin:inspections.concern:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.concern:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.concern:change": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS, why="the bureau's queue of concerns"
    ),
    "admin:inspections.concern:redirect": Entry(get=CITY),
    "admin:inspections.concern:attachment": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), why="a concern's attachment, read with the concern"
    ),
    "admin:inspections.staffcreditrecord:simple_history": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.staffcreditrecord:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.staffcreditrecord:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:inspections.staffcreditrecord:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.staffcreditrecord:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.staffcreditrecord:change": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:inspections.staffcreditrecord:redirect": Entry(get=CITY),
    "admin:inspections.staffcreditalert:simple_history": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:inspections.staffcreditalert:changelist": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.staffcreditalert:add": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.staffcreditalert:history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.staffcreditalert:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:inspections.staffcreditalert:change": Entry(
        get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:inspections.staffcreditalert:redirect": Entry(get=CITY),
    "admin:metrics.populationbase:process_import": Entry(
        get=NOBODY, post=BUREAUS, why="import writes: add+change permission (fixed in this issue)"
    ),
    "admin:metrics.populationbase:import": Entry(
        get=BUREAUS, post=BUREAUS, why="import writes: add+change permission (fixed in this issue)"
    ),
    "admin:metrics.populationbase:export": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        why="view permission on metrics (fixed in this issue)",
    ),
    "admin:metrics.populationbase:changelist": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:metrics.populationbase:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:metrics.populationbase:history": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.populationbase:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:metrics.populationbase:change": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:metrics.populationbase:redirect": Entry(get=CITY),
    "admin:metrics.cityincome:process_import": Entry(
        get=NOBODY, post=BUREAUS, why="import writes: add+change permission (fixed in this issue)"
    ),
    "admin:metrics.cityincome:import": Entry(
        get=BUREAUS, post=BUREAUS, why="import writes: add+change permission (fixed in this issue)"
    ),
    "admin:metrics.cityincome:export": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        why="view permission on metrics (fixed in this issue)",
    ),
    "admin:metrics.cityincome:simple_history": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:metrics.cityincome:changelist": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.cityincome:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:metrics.cityincome:history": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.cityincome:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:metrics.cityincome:change": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:metrics.cityincome:redirect": Entry(get=CITY),
    "admin:metrics.target:changelist": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.target:add": Entry(get=BUREAUS, post=BUREAUS),
    "admin:metrics.target:history": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.target:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
    "admin:metrics.target:change": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:metrics.target:redirect": Entry(get=CITY),
    "admin:metrics.snapshot:changelist": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.snapshot:add": Entry(get=NOBODY, post=NOBODY),
    "admin:metrics.snapshot:history": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.snapshot:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:metrics.snapshot:change": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "admin:metrics.snapshot:redirect": Entry(get=CITY),
    "admin:metrics.computerun:changelist": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.computerun:add": Entry(get=NOBODY, post=NOBODY),
    "admin:metrics.computerun:history": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:metrics.computerun:delete": Entry(get=NOBODY, post=NOBODY),
    "admin:metrics.computerun:change": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "admin:metrics.computerun:redirect": Entry(get=CITY),
    "admin:app_list": Entry(get=CITY, post=CITY),
    "route:admin/(?P<url>.*)$": Entry(get=NOBODY),
    "institutions:public_list": Entry(get=EVERYONE, post=NOBODY),
    "institutions:premises_public": Entry(get=EVERYONE, post=NOBODY),
    "institutions:login": Entry(get=EVERYONE, post=EVERYONE),
    "institutions:logout": Entry(get=NOBODY, post=EVERYONE),
    "institutions:my_institutions": Entry(get=SIGNED_IN, post=NOBODY),
    "institutions:institution_detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "institutions:staff_list": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "institutions:staff_add": Entry(
        get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "institutions:staff_detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "institutions:staff_edit": Entry(
        get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "institutions:staff_leave": Entry(
        get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "institutions:certificate_add": Entry(
        get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "institutions:certificate_edit": Entry(
        get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "institutions:certificate_delete": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A)),
    "reports:month_list": Entry(get=SIGNED_IN, post=NOBODY),
    "reports:report_form": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(OP_A)
    ),
    "reports:review_queue": Entry(get=CITY, post=BUREAUS),
    "reports:review_detail": Entry(get=CITY, post=BUREAUS),
    "reports:completeness": Entry(get=CITY, post=NOBODY),
    "reports:exceptions": Entry(get=CITY, post=BUREAUS),
    "reports:sessions": Entry(get=SIGNED_IN, post=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN)),
    "reports:sessions_export": Entry(get=CITY, post=NOBODY),
    "inspections:public_results": Entry(get=EVERYONE, post=NOBODY),
    "inspections:public_draw_json": Entry(get=EVERYONE, post=NOBODY),
    "inspections:inspection_list": Entry(get=SIGNED_IN, post=NOBODY),
    "inspections:inspection_new": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN), post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN)
    ),
    "inspections:inspection_detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "inspections:inspection_form": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN), post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN)
    ),
    "inspections:inspection_draft": Entry(
        get=NOBODY,
        post=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        screened=_s(EDUCATION, AUDITOR),
        why="an empty POST is answered 400 before the service checks the writer",
    ),
    "inspections:inspection_photo": Entry(
        get=NOBODY,
        post=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        screened=_s(EDUCATION, AUDITOR),
        why="an empty POST is answered 400 before the service checks the writer",
    ),
    "inspections:finding_add": Entry(
        get=NOBODY,
        post=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        screened=_s(EDUCATION, AUDITOR),
        why="an empty POST redirects with a form error before the service checks the writer",
    ),
    "inspections:photo_file": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "inspections:photo_delete": Entry(get=NOBODY, post=_s(INSPECTOR)),
    "inspections:finding_list": Entry(get=SIGNED_IN, post=NOBODY),
    "inspections:finding_detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        screened=_s(EDUCATION, AUDITOR),
        why="an empty POST is answered 400 before the service checks the writer",
    ),
    "inspections:evidence_file": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "inspections:coverage": Entry(get=CITY, post=NOBODY),
    "inspections:draw_list": Entry(get=CITY, post=NOBODY),
    "inspections:draw_new": Entry(get=BUREAUS, post=BUREAUS),
    "inspections:draw_detail": Entry(
        get=CITY,
        post=CITY,
        screened=_s(EDUCATION, AUDITOR),
        why="a POST without action=publish only redirects; publishing needs bureau",
    ),
    "inspections:draw_start": Entry(get=NOBODY, post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN)),
    "inspections:incident_list": Entry(get=SIGNED_IN, post=NOBODY),
    # Mandatory reporting: anyone who may write reports an incident (a department user and a
    # health facility's user too).
    "inspections:incident_new": Entry(
        get=_s(FAMILY, OP_A, OP_B, INSPECTOR, BUREAU, BUREAU_ADMIN, DEPT, HEALTH, PROVIDER),
        post=_s(FAMILY, OP_A, OP_B, INSPECTOR, BUREAU, BUREAU_ADMIN, DEPT, HEALTH, PROVIDER),
    ),
    "inspections:incident_detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A, INSPECTOR, BUREAU, BUREAU_ADMIN),
    ),
    "vouchers:home": Entry(
        get=_s(OP_A, OP_B, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:batches": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "vouchers:applications": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "vouchers:application_add": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "vouchers:applications_decide": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "vouchers:application_import": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "vouchers:application_import_job": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "vouchers:application_import_job_state": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "vouchers:application_import_template": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:application_detail": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:application_proof": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=NOBODY,
        why="a family's proof, read with its application",
    ),
    "vouchers:redemption_report": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:anomalies": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "vouchers:settlements": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "vouchers:payment_file": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "vouchers:settlement_detail": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:settlement_refresh": Entry(get=NOBODY, post=_s(OP_A, BUREAU, BUREAU_ADMIN)),
    "vouchers:settlement_confirm": Entry(get=NOBODY, post=_s(OP_A)),
    "vouchers:settlement_approve": Entry(get=BUREAUS, post=BUREAUS),
    "vouchers:settlement_paid": Entry(get=BUREAUS, post=BUREAUS),
    "vouchers:settlement_return": Entry(get=BUREAUS, post=BUREAUS),
    "vouchers:settlement_pdf": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:voucher_notice": Entry(
        get=_s(FAMILY, OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:children": Entry(get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "vouchers:enrolment_add": Entry(get=_s(OP_A), post=_s(OP_A)),
    "vouchers:enrolment_end": Entry(get=_s(OP_A), post=_s(OP_A)),
    "vouchers:redeem": Entry(get=_s(OP_A), post=_s(OP_A)),
    "vouchers:redemptions": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:redemption_detail": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "vouchers:reverse": Entry(
        get=_s(OP_A, BUREAU, BUREAU_ADMIN), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "vouchers:institution_settlements": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(OP_A, BUREAU, BUREAU_ADMIN)
    ),
    "vouchers:institution_application_add": Entry(get=_s(OP_A), post=_s(OP_A)),
    "vouchers:statements": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A),
        why="fee statements are issued and revoked by the institution's operators only",
    ),
    "vouchers:statement_pdf": Entry(
        get=_s(OP_A, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "voucher_family:statement": Entry(
        get=EVERYONE, post=EVERYONE, why="families ask with the code and ID suffix (throttled)"
    ),
    "voucher_family:statement_verify": Entry(
        get=EVERYONE, post=NOBODY, why="employers check a printed code; nothing personal shown"
    ),
    "voucher_family:balance": Entry(get=EVERYONE, post=EVERYONE),
    "voucher_family:apply": Entry(get=EVERYONE, post=NOBODY, why="open batches, no account"),
    "voucher_family:apply_batch": Entry(
        get=EVERYONE, post=EVERYONE, why="families apply online without an account (throttled)"
    ),
    "voucher_family:follow": Entry(
        get=EVERYONE, post=EVERYONE, why="by reference and ID suffix, one answer for any mismatch"
    ),
    "inspections:concern_new": Entry(
        get=EVERYONE, post=EVERYONE, why="anyone may send a concern about a listed institution"
    ),
    "inspections:concern_follow": Entry(
        get=EVERYONE, post=EVERYONE, why="by reference and the mobile number left with it"
    ),
    "metrics:dashboard": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY),
    "metrics:forecast": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY),
    "metrics:fees": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY),
    "metrics:recompute": Entry(get=NOBODY, post=BUREAUS),
    "metrics:run_status": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY
    ),
    "metrics:report_request": Entry(get=NOBODY, post=BUREAUS),
    "metrics:report_status": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY
    ),
    "metrics:report_pdf": Entry(get=NOBODY, post=NOBODY),
    "metrics:indicators_xlsx": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY
    ),
    "metrics:drilldown": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR, DEPT), post=NOBODY),
    "v1:api-token": Entry(get=NOBODY, post=EVERYONE),
    # Reference data for the registry's roles; a department or health-centre user has no registry
    # role.
    "v1:township-list": Entry(get=SIGNED_IN - {DEPT, HEALTH, PROVIDER}, post=NOBODY),
    "v1:township-detail": Entry(get=SIGNED_IN - {DEPT, HEALTH, PROVIDER}, post=NOBODY),
    # The published public fee standard: the registry's readers and the operators it binds.
    "v1:public-fee-standard-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:public-fee-standard-detail": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:idle-premises-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:idle-premises-detail": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:community-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:community-detail": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:institution-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:institution-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:approved-places-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:approved-places-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:fee-standard-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:fee-standard-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:star-rating-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:star-rating-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:instructor-assignment-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:instructor-assignment-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:demonstration-unit-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:demonstration-unit-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:inclusive-recognition-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:inclusive-recognition-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:care-contract-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:care-contract-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:staff-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN),
    ),
    "v1:staff-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:certificate-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN),
    ),
    "v1:certificate-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:api-root": Entry(get=SIGNED_IN, post=NOBODY),
    "v1:monthly-report-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(OP_A, OP_B)
    ),
    "v1:monthly-report-export": Entry(get=BUREAUS, post=NOBODY),
    "v1:monthly-report-review": Entry(get=NOBODY, post=BUREAUS),
    "v1:monthly-report-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:monthly-report-accept": Entry(get=NOBODY, post=BUREAUS),
    "v1:monthly-report-reopen": Entry(get=NOBODY, post=BUREAUS),
    "v1:monthly-report-return": Entry(get=NOBODY, post=BUREAUS),
    "v1:monthly-report-submit": Entry(get=NOBODY, post=_s(OP_A)),
    "v1:parenting-session-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN),
    ),
    "v1:parenting-session-export": Entry(get=BUREAUS, post=NOBODY),
    "v1:parenting-session-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:inspection-coverage": Entry(get=CITY, post=NOBODY),
    "v1:inspection-photo-file": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:rectification-evidence-file": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:checklist-template-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:checklist-template-detail": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:inspection-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN),
    ),
    "v1:inspection-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:inspection-complete": Entry(get=NOBODY, post=BUREAUS),
    "v1:inspection-results": Entry(get=NOBODY, post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN)),
    "v1:finding-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN),
    ),
    "v1:finding-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:finding-rectify": Entry(get=NOBODY, post=_s(OP_A)),
    "v1:finding-review": Entry(get=NOBODY, post=_s(INSPECTOR, BUREAU, BUREAU_ADMIN)),
    "v1:rectification-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:rectification-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:draw-list": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS),
    "v1:draw-detail": Entry(get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:draw-publish": Entry(get=NOBODY, post=BUREAUS),
    "v1:inspection-conflict-list": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS),
    "v1:inspection-conflict-detail": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:incident-list": Entry(
        get=_s(OP_A, OP_B, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR),
        post=_s(OP_A, OP_B, INSPECTOR, BUREAU, BUREAU_ADMIN),
    ),
    "v1:incident-detail": Entry(
        get=_s(OP_A, INSPECTOR, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:incident-follow-up": Entry(get=NOBODY, post=_s(OP_A, INSPECTOR, BUREAU, BUREAU_ADMIN)),
    "v1:staff-credit-record-list": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS),
    "v1:staff-credit-record-detail": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:public-voucher-balance": Entry(get=NOBODY, post=EVERYONE),
    "v1:redemption-list": Entry(
        get=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(OP_A, OP_B)
    ),
    "v1:redemption-detail": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:redemption-reverse": Entry(get=NOBODY, post=_s(OP_A, BUREAU, BUREAU_ADMIN)),
    "v1:voucher-list": Entry(get=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:voucher-detail": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:voucher-adjust": Entry(get=NOBODY, post=BUREAUS),
    "v1:voucher-ledger": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:voucher-batch-list": Entry(
        get=_s(OP_A, OP_B, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS
    ),
    "v1:voucher-batch-detail": Entry(
        get=_s(OP_A, OP_B, EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY
    ),
    "v1:voucher-application-list": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS),
    "v1:voucher-application-decide": Entry(get=NOBODY, post=BUREAUS),
    "v1:voucher-application-detail": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:voucher-application-approve": Entry(get=NOBODY, post=BUREAUS),
    "v1:voucher-application-reject": Entry(get=NOBODY, post=BUREAUS),
    "v1:voucher-enrolment-list": Entry(
        get=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN, AUDITOR), post=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN)
    ),
    "v1:voucher-enrolment-detail": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:voucher-enrolment-end": Entry(get=NOBODY, post=_s(OP_A, BUREAU, BUREAU_ADMIN)),
    "v1:settlement-list": Entry(get=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN, AUDITOR), post=BUREAUS),
    "v1:fee-statement-list": Entry(get=_s(OP_A, OP_B, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:fee-statement-detail": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:settlement-detail": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:settlement-approve": Entry(get=NOBODY, post=BUREAUS),
    "v1:settlement-confirm": Entry(get=NOBODY, post=_s(OP_A)),
    "v1:settlement-lines": Entry(get=_s(OP_A, BUREAU, BUREAU_ADMIN, AUDITOR), post=NOBODY),
    "v1:settlement-mark-paid": Entry(get=NOBODY, post=BUREAUS),
    "v1:kpis": Entry(get=CITY, post=NOBODY),
    # The pilot programme (试点专班). The task URL is task 3, led by the department persona's
    # bureau; tests/programme shows a department refused on another department's task.
    "programme:board": Entry(get=PROGRAMME, post=NOBODY),
    "programme:catalogue_public": Entry(get=EVERYONE, post=NOBODY),
    "programme:task_detail": Entry(get=PROGRAMME, post=_s(BUREAU, BUREAU_ADMIN, DEPT)),
    "programme:evidence_file": Entry(get=PROGRAMME, post=NOBODY),
    "programme:supervision_list": Entry(get=PROGRAMME, post=BUREAUS),
    "programme:round_detail": Entry(get=PROGRAMME, post=BUREAUS),
    "programme:funds": Entry(get=PROGRAMME, post=NOBODY),
    "programme:deliverables": Entry(get=PROGRAMME, post=BUREAUS),
    # Task 3's data: the office and the education bureau's department user (the persona).
    "programme:kindergarten_places": Entry(get=PROGRAMME, post=_s(BUREAU, BUREAU_ADMIN, DEPT)),
    # The world's deliverable has no file yet: a 404 for everyone (tests/programme reads one).
    "programme:deliverable_file": Entry(get=NOBODY, post=NOBODY),
    "programme:weekly_pdf": Entry(get=PROGRAMME, post=NOBODY),
    "programme:funds_export": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-task-list": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-task-detail": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-update-list": Entry(get=PROGRAMME, post=_s(BUREAU, BUREAU_ADMIN, DEPT)),
    "v1:programme-update-detail": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-fund-list": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-fund-detail": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-catalogue-list": Entry(get=PROGRAMME, post=NOBODY),
    "v1:programme-catalogue-detail": Entry(get=PROGRAMME, post=NOBODY),
    "api-schema": Entry(get=EVERYONE),
    "api-docs": Entry(get=EVERYONE),
    "admin:institutions.community:simple_history": Entry(get=CITY),
    "admin:institutions.approvedplaces:simple_history": Entry(get=CITY),
    "admin:institutions.feestandard:simple_history": Entry(get=CITY),
    "admin:institutions.instructorassignment:simple_history": Entry(get=CITY),
    "admin:institutions.inclusiverecognition:simple_history": Entry(get=CITY),
    "admin:institutions.carecontract:simple_history": Entry(get=CITY),
    "admin:institutions.staffmember:simple_history": Entry(get=CITY),
    "admin:institutions.certificate:simple_history": Entry(get=CITY),
    "admin:vouchers.child:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:vouchers.voucher:simple_history": Entry(get=_s(BUREAU, BUREAU_ADMIN, AUDITOR)),
    "admin:inspections.checklisttemplate:simple_history": Entry(
        get=_s(INSPECTOR, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:metrics.populationbase:simple_history": Entry(
        get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)
    ),
    "admin:metrics.target:simple_history": Entry(get=_s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)),
}


def _programme_admin(*models: str) -> dict[str, Entry]:
    """The admin pages of the programme's models: the office edits, education and audit read."""
    readers = _s(EDUCATION, BUREAU, BUREAU_ADMIN, AUDITOR)
    entries = {}
    for model in models:
        base = f"admin:programme.{model}"
        entries |= {
            f"{base}:changelist": Entry(get=readers),
            f"{base}:add": Entry(get=BUREAUS, post=BUREAUS),
            f"{base}:history": Entry(get=readers),
            f"{base}:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
            f"{base}:change": Entry(get=readers, post=BUREAUS),
            f"{base}:redirect": Entry(get=CITY),
            f"{base}:simple_history": Entry(get=readers),
        }
    return entries


ENTRIES |= _programme_admin(
    "department", "task", "subitem", "deliverable", "fund", "fundmonth", "catalogueitem"
)


def _health_admin(*models: str) -> dict[str, Entry]:
    """The admin pages of the medical–childcare models: as the registry's (bureau staff edit,
    the other city-wide roles read); a health facility's user has no admin."""
    entries = {}
    for model in models:
        base = f"admin:institutions.{model}"
        entries |= {
            f"{base}:changelist": Entry(get=CITY),
            f"{base}:add": Entry(get=BUREAUS, post=BUREAUS),
            f"{base}:history": Entry(get=CITY),
            f"{base}:delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
            f"{base}:change": Entry(get=CITY, post=BUREAUS),
            f"{base}:redirect": Entry(get=CITY),
            f"{base}:simple_history": Entry(get=CITY),
        }
    return entries


ENTRIES |= _health_admin(
    "healthfacility", "guidancevisit", "screeningmonth", "contractservicemonth"
)

# Medical–childcare integration (医育结合): the health persona's facility is under contract with
# institution A; the URLs with a key point at that facility's records. A health facility's user
# writes only for its own facility; the other city-wide roles read; bureau staff write for any.
HEALTH_PAGE_READERS = CITY | {HEALTH}
HEALTH_WRITERS = BUREAUS | {HEALTH}
ENTRIES |= {
    "health:network": Entry(get=HEALTH_PAGE_READERS, post=NOBODY),
    "health:sessions": Entry(get=HEALTH_PAGE_READERS, post=HEALTH_WRITERS),
    # The attendance URLs point at institution A's own session: its operators keep the list
    # (typed or imported), operator B gets a 404, the health persona too (not its facility's; its
    # own facility's session is tests/institutions/health's); read-only roles read, never write.
    "health:attendance": Entry(get=CITY | {OP_A}, post=BUREAUS | {OP_A}),
    "health:attendance_import": Entry(get=BUREAUS | {OP_A}, post=BUREAUS | {OP_A}),
    "health:attendance_template": Entry(get=CITY | OPERATORS | {HEALTH}, post=NOBODY),
    "health:guidance": Entry(get=HEALTH_PAGE_READERS, post=HEALTH_WRITERS),
    "health:screening": Entry(get=HEALTH_PAGE_READERS, post=HEALTH_WRITERS),
    "health:unlinked": Entry(get=CITY, post=BUREAUS),
    "v1:health-facility-list": Entry(get=CITY | OPERATORS | {HEALTH}, post=NOBODY),
    "v1:health-facility-detail": Entry(get=HEALTH_PAGE_READERS, post=NOBODY),
    "v1:health-session-list": Entry(get=CITY | OPERATORS | {HEALTH}, post=HEALTH_WRITERS),
    "v1:health-session-detail": Entry(get=HEALTH_PAGE_READERS, post=NOBODY),
    "v1:health-session-attendance": Entry(get=NOBODY, post=HEALTH_WRITERS),
    "v1:guidance-visit-list": Entry(get=CITY | OPERATORS | {HEALTH}, post=HEALTH_WRITERS),
    # The visit is at institution A: its operator reads it.
    "v1:guidance-visit-detail": Entry(get=HEALTH_PAGE_READERS | {OP_A}, post=NOBODY),
    "v1:screening-list": Entry(get=HEALTH_PAGE_READERS, post=HEALTH_WRITERS),
    "v1:screening-detail": Entry(get=HEALTH_PAGE_READERS, post=NOBODY),
    "health:contract_services": Entry(get=HEALTH_PAGE_READERS, post=HEALTH_WRITERS),
    "v1:contract-service-list": Entry(get=CITY | OPERATORS | {HEALTH}, post=HEALTH_WRITERS),
    # The contract is institution A's: its operator reads it.
    "v1:contract-service-detail": Entry(get=HEALTH_PAGE_READERS | {OP_A}, post=NOBODY),
}


# Operating subsidies and awards (运营补助 / 奖补): the bureau runs, approves and pays a month,
# auditors read; an institution's operators read only their own lines (institution A's here).
SUBSIDY_READERS = _s(BUREAU, BUREAU_ADMIN, AUDITOR)
ENTRIES |= {
    "subsidies:months": Entry(get=SUBSIDY_READERS, post=BUREAUS),
    "subsidies:month_detail": Entry(get=SUBSIDY_READERS, post=NOBODY),
    "subsidies:month_approve": Entry(get=NOBODY, post=BUREAUS),
    "subsidies:month_paid": Entry(get=NOBODY, post=BUREAUS),
    "subsidies:payment_file": Entry(get=SUBSIDY_READERS, post=NOBODY),
    "subsidies:institution_lines": Entry(get=SUBSIDY_READERS | {OP_A}, post=NOBODY),
    "v1:subsidy-line-list": Entry(get=SUBSIDY_READERS | OPERATORS, post=NOBODY),
    "v1:subsidy-line-detail": Entry(get=SUBSIDY_READERS | {OP_A}, post=NOBODY),
}


def _subsidy_admin() -> dict[str, Entry]:
    """Schemes are edited in the admin (bureau staff; auditors read); months and lines are
    read-only there (computed, approved and paid on the subsidy pages)."""
    entries = {}
    for model, writers in (
        ("subsidyscheme", BUREAUS),
        ("schemerate", BUREAUS),
        ("subsidymonth", NOBODY),
        ("subsidyline", NOBODY),
    ):
        base = f"admin:subsidies.{model}"
        deleters = _s(BUREAU_ADMIN) if writers else NOBODY
        entries |= {
            f"{base}:changelist": Entry(get=SUBSIDY_READERS),
            f"{base}:add": Entry(get=writers, post=writers),
            f"{base}:history": Entry(get=SUBSIDY_READERS),
            f"{base}:delete": Entry(get=deleters, post=deleters),
            f"{base}:change": Entry(get=SUBSIDY_READERS, post=writers),
            f"{base}:redirect": Entry(get=CITY),
            f"{base}:simple_history": Entry(get=SUBSIDY_READERS),
        }
    return entries


ENTRIES |= _subsidy_admin()
# The rates' spreadsheet import and export (subsidies/resources.py).
ENTRIES |= {
    "admin:subsidies.schemerate:import_template": Entry(get=BUREAUS, post=BUREAUS),
    "admin:subsidies.schemerate:process_import": Entry(get=NOBODY, post=BUREAUS),
    "admin:subsidies.schemerate:import_job": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:subsidies.schemerate:import_job_state": Entry(
        get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
    ),
    "admin:subsidies.schemerate:import": Entry(get=BUREAUS, post=BUREAUS),
    "admin:subsidies.schemerate:export": Entry(get=SUBSIDY_READERS, post=SUBSIDY_READERS),
}


# Training (培训): the bureau enters courses and attendance (or imports a sign-in sheet); the
# other city-wide roles read; operators read every course and their own staff's attendance through
# the API (the attendance URLs with a key point at institution A's staff member's).
ENTRIES |= _health_admin("trainingcourse")
ENTRIES |= {
    f"admin:institutions.trainingattendance:{view}": entry
    for view, entry in {
        "changelist": Entry(get=CITY),
        "add": Entry(get=BUREAUS, post=BUREAUS),
        "history": Entry(get=CITY),
        "delete": Entry(get=_s(BUREAU_ADMIN), post=_s(BUREAU_ADMIN)),
        "change": Entry(get=CITY, post=BUREAUS),
        "redirect": Entry(get=CITY),
        "simple_history": Entry(get=CITY),
        "import_template": Entry(get=BUREAUS, post=BUREAUS),
        "process_import": Entry(get=NOBODY, post=BUREAUS),
        "import_job": Entry(
            get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
        ),
        "import_job_state": Entry(
            get=_s(BUREAU), why="an import job is shown to the bureau user who started it"
        ),
        "import": Entry(get=BUREAUS, post=BUREAUS),
        "export": Entry(
            get=BUREAUS,
            post=BUREAUS,
            why="names and masked ID numbers: personal data, exported by bureau staff only (logged)",
        ),
    }.items()
}
ENTRIES |= {
    "v1:training-course-list": Entry(get=CITY | OPERATORS | {PROVIDER}, post=BUREAUS | {PROVIDER}),
    "v1:training-course-detail": Entry(
        get=CITY | OPERATORS | {PROVIDER}, post=NOBODY, patch=BUREAUS | {PROVIDER}
    ),
    "v1:training-attendance-list": Entry(
        get=CITY | OPERATORS | {PROVIDER}, post=BUREAUS | {PROVIDER}
    ),
    "v1:training-attendance-detail": Entry(
        get=CITY | {OP_A, PROVIDER}, post=NOBODY, patch=BUREAUS | {PROVIDER}
    ),
    # Staff's training hours per year: as the page /peixun/xueshi/ (operators their own staff).
    "v1:training-hours": Entry(get=CITY | OPERATORS, post=NOBODY),
}
# Training pages (/peixun/): the world's course is the provider persona's provider's and open to
# every role; its attendance is institution A's staff member's. The bureau and the provider's
# users enter attendance; operators read the courses open to their staff and their own staff's
# rows and hours; the other city-wide roles read.
TRAINING_ENTRY = BUREAUS | {PROVIDER}
ENTRIES |= _health_admin("trainingprovider", "lecturermember")
ENTRIES |= {
    "training:courses": Entry(get=CITY | OPERATORS | {PROVIDER}, post=NOBODY),
    "training:hours": Entry(get=CITY | OPERATORS, post=NOBODY),
    "training:course": Entry(get=CITY | OPERATORS | {PROVIDER}, post=NOBODY),
    "training:attendance_add": Entry(get=TRAINING_ENTRY, post=TRAINING_ENTRY),
    "training:import": Entry(get=TRAINING_ENTRY, post=TRAINING_ENTRY),
    "training:import_template": Entry(get=TRAINING_ENTRY, post=NOBODY),
    "training:attendance_edit": Entry(get=TRAINING_ENTRY, post=TRAINING_ENTRY),
    "training:attendance_delete": Entry(
        get=TRAINING_ENTRY,
        post=_s(BUREAU),
        why="the first allowed persona (bureau) deletes the row; the later ones find none (404)",
    ),
    # The lecturer team (讲师团): city-wide roles and health facilities' users read; the bureau
    # writes through the API and the admin.
    "health:lecturers": Entry(get=HEALTH_PAGE_READERS, post=NOBODY),
    "v1:lecturer-list": Entry(get=HEALTH_PAGE_READERS, post=BUREAUS),
    "v1:lecturer-detail": Entry(get=HEALTH_PAGE_READERS, post=NOBODY, patch=BUREAUS),
}
# Star rating (星级评定, issue 20). The application URLs point at institution A's applications
# (conftest.py): a draft (detail, self-assessment) and a submitted one (review, decision).
# Operators apply and self-assess for their own institution; inspectors and bureau staff who
# write review; bureau staff decide; the other city-wide roles read.
RATING_READERS = CITY | OPERATORS
RATING_REVIEWERS = _s(INSPECTOR, BUREAU, BUREAU_ADMIN)
ENTRIES |= {
    "ratings:application_list": Entry(get=RATING_READERS, post=NOBODY),
    # An empty POST is the form's 400 for an operator; nobody else reaches the form.
    "ratings:application_new": Entry(get=OPERATORS, post=OPERATORS),
    "ratings:application_detail": Entry(get=CITY | {OP_A}, post=NOBODY),
    "ratings:self_assessment": Entry(get=_s(OP_A), post=_s(OP_A)),
    "ratings:review": Entry(get=RATING_REVIEWERS, post=RATING_REVIEWERS),
    "ratings:decide": Entry(get=NOBODY, post=BUREAUS),
    "ratings:evidence_file": Entry(get=CITY | {OP_A}, post=NOBODY),
    "ratings:evidence_delete": Entry(get=NOBODY, post=_s(OP_A)),
    "v1:rating-criteria-list": Entry(get=RATING_READERS, post=NOBODY),
    "v1:rating-criteria-detail": Entry(get=RATING_READERS, post=NOBODY),
    "v1:rating-application-list": Entry(get=RATING_READERS, post=NOBODY),
    "v1:rating-application-detail": Entry(get=CITY | {OP_A}, post=NOBODY),
}
_RATING_ADMIN_READERS = _s(BUREAU, BUREAU_ADMIN, AUDITOR)
for _model, _add, _delete in (
    ("criteriaset", BUREAUS, _s(BUREAU_ADMIN)),
    # Applications change only through the pages: the admin reads them (its change form has no
    # editable field: saving it writes nothing).
    ("ratingapplication", NOBODY, NOBODY),
):
    _base = f"admin:ratings.{_model}"
    ENTRIES |= {
        f"{_base}:changelist": Entry(get=_RATING_ADMIN_READERS),
        f"{_base}:add": Entry(get=_add, post=_add),
        f"{_base}:history": Entry(get=_RATING_ADMIN_READERS),
        f"{_base}:delete": Entry(get=_delete, post=_delete),
        f"{_base}:change": Entry(get=_RATING_ADMIN_READERS, post=BUREAUS),
        f"{_base}:redirect": Entry(get=CITY),
        f"{_base}:simple_history": Entry(get=_RATING_ADMIN_READERS),
    }


def _rating(key: str):
    """kwargs {"pk": institution A's star-rating record `key` (conftest.py)}."""
    return lambda world: {"pk": world.objects[key].pk}


def _health(key: str):
    """kwargs {"pk": the health persona's facility's record `key` (conftest.py)}."""
    return lambda world: {"pk": world.objects[key].pk}


KWARGS: dict[str, Callable] = {
    "ratings:application_detail": _rating("rating_draft"),
    "ratings:self_assessment": _rating("rating_draft"),
    "ratings:review": _rating("rating_submitted"),
    "ratings:decide": _rating("rating_submitted"),
    "ratings:evidence_file": _rating("rating_evidence"),
    "ratings:evidence_delete": _rating("rating_evidence_to_delete"),
    "v1:rating-criteria-detail": _pick("ratings.CriteriaSet"),
    "v1:rating-application-detail": _rating("rating_draft"),
    "notifications:open": _pick("notifications.Notification"),
    "voucher_family:apply_batch": _open_batch,
    "inspections:concern_new": _inst,
    "programme:task_detail": lambda world: {"number": 3},
    "programme:evidence_file": _pick("programme.ProgressEvidence"),
    "programme:deliverable_file": _pick("programme.Deliverable"),
    "programme:round_detail": _pick("programme.SupervisionRound"),
    "vouchers:application_import_job": _import_job("vouchers.voucherapplication", "pk"),
    "vouchers:application_import_job_state": _import_job("vouchers.voucherapplication", "pk"),
    "admin:institutions_institution_import_job": _import_job("institutions.institution"),
    "admin:institutions_institution_import_job_state": _import_job("institutions.institution"),
    "admin:institutions_staffmember_import_job": _import_job("institutions.staffmember"),
    "admin:institutions_staffmember_import_job_state": _import_job("institutions.staffmember"),
    "admin:institutions_certificate_import_job": _import_job("institutions.certificate"),
    "admin:institutions_idlepremises_import_job": _import_job("institutions.idlepremises"),
    "admin:institutions_idlepremises_import_job_state": _import_job("institutions.idlepremises"),
    "admin:institutions_certificate_import_job_state": _import_job("institutions.certificate"),
    "institutions:institution_detail": _inst,
    "institutions:staff_list": _inst,
    "institutions:staff_add": _inst,
    "institutions:staff_detail": _staff,
    "institutions:staff_edit": _staff,
    "institutions:staff_leave": _staff,
    "institutions:certificate_add": _staff,
    "institutions:certificate_edit": _certificate,
    "institutions:certificate_delete": _certificate,
    "reports:report_form": _report_form,
    "reports:review_detail": _report,
    "inspections:public_draw_json": _pick("inspections.RandomDraw"),
    "inspections:inspection_detail": _pick("inspections.Inspection"),
    "inspections:inspection_form": _draft,
    "inspections:inspection_draft": _draft,
    "inspections:inspection_photo": _draft,
    "inspections:finding_add": _pick("inspections.Inspection"),
    "inspections:photo_file": _pick("inspections.InspectionPhoto"),
    "inspections:photo_delete": lambda w: {"pk": w.objects["photo_to_delete"].pk},
    "inspections:finding_detail": _pick("inspections.Finding"),
    "inspections:evidence_file": _pick("inspections.RectificationEvidence"),
    "inspections:draw_detail": _pick("inspections.RandomDraw"),
    "inspections:draw_start": _draw_start,
    "inspections:incident_detail": _pick("inspections.Incident"),
    "vouchers:application_detail": _pick("vouchers.VoucherApplication"),
    "admin:inspections_concern_attachment": lambda w: {
        "pk": w.objects["concern_with_attachment"].pk
    },
    "vouchers:application_proof": lambda w: {"pk": w.objects["public_application"].pk},
    "vouchers:settlement_detail": _pick("vouchers.Settlement"),
    "vouchers:settlement_refresh": _pick("vouchers.Settlement"),
    "vouchers:settlement_confirm": _pick("vouchers.Settlement"),
    "vouchers:settlement_approve": _pick("vouchers.Settlement"),
    "vouchers:settlement_paid": _pick("vouchers.Settlement"),
    "vouchers:settlement_return": _pick("vouchers.Settlement"),
    "vouchers:settlement_pdf": _pick("vouchers.Settlement"),
    "vouchers:voucher_notice": _voucher_code,
    "vouchers:children": _inst,
    "vouchers:enrolment_add": _inst,
    "vouchers:enrolment_end": _enrolment,
    "vouchers:redeem": _inst,
    "vouchers:redemptions": _inst,
    "vouchers:redemption_detail": _redemption,
    "vouchers:reverse": _redemption,
    "vouchers:institution_settlements": _inst,
    "vouchers:institution_application_add": _inst,
    "vouchers:statements": _inst,
    "vouchers:statement_pdf": lambda world: {
        "pk": world.institution_a.pk,
        "statement_pk": world.objects["fee_statement"].pk,
    },
    "metrics:run_status": _pick("metrics.ComputeRun"),
    "metrics:report_status": _month,
    "metrics:report_pdf": _month,
    "metrics:indicators_xlsx": _month,
    "metrics:drilldown": _drilldown,
    "v1:inspection-photo-file": _pick("inspections.InspectionPhoto"),
    "v1:rectification-evidence-file": _pick("inspections.RectificationEvidence"),
    "admin:view_on_site": lambda w: {
        "content_type_id": __import__(
            "django.contrib.contenttypes.models", fromlist=["ContentType"]
        )
        .ContentType.objects.get_by_natural_key("institutions", "institution")
        .pk,
        "object_id": w.institution_a.pk,
    },
    "admin:auth_user_password_change": lambda w: {"id": w.users[BUREAU].pk},
    "v1:redemption-detail": _pick("vouchers.Redemption"),
    "v1:redemption-reverse": _pick("vouchers.Redemption"),
    "v1:voucher-batch-detail": _pick("vouchers.VoucherBatch"),
    "v1:voucher-application-detail": _pick("vouchers.VoucherApplication"),
    "v1:voucher-application-approve": _pick("vouchers.VoucherApplication"),
    "v1:voucher-application-reject": _pick("vouchers.VoucherApplication"),
    "v1:voucher-enrolment-detail": _pick("vouchers.Enrolment"),
    "v1:voucher-enrolment-end": _pick("vouchers.Enrolment"),
    "v1:settlement-detail": _pick("vouchers.Settlement"),
    "v1:fee-statement-detail": lambda world: {"pk": world.objects["fee_statement"].pk},
    "v1:settlement-approve": _pick("vouchers.Settlement"),
    "v1:settlement-confirm": _pick("vouchers.Settlement"),
    "v1:settlement-lines": _pick("vouchers.Settlement"),
    "v1:settlement-mark-paid": _pick("vouchers.Settlement"),
    "health:attendance": _health("institution_session"),
    "health:attendance_import": _health("institution_session"),
    "v1:health-facility-detail": _health("health_facility"),
    "v1:health-session-detail": _health("health_session"),
    "v1:health-session-attendance": _health("health_session"),
    "v1:guidance-visit-detail": _health("guidance_visit"),
    "v1:screening-detail": _health("screening_month"),
    "v1:contract-service-detail": _health("contract_service"),
    "subsidies:month_detail": _pick("subsidies.SubsidyMonth"),
    "subsidies:month_approve": _pick("subsidies.SubsidyMonth"),
    "subsidies:month_paid": _pick("subsidies.SubsidyMonth"),
    "subsidies:payment_file": _pick("subsidies.SubsidyMonth"),
    "subsidies:institution_lines": _inst,
    "v1:subsidy-line-detail": _pick("subsidies.SubsidyLine"),
    "v1:training-course-detail": _pick("institutions.TrainingCourse"),
    "v1:training-attendance-detail": _pick("institutions.TrainingAttendance"),
    "training:course": _pick("institutions.TrainingCourse"),
    "training:attendance_add": _pick("institutions.TrainingCourse"),
    "training:import": _pick("institutions.TrainingCourse"),
    "training:import_template": _pick("institutions.TrainingCourse"),
    "training:attendance_edit": _pick("institutions.TrainingAttendance"),
    "training:attendance_delete": _pick("institutions.TrainingAttendance"),
    "v1:lecturer-detail": _pick("institutions.LecturerMember"),
    "admin:institutions_trainingattendance_import_job": _import_job(
        "institutions.trainingattendance"
    ),
    "admin:institutions_trainingattendance_import_job_state": _import_job(
        "institutions.trainingattendance"
    ),
}

# The subsidy rates' import jobs (subsidies/resources.py).
KWARGS |= {
    "admin:subsidies_schemerate_import_job": _import_job("subsidies.schemerate"),
    "admin:subsidies_schemerate_import_job_state": _import_job("subsidies.schemerate"),
}

# Inclusive care (融合托育) support cases: the bureau, the case's institution's operators and the
# supporting facility's users only (portal.roles `sensitive_record`); the other city-wide roles
# never read them. The keyed URLs point at institution A's case, supported by the health persona's
# facility. The admin is the bureau's alone (the redirect answers any admin user, as elsewhere).
CASE_READERS = BUREAUS | OPERATORS | {HEALTH}
CASE_OWNERS = BUREAUS | {OP_A, HEALTH}


def _inclusive_admin(model: str, *, writes: bool, changes: bool = True) -> dict[str, Entry]:
    """`changes`: a stored row is changed in the admin (reviews are added, never changed)."""
    base = f"admin:institutions.{model}"
    entries = {
        f"{base}:changelist": Entry(get=BUREAUS),
        f"{base}:add": Entry(get=BUREAUS if writes else NOBODY, post=BUREAUS if writes else NOBODY),
        f"{base}:history": Entry(get=BUREAUS),
        f"{base}:delete": Entry(get=NOBODY, post=NOBODY),
        f"{base}:change": Entry(get=BUREAUS, post=BUREAUS if writes and changes else NOBODY),
        f"{base}:redirect": Entry(get=CITY),
    }
    if writes:
        entries[f"{base}:simple_history"] = Entry(get=BUREAUS)
    return entries


ENTRIES |= {
    "inclusive:case_list": Entry(get=CASE_READERS, post=NOBODY),
    "inclusive:case_open": Entry(get=CASE_READERS, post=CASE_READERS),
    "inclusive:townships": Entry(get=BUREAUS, post=NOBODY),
    "inclusive:case_detail": Entry(get=CASE_OWNERS, post=NOBODY),
    "inclusive:case_plan": Entry(get=CASE_OWNERS, post=CASE_OWNERS),
    "inclusive:review_add": Entry(get=CASE_OWNERS, post=CASE_OWNERS),
    "inclusive:case_close": Entry(get=CASE_OWNERS, post=CASE_OWNERS),
    "inclusive:case_accesses": Entry(get=BUREAUS, post=NOBODY),
    "v1:support-case-list": Entry(get=CASE_READERS, post=CASE_READERS),
    "v1:support-case-detail": Entry(get=CASE_OWNERS, post=NOBODY),
    "v1:support-review-list": Entry(get=CASE_READERS, post=CASE_READERS),
    "v1:support-review-detail": Entry(get=CASE_OWNERS, post=NOBODY),
}
ENTRIES |= _inclusive_admin("supportcase", writes=True)
ENTRIES |= _inclusive_admin("supportreview", writes=True, changes=False)
ENTRIES |= _inclusive_admin("supportcaseaccess", writes=False)
KWARGS |= {
    name: _health(key)
    for key, names in {
        "support_case": (
            "inclusive:case_detail",
            "inclusive:case_plan",
            "inclusive:review_add",
            "inclusive:case_close",
            "inclusive:case_accesses",
            "v1:support-case-detail",
        ),
        "support_review": ("v1:support-review-detail",),
    }.items()
    for name in names
}
