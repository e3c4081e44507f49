from django.conf import settings

from .contact import bureau_contact, contact_line


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "BUREAU_CONTACT": bureau_contact(),
        "BUREAU_CONTACT_LINE": contact_line(),
    }
