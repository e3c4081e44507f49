"""Whom families and the public call: the bureau's telephone and hours (settings
BUREAU_CONTACT_PHONE and BUREAU_CONTACT_HOURS, empty until the bureau gives them). Every public
page shows them (templates/_contact.html, through the context processor) and every "please
contact" message is written with `please_contact()`, so a number changes in one place."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def bureau_contact() -> dict[str, str]:
    return {
        "name": _("乐清市卫生健康局"),
        "phone": settings.BUREAU_CONTACT_PHONE or "",
        "hours": settings.BUREAU_CONTACT_HOURS or "",
    }


def contact_line() -> str:
    """乐清市卫生健康局（电话 …，…）, or the bureau's name alone while no number is set."""
    contact = bureau_contact()
    details = "，".join(
        part
        for part in (
            _("电话 %(phone)s") % {"phone": contact["phone"]} if contact["phone"] else "",
            contact["hours"],
        )
        if part
    )
    return f"{contact['name']}（{details}）" if details else contact["name"]


def please_contact(reason: str = "") -> str:
    """如有疑问，请联系乐清市卫生健康局（电话 …）。 with an optional reason in front."""
    return _("%(reason)s请联系%(contact)s。") % {"reason": reason, "contact": contact_line()}
