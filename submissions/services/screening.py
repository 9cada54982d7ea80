"""The secretariat's screening: each application eligible or not, with the reason the applicant reads."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from submissions.models import Application

from .status import Status, application_lock, application_set_status

SCREENABLE = (Status.SUBMITTED, Status.ELIGIBLE, Status.INELIGIBLE)


@transaction.atomic
def application_screen(*, application: Application, user: User, eligible: bool, reason: str = "") -> Application:
    """The secretariat's eligibility decision; the applicant sees the reason."""
    application = application_lock(application)
    if application.status not in SCREENABLE:
        raise ValidationError(
            _("%(title)s is %(status)s and cannot be screened.")
            % {"title": application, "status": application.get_status_display()}, code="not_screenable"
        )
    reason = reason.strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("Give the applicant a reason when marking an application ineligible.")})
    target = Status.ELIGIBLE if eligible else Status.INELIGIBLE
    if application.status != target or application.screening_reason != reason:
        application.screening_reason = reason
        if not reason:
            # application_set_status writes the reason only when there is one; an earlier refusal's reason must not linger.
            application.save(update_fields=["screening_reason"])
        application_set_status(application=application, to=target, user=user, reason=reason)
    return application


@transaction.atomic
def applications_screen_bulk(*, applications, user: User, eligible: bool, reason: str = "") -> int:
    """Screen many at once: all or nothing, so a refused one leaves the others as they were."""
    count = 0
    for application in applications:
        application_screen(application=application, user=user, eligible=eligible, reason=reason)
        count += 1
    return count
