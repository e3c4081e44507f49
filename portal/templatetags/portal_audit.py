"""`{{ reason|audit_reason }}`: a history row's reason as the audit pages say it (the services
write short codes such as "answered"; anything else is shown as written)."""

from django import template

from portal.audit_views import REASON_NAMES

register = template.Library()


@register.filter
def audit_reason(reason) -> str:
    if not reason:
        return ""
    return str(REASON_NAMES.get(reason, reason))
