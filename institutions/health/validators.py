"""Rules for what health facilities' users type in, shared by the forms, the API serializers and
the services."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.validators import validate_phone

from .models import GUIDANCE_TOPIC_CODES

_SEPARATORS = re.compile(r"[\s,，;；、]+")


def parse_mobiles(text_or_list) -> list[str]:
    """The distinct mobile numbers of an attendance list, one family each: typed one a line (or
    separated by commas), or given as a list. A wrong entry refuses the whole list and is named
    by its position, never echoed (a number is personal data)."""
    if isinstance(text_or_list, str):
        entries = [entry for entry in _SEPARATORS.split(text_or_list) if entry]
    else:
        entries = [str(entry).strip() for entry in text_or_list if str(entry).strip()]
    bad: list[int] = []
    mobiles: list[str] = []
    for position, entry in enumerate(entries, start=1):
        try:
            mobiles.append(validate_phone(entry, kind="mobile"))
        except ValidationError:
            bad.append(position)
    if bad:
        shown = "、".join(str(n) for n in bad[:10]) + ("……" if len(bad) > 10 else "")
        raise ValidationError(
            _("第%(positions)s个号码不是有效的11位手机号码，名单未保存。") % {"positions": shown},
            code="attendance_mobile",
        )
    distinct = list(dict.fromkeys(mobiles))
    check_attendance_size(len(distinct))
    return distinct


def check_attendance_size(families: int) -> None:
    """At most HEALTH_ATTENDANCE_MAX families on one list (a setting: the plan gives no limit)."""
    limit = settings.HEALTH_ATTENDANCE_MAX
    if families > limit:
        raise ValidationError(
            _("一场活动的签到名单最多%(max)s个家庭。") % {"max": limit},
            code="attendance_too_long",
        )


def validate_topics(topics) -> list[str]:
    if not isinstance(topics, list | tuple) or not topics:
        raise ValidationError(_("请至少选择一项指导内容。"), code="topics_required")
    unknown = [topic for topic in topics if topic not in GUIDANCE_TOPIC_CODES]
    if unknown:
        raise ValidationError(_("指导内容不在可选范围内。"), code="topics_unknown")
    return list(dict.fromkeys(topics))
