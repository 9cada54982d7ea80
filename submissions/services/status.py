"""An application's status: one transition table and one writer. Nothing else sets `Application.status`."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.models import User
from portal.services.audit import audit_log
from submissions.models import Application, StatusChange

from .screening_countries import screening_country_enter, screening_country_leave

Status = Application.Status

# Where each status may go. Screening may be changed (and its reason rewritten) until judging starts.
APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.DRAFT, Status.WITHDRAWN, Status.ELIGIBLE, Status.INELIGIBLE},
    Status.ELIGIBLE: {Status.ELIGIBLE, Status.INELIGIBLE},
    Status.INELIGIBLE: {Status.ELIGIBLE, Status.INELIGIBLE},
    Status.WITHDRAWN: set(),
}


def application_lock(application: Application) -> Application:
    """Re-read the row under a lock, so a double click cannot submit twice.

    Its edition and category come in the same query (every caller reads them), locked neither: only the
    application's row is. The questions the caller already read for the edition (its form was built from them)
    are kept, rather than read again for the copy.
    """
    locked = (Application.objects.select_related("edition", "category").select_for_update(of=("self",))
              .get(pk=application.pk))
    questions = application.edition.__dict__.get("current_questions") if application.edition_id else None
    if questions is not None and locked.edition_id == application.edition_id:
        locked.edition.current_questions = questions
    return locked


def application_set_status(*, application: Application, to: str, user: User | None, reason: str = "") -> None:
    """Move `application` (read by `application_lock` in this transaction) to `to`: checked, saved, recorded, audited.

    The services of each state change check their own conditions first (the call is open, the
    form is complete...) and say why they refuse; this refuses any move the table does not allow.
    """
    before = application.status
    if to not in APPLICATION_TRANSITIONS[before]:
        raise ValidationError(
            _("An application that is “%(status)s” cannot become “%(to)s”.")
            % {"status": application.get_status_display(), "to": Status(to).label},
            code="transition",
        )
    application.status = to
    application.save(update_fields=["status", "updated_at", *(["screening_reason"] if reason else [])])
    if (before == Status.DRAFT) != (to == Status.DRAFT):  # enters or leaves the screening list
        move = screening_country_leave if to == Status.DRAFT else screening_country_enter
        move(edition_id=application.edition_id, country=str(application.organisation.country))
    StatusChange.objects.create(application=application, from_status=before, to_status=to, reason=reason, by=user)
    audit_log(
        actor=user, action=f"application.{to}", target=application, edition_id=application.edition_id,
        before={"status": before}, after={"status": to, **({"reason": reason} if reason else {})},
    )
