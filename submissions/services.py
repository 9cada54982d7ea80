"""Every write to editions, applications, attachments and invitations. One function per state change."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.models import Membership, Organisation, User
from portal.services import audit_log, membership_add, snapshot
from worker.base import enqueue_on_commit

from .attachments import MAX_ATTACHMENTS_PER_APPLICATION, check_upload
from .models import Application, ApplicationSnapshot, Attachment, Category, Edition, FormSection, Invitation, StatusChange
from .selectors import application_form_sections, organisation_entries_in_category

# A draft keeps whatever the applicant typed (limits are checked on submit); this only stops abuse.
DRAFT_FIELD_HARD_LIMIT = 100_000
Status = Application.Status


# --- deadlines -----------------------------------------------------------------------------------------

def _local(edition: Edition, moment: datetime) -> str:
    return date_format(timezone.localtime(moment, edition.tz), "j F Y, H:i")


def ensure_call_open(edition: Edition, *, now: datetime | None = None) -> None:
    """Refuse any applicant change outside the call, whatever the browser sent. Compared on the server, in UTC."""
    now = now or timezone.now()
    if edition.state != Edition.State.OPEN or now < edition.opens_at:
        raise ValidationError(
            _("The call for %(edition)s is not open for applications.") % {"edition": edition.name}, code="not_open"
        )
    if now >= edition.closes_at:
        raise ValidationError(
            _("The call closed on %(when)s (%(tz)s). Changes are no longer accepted.")
            % {"when": _local(edition, edition.closes_at), "tz": edition.time_zone},
            code="closed",
        )


# --- status --------------------------------------------------------------------------------------------

def _set_status(application: Application, to: str, *, user: User | None, reason: str = "") -> None:
    before = application.status
    application.status = to
    application.save(update_fields=["status", "updated_at", *(["screening_reason"] if reason else [])])
    StatusChange.objects.create(application=application, from_status=before, to_status=to, reason=reason, by=user)
    audit_log(
        actor=user, action=f"application.{to}", target=application, edition_id=application.edition_id,
        before={"status": before}, after={"status": to, **({"reason": reason} if reason else {})},
    )


def _locked(application: Application) -> Application:
    """Re-read the row under a lock, so a double click cannot submit twice."""
    return Application.objects.select_for_update().get(pk=application.pk)


# --- applications --------------------------------------------------------------------------------------

@transaction.atomic
def application_create(*, user: User, organisation: Organisation, category: Category) -> Application:
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(_("You can apply only for an organisation you belong to."), code="not_member")
    edition = category.edition
    ensure_call_open(edition)
    if not category.admits(organisation.kind):
        raise ValidationError(
            _("%(category)s does not admit organisations of the kind “%(kind)s”.")
            % {"category": category.name, "kind": organisation.get_kind_display()},
            code="kind",
        )
    Organisation.objects.select_for_update().get(pk=organisation.pk)  # serialise concurrent creations
    if organisation_entries_in_category(organisation=organisation, category=category) >= category.max_entries_per_organisation:
        raise ValidationError(
            _("%(organisation)s already has %(count)s entry in %(category)s, the most allowed.")
            % {"organisation": organisation.name, "count": category.max_entries_per_organisation,
               "category": category.name},
            code="limit",
        )
    application = Application(edition=edition, category=category, organisation=organisation, created_by=user)
    application.full_clean()
    application.save()
    StatusChange.objects.create(application=application, from_status="", to_status=Status.DRAFT, by=user)
    audit_log(actor=user, action="application.create", target=application, edition=edition,
              after={"category": category.slug, "organisation": organisation.name})
    return application


@transaction.atomic
def application_save_draft(*, application: Application, user: User, data: dict) -> Application:
    """Save whatever the applicant entered so far, even if it would not pass submission yet."""
    application = _locked(application)
    ensure_call_open(application.edition)
    if application.status != Status.DRAFT:
        raise ValidationError(_("This application has been submitted. Reopen it to make changes."), code="not_draft")
    changed = {}
    for field in Application.CONTENT_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
            if len(value) > DRAFT_FIELD_HARD_LIMIT:
                raise ValidationError({field: _("This text is far too long to save.")})
        if field == "budget_usd" and value in ("", None):
            value = None
        if field == "title":
            value = (value or "")[:200]
        if getattr(application, field) != value:
            changed[field] = value
            setattr(application, field, value)
    if changed:
        application.full_clean(exclude=["edition", "category", "organisation", "created_by"])
        application.save()
    return application


def application_submission_errors(application: Application) -> dict[str, list[str]]:
    """Everything that stops `application` from being submitted, keyed by form field ('' for the whole form)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not application.title.strip():
        add("title", _("Give the application a title."))
    for section in application_form_sections(edition=application.edition):
        field = str(section.field)
        value = getattr(application, field).strip()
        if section.required and not value:
            add(field, _("%(section)s is required.") % {"section": section.label})
        if len(value) > section.max_chars:
            add(field, _("%(section)s has %(count)s characters; at most %(limit)s are allowed.")
                % {"section": section.label, "count": len(value), "limit": section.max_chars})
    if not application.stage:
        add("stage", _("Choose the development stage."))
    validate_url = URLValidator(schemes=["http", "https"])
    for link in application.link_list():
        try:
            validate_url(link)
        except ValidationError:
            add("links", _("“%(link)s” is not a web address (it should start with https://).") % {"link": link})
    if not application.category.admits(application.organisation.kind):
        add("", _("%(category)s does not admit organisations of this kind.") % {"category": application.category.name})
    return errors


def _snapshot_data(application: Application) -> dict:
    data = snapshot(application, fields=list(Application.CONTENT_FIELDS))
    data["category"] = {"slug": application.category.slug, "name": application.category.name}
    data["organisation"] = {
        "name": application.organisation.name,
        "kind": application.organisation.kind,
        "country": application.organisation.country.code,
        "city": application.organisation.city,
        "population_band": application.organisation.population_band,
    }
    data["attachments"] = [
        {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size, "pages": a.pages}
        for a in application.attachments.filter(removed_at__isnull=True)
    ]
    return data


@transaction.atomic
def application_submit(*, application: Application, user: User) -> ApplicationSnapshot:
    """Validate the whole form, freeze a snapshot, and send the confirmation after commit."""
    from .tasks import send_submission_confirmation

    application = _locked(application)
    if application.status == Status.SUBMITTED:
        raise ValidationError(_("This application has already been submitted."), code="already_submitted")
    if application.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."), code="not_draft")
    ensure_call_open(application.edition)
    errors = application_submission_errors(application)
    if errors:
        raise ValidationError(errors)
    number = application.snapshots.count() + 1
    submitted = ApplicationSnapshot.objects.create(
        application=application, number=number, data=_snapshot_data(application), submitted_by=user
    )
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    _set_status(application, Status.SUBMITTED, user=user)
    enqueue_on_commit(send_submission_confirmation, snapshot_id=submitted.pk)
    return submitted


@transaction.atomic
def application_reopen(*, application: Application, user: User) -> Application:
    """Back to a draft while the call is open; the earlier snapshot stays as it was."""
    application = _locked(application)
    ensure_call_open(application.edition)
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be reopened."), code="not_submitted")
    _set_status(application, Status.DRAFT, user=user)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user: User, reason: str = "") -> Application:
    application = _locked(application)
    ensure_call_open(application.edition)
    if application.status not in (Status.DRAFT, Status.SUBMITTED):
        raise ValidationError(_("This application can no longer be withdrawn."), code="not_withdrawable")
    _set_status(application, Status.WITHDRAWN, user=user, reason=reason)
    return application


SCREENABLE = (Status.SUBMITTED, Status.ELIGIBLE, Status.INELIGIBLE)


@transaction.atomic
def application_screen(*, application: Application, user: User, eligible: bool, reason: str = "") -> Application:
    """The secretariat's eligibility decision; the applicant sees the reason."""
    application = _locked(application)
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
            # _set_status writes the reason only when there is one; an earlier refusal's reason must not linger.
            application.save(update_fields=["screening_reason"])
        _set_status(application, target, user=user, reason=reason)
    return application


@transaction.atomic
def applications_screen_bulk(*, applications, user: User, eligible: bool, reason: str = "") -> int:
    """Screen many at once: all or nothing, so a refused one leaves the others as they were."""
    count = 0
    for application in applications:
        application_screen(application=application, user=user, eligible=eligible, reason=reason)
        count += 1
    return count


# --- attachments ---------------------------------------------------------------------------------------

@transaction.atomic
def attachment_add(*, application: Application, user: User, upload) -> Attachment:
    application = _locked(application)
    ensure_call_open(application.edition)
    if application.status != Status.DRAFT:
        raise ValidationError(_("This application has been submitted. Reopen it to change its files."))
    if application.attachments.filter(removed_at__isnull=True).count() >= MAX_ATTACHMENTS_PER_APPLICATION:
        raise ValidationError(_("An application may have at most %(n)s files.") % {"n": MAX_ATTACHMENTS_PER_APPLICATION})
    checked = check_upload(upload)
    original_name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-255:]
    attachment = Attachment(
        application=application, original_name=original_name, content_type=checked.content_type,
        size=checked.size, pages=checked.pages, uploaded_by=user,
    )
    # The stored name comes from upload_to (random); the extension follows the detected type.
    attachment.file.save(f"upload{checked.extension}", upload, save=False)
    attachment.save()
    audit_log(actor=user, action="attachment.add", target=attachment, edition_id=application.edition_id,
              after={"name": original_name, "size": checked.size, "type": checked.content_type})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user: User) -> None:
    application = _locked(attachment.application)
    ensure_call_open(application.edition)
    if application.status != Status.DRAFT:
        raise ValidationError(_("This application has been submitted. Reopen it to change its files."))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    audit_log(actor=user, action="attachment.remove", target=attachment, edition_id=application.edition_id,
              before={"name": attachment.original_name})


# --- organisations: invitations ------------------------------------------------------------------------

@transaction.atomic
def organisation_invite(*, organisation: Organisation, email: str, actor: User) -> Invitation:
    from .tasks import send_invitation

    if not Membership.objects.filter(organisation=organisation, user=actor, role=Membership.Role.OWNER).exists():
        raise ValidationError(_("Only an owner of the organisation can invite colleagues."))
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, token=secrets.token_urlsafe(32), invited_by=actor
    )
    audit_log(actor=actor, action="organisation.invite", target=organisation, after={"email": email})
    enqueue_on_commit(send_invitation, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.") % {"email": invitation.email}
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership_add(organisation=invitation.organisation, user=user, actor=user)


# --- editions: one function per state change ------------------------------------------------------------

EDITION_TRANSITIONS = {
    Edition.State.DRAFT: {Edition.State.OPEN},
    Edition.State.OPEN: {Edition.State.CLOSED},
    Edition.State.CLOSED: {Edition.State.SCREENING, Edition.State.OPEN},
    Edition.State.SCREENING: {Edition.State.JUDGING},
    Edition.State.JUDGING: {Edition.State.DELIBERATION},
    Edition.State.DELIBERATION: {Edition.State.FINALISED},
    Edition.State.FINALISED: {Edition.State.PUBLISHED},
    Edition.State.PUBLISHED: set(),
}


def _edition_move(edition: Edition, to: str, *, user: User | None) -> Edition:
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if to not in EDITION_TRANSITIONS[edition.state]:
        raise ValidationError(
            _("An edition that is “%(state)s” cannot move to “%(to)s”.")
            % {"state": edition.get_state_display(), "to": Edition.State(to).label}
        )
    before = edition.state
    edition.state = to
    edition.save(update_fields=["state"])
    audit_log(actor=user, action=f"edition.{to}", target=edition, edition=edition,
              before={"state": before}, after={"state": to})
    return edition


@transaction.atomic
def edition_open(*, edition: Edition, user: User | None) -> Edition:
    if not edition.categories.exists():
        raise ValidationError(_("Add at least one category before opening the call."))
    return _edition_move(edition, Edition.State.OPEN, user=user)


@transaction.atomic
def edition_close(*, edition: Edition, user: User | None) -> Edition:
    return _edition_move(edition, Edition.State.CLOSED, user=user)


@transaction.atomic
def edition_start_screening(*, edition: Edition, user: User | None) -> Edition:
    return _edition_move(edition, Edition.State.SCREENING, user=user)


@transaction.atomic
def edition_update(*, edition: Edition, user: User, data: dict) -> Edition:
    """Change an edition's settings (not its state)."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    before = snapshot(edition)
    for field, value in data.items():
        if field in ("state", "id", "pk"):
            continue
        setattr(edition, field, value)
    edition.full_clean()
    edition.save()
    audit_log(actor=user, action="edition.update", target=edition, edition=edition, before=before, after=snapshot(edition))
    return edition


# --- edition settings: categories and form sections ------------------------------------------------------

CATEGORY_FIELDS = ("name", "slug", "description", "allowed_kinds", "max_entries_per_organisation", "position")
FORM_SECTION_FIELDS = ("field", "title", "guidance", "max_chars", "required", "position")


def _edition_part(model, *, edition: Edition, instance):
    """Re-read `instance` under a lock, and only within `edition` (a form may have changed the object in memory)."""
    if instance is None or instance.pk is None:
        return None
    found = model.objects.select_for_update().filter(pk=instance.pk, edition=edition).first()
    if found is None:
        raise ValidationError(_("This belongs to another edition."), code="other_edition")
    return found


def _save_edition_part(part, *, edition: Edition, user: User, before: dict | None, action: str):
    """Validate and save a category or form section; audit it only when something changed."""
    part.full_clean()
    if before is not None and snapshot(part) == before:
        return part
    part.save()
    audit_log(actor=user, action=f"{action}.update" if before else f"{action}.create", target=part,
              edition=edition, before=before, after=snapshot(part))
    return part


@transaction.atomic
def category_save(*, edition: Edition, user: User, data: dict, category: Category | None = None) -> Category:
    """Create a category of `edition` (category=None) or change one of its categories; audited when it changes."""
    existing = _edition_part(Category, edition=edition, instance=category)
    before = snapshot(existing) if existing else None
    category = existing or Category(edition=edition)
    for field in CATEGORY_FIELDS:
        if field in data:
            setattr(category, field, data[field])
    category.allowed_kinds = sorted(set(category.allowed_kinds or []))
    if Category.objects.filter(edition=edition, slug=category.slug).exclude(pk=category.pk).exists():
        raise ValidationError({"slug": _("Another category of this edition already uses “%(slug)s”.")
                                       % {"slug": category.slug}})
    return _save_edition_part(category, edition=edition, user=user, before=before, action="category")


@transaction.atomic
def category_delete(*, edition: Edition, user: User, category: Category) -> None:
    """Remove a category that nobody has entered yet."""
    category = _edition_part(Category, edition=edition, instance=category)
    if category.applications.exists():
        raise ValidationError(
            _("“%(name)s” already has applications and cannot be removed.") % {"name": category.name}, code="in_use"
        )
    before = snapshot(category)
    audit_log(actor=user, action="category.delete", target=category, edition=edition, before=before)
    category.delete()


@transaction.atomic
def form_section_save(*, edition: Edition, user: User, data: dict, section: FormSection | None = None) -> FormSection:
    """Create or change one section of the edition's application form; audited when it changes."""
    existing = _edition_part(FormSection, edition=edition, instance=section)
    before = snapshot(existing) if existing else None
    section = existing or FormSection(edition=edition)
    for field in FORM_SECTION_FIELDS:
        if field in data:
            setattr(section, field, data[field])
    if FormSection.objects.filter(edition=edition, field=section.field).exclude(pk=section.pk).exists():
        raise ValidationError({"field": _("The form already has a section for “%(field)s”.")
                                        % {"field": section.get_field_display()}})
    return _save_edition_part(section, edition=edition, user=user, before=before, action="form_section")


@transaction.atomic
def form_section_delete(*, edition: Edition, user: User, section: FormSection) -> None:
    """Stop asking for a section. Submitted snapshots keep what they hold."""
    section = _edition_part(FormSection, edition=edition, instance=section)
    audit_log(actor=user, action="form_section.delete", target=section, edition=edition, before=snapshot(section))
    section.delete()


def application_snapshot_data(application: Application) -> dict:
    """What `application_submit` freezes, for writers that must produce the same rows (the bulk demo seed)."""
    return _snapshot_data(application)


@transaction.atomic
def edition_start_judging(*, edition: Edition, user: User | None) -> Edition:
    return _edition_move(edition, Edition.State.JUDGING, user=user)
