"""What the public sends through the front door (issue 17), for the demo: concerns about
institutions in each state the bureau moves them through, and a family's online voucher
application waiting in the bureau's queue."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from inspections import services as inspection_services
from inspections.models import Concern
from institutions.models import Township
from vouchers import services as voucher_services
from vouchers.services import VoucherError

from .people import make_mobile, make_person_name, make_resident_id
from .registry import DEMO_SUFFIX

CONCERNS = [
    ("complaint", "午睡时间室内只有一名老师看护，孩子较多，希望核实人员配备。", "answered"),
    ("report", "机构门口接送时段车辆拥堵，建议错峰接送。", "in_hand"),
    ("complaint", "本月收费比公示标准高，机构说是伙食费调整。", "received"),
]
ANSWER = "已安排健康指导员到机构核实：午睡时段已增配一名保育人员，并纳入下次巡查。"


def seed_public(rng: random.Random, *, institutions, users) -> dict:
    """Returns {"concerns": n, "application": reference or None}."""
    bureau = users["bureau"]
    made = 0
    for (kind, text, state), institution in zip(CONCERNS, institutions, strict=False):
        concern = inspection_services.concern_submit(
            institution=institution,
            kind=kind,
            text=f"{text}{DEMO_SUFFIX}",
            contact_name=make_person_name(rng) if state != "received" else "",
            contact_phone=make_mobile(rng) if state != "received" else "",
        )
        if state in ("in_hand", "answered"):
            inspection_services.concern_handle(
                concern=concern, actor=bureau, state=Concern.State.IN_HAND
            )
        if state == "answered":
            inspection_services.concern_handle(
                concern=concern, actor=bureau, state=Concern.State.ANSWERED, answer=ANSWER
            )
        made += 1
    return {"concerns": made, "application": _online_application(rng)}


def _online_application(rng: random.Random) -> str | None:
    today = timezone.localdate()
    batch = voucher_services.open_batches(today).first()
    if batch is None:
        return None
    try:
        application = voucher_services.application_submit_public(
            batch=batch,
            guardian_name=make_person_name(rng),
            guardian_phone=make_mobile(rng),
            guardian_id_number=make_resident_id(rng, born=today - dt.timedelta(days=11_000)),
            child_name=make_person_name(rng),
            child_id_number=make_resident_id(rng, born=today - dt.timedelta(days=420)),
            hukou_township=Township.objects.order_by("sort_order", "pk").first(),
            has_residence_permit=False,
            consent=True,
            today=today,
        )
    except VoucherError:  # the demo's families already fill the batch's rules otherwise
        return None
    return application.reference
