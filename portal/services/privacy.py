"""Data protection's writes in the portal (issue 14): an edition's consent text and its acceptance, a person's
deletion request and its refusal, and the anonymisation of an account.

Approving a deletion also removes the person's drafts and files: `submissions.services.data_protection`, which
calls `account_anonymise` here. Everything is audited in the same transaction.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.bilingual import LANGUAGE_CODES
from portal.models import (
    ConsentAcceptance,
    ConsentText,
    DeletionRequest,
    Edition,
    EditionRole,
    Invitation,
    Membership,
    RoleInvitation,
    User,
)

from .audit import audit_log

ANONYMOUS_NAME = "Deleted account"


# --- consent -------------------------------------------------------------------------------------------

def consent_current(*, edition: Edition) -> ConsentText | None:
    """The edition's consent text in force (its latest version), or None when it asks for no consent."""
    cached = getattr(edition, "_consent_current", False)
    if cached is not False:
        return cached
    current = ConsentText.objects.filter(edition=edition).order_by("-version").first()
    if current is not None and current.is_empty:
        current = None
    edition._consent_current = current
    return current


@transaction.atomic
def consent_text_save(*, edition: Edition, user: User, texts: dict[str, str]) -> ConsentText | None:
    """Set the edition's consent text ({"en": ..., "ko": ...}). Once a version has been accepted, a change makes a
    new version; before that, the version is corrected in place. Returns the version in force (None: no text)."""
    Edition.objects.select_for_update().get(pk=edition.pk)  # two secretaries saving at once make one version each
    texts = {code: (texts.get(code) or "").replace("\r\n", "\n").strip() for code in LANGUAGE_CODES}
    latest = ConsentText.objects.filter(edition=edition).order_by("-version").first()
    if latest is None and not any(texts.values()):
        return None
    before = {code: getattr(latest, f"text_{code}") or "" for code in LANGUAGE_CODES} if latest else None
    if before == texts:
        return None if latest.is_empty else latest
    if latest is not None and not latest.acceptances.exists():
        consent = latest
        action = "consent.correct"
    else:
        consent = ConsentText(edition=edition, version=(latest.version + 1) if latest else 1, created_by=user)
        action = "consent.new_version"
    for code, text in texts.items():
        setattr(consent, f"text_{code}", text)
    consent.full_clean()
    consent.save()
    audit_log(actor=user, action=action, target=consent, edition=edition, before=before,
              after={"version": consent.version, **texts})
    edition.__dict__.pop("_consent_current", None)
    return None if consent.is_empty else consent


def consent_refusal(*, edition: Edition, accepted_version: int | None) -> str | None:
    """Why a submission with `accepted_version` of the consent text (the one the page showed, None: not ticked)
    is refused, or None when it may go on (or the edition asks for no consent)."""
    current = consent_current(edition=edition)
    if current is None:
        return None
    if accepted_version is None:
        return _("Read the data protection text and accept it to submit.")
    if accepted_version != current.version:
        return _("The data protection text has changed since you opened this page. Read the new text and accept "
                 "it to submit.")
    return None


def consent_accept(*, edition: Edition, user: User, accepted_version: int | None, application=None
                   ) -> ConsentAcceptance | None:
    """Record that `user` accepted the edition's consent text in force, version `accepted_version`. Refused as
    `consent_refusal` says. Call it inside the transaction of the submission it comes with."""
    refusal = consent_refusal(edition=edition, accepted_version=accepted_version)
    if refusal:
        raise ValidationError({"consent": refusal}, code="consent")
    current = consent_current(edition=edition)
    if current is None:
        return None
    acceptance = ConsentAcceptance(consent=current, user=user, application=application,
                                   language=(get_language() or "")[:10])
    acceptance.full_clean()
    acceptance.save()
    audit_log(actor=user, action="consent.accept", target=acceptance, edition=edition,
              after={"version": current.version, "application": getattr(application, "pk", None)})
    return acceptance


# --- deletion requests ---------------------------------------------------------------------------------

@transaction.atomic
def deletion_request_create(*, user: User, reason: str = "") -> DeletionRequest:
    """A person asks for their account to be deleted; asking again while a request waits changes nothing."""
    User.objects.select_for_update().get(pk=user.pk)
    pending = DeletionRequest.objects.filter(user=user, state=DeletionRequest.State.PENDING).first()
    if pending is not None:
        return pending
    request = DeletionRequest(user=user, reason=reason.strip()[:5000])
    request.full_clean()
    request.save()
    audit_log(actor=user, action="privacy.deletion_request", target=request, after={"reason": request.reason})
    return request


@transaction.atomic
def deletion_request_cancel(*, deletion_request: DeletionRequest, user: User) -> DeletionRequest:
    deletion_request = DeletionRequest.objects.select_for_update().get(pk=deletion_request.pk)
    if deletion_request.user_id != user.pk:
        raise PermissionDenied(_("Only the person who asked can cancel this request."))
    if deletion_request.state != DeletionRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    deletion_request.state = DeletionRequest.State.CANCELLED
    deletion_request.decided_at = timezone.now()
    deletion_request.save(update_fields=["state", "decided_at"])
    audit_log(actor=user, action="privacy.deletion_cancel", target=deletion_request)
    return deletion_request


def deletion_deciders_editions(*, user: User):
    """The editions whose applicants' requests `user` may decide: those where they are the secretariat."""
    return Edition.objects.filter(roles__user=user, roles__role=EditionRole.Role.SECRETARIAT)


def can_decide_deletion(*, user: User, deletion_request: DeletionRequest) -> bool:
    """A superuser, or the secretariat of an edition to which the person's organisations applied; never the
    person themself."""
    if not user.is_authenticated or not user.is_active or deletion_request.user_id == user.pk:
        return False
    if user.is_superuser:
        return True
    return Edition.objects.filter(
        roles__user=user, roles__role=EditionRole.Role.SECRETARIAT,
        applications__organisation__memberships__user_id=deletion_request.user_id,
    ).exists()


def deletion_request_lock_for_decision(*, deletion_request: DeletionRequest, user: User) -> DeletionRequest:
    """The request locked for a decision by `user`, checked: allowed and still pending. Call it in a transaction."""
    deletion_request = DeletionRequest.objects.select_for_update().select_related("user").get(pk=deletion_request.pk)
    if not can_decide_deletion(user=user, deletion_request=deletion_request):
        raise PermissionDenied(_("Only the secretariat of an edition this person applied to can decide."))
    if deletion_request.state != DeletionRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    return deletion_request


@transaction.atomic
def deletion_request_refuse(*, deletion_request: DeletionRequest, user: User, note: str) -> DeletionRequest:
    if not note.strip():
        raise ValidationError({"note": _("Say why the request is refused: the person reads it.")})
    deletion_request = deletion_request_lock_for_decision(deletion_request=deletion_request, user=user)
    deletion_request.state = DeletionRequest.State.REFUSED
    deletion_request.decided_by, deletion_request.decided_at = user, timezone.now()
    deletion_request.decision_note = note.strip()
    deletion_request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_log(actor=user, action="privacy.deletion_refuse", target=deletion_request,
              after={"note": deletion_request.decision_note})
    return deletion_request


def account_anonymise(*, person: User) -> dict:
    """Replace the person's name and e-mail, disable their login, and remove what identifies them elsewhere in the
    portal (their e-mail addresses, second factors, memberships, invitations to their address). The User row
    stays, so every record that names them (results, snapshots, the audit trail) keeps its integrity and now names
    a deleted account. Returns counts of what was removed, for the caller's audit entry (which keeps no name or
    address). Call it in a transaction."""
    old_email = person.email
    person.email = f"deleted-{person.pk}@deleted.invalid"
    person.name = ANONYMOUS_NAME
    person.is_active = False
    person.is_staff = person.is_superuser = person.is_organiser = False
    person.language = ""
    person.set_unusable_password()
    person.save()
    removed = {
        "email_addresses": EmailAddress.objects.filter(user=person).delete()[0],
        "authenticators": Authenticator.objects.filter(user=person).delete()[0],
        "memberships": Membership.objects.filter(user=person).delete()[0],
        "invitations": Invitation.objects.filter(email__iexact=old_email).update(email=person.email),
        "role_invitations": RoleInvitation.objects.filter(email__iexact=old_email).update(email=person.email),
    }
    # Logged out everywhere without a scan of the sessions: Django refuses an inactive user's session, and the
    # session's hash of the password no longer matches.
    return removed
