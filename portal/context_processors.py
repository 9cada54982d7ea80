from django.conf import settings


def portal(request) -> dict:
    return {"PORTAL_MFA_REQUIRED": settings.PORTAL_MFA_REQUIRED}
