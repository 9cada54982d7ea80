"""An applicant's writes to an application: create, save the draft, submit, reopen, withdraw."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.concurrency import EditedMeanwhile, is_stale
from portal.formatting import local_time
from portal.models import Edition, Membership, Organisation, User, Webhook
from portal.services import webhooks
from portal.services.audit import audit_log, snapshot
from portal.services.notifications import absolute_url
from portal.services.privacy import consent_accept, consent_refusal
from submissions.answers import is_empty, snapshot_item, visible_questions
from submissions.models import Application, ApplicationSnapshot, Category, Question, StatusChange
from submissions.selectors import (
    application_answer_values,
    application_questions,
    organisation_entries_in_category,
)
from submissions.tasks import send_submission_confirmation

from .status import Status, application_lock, application_set_status

# A draft keeps whatever the applicant typed (limits are checked on submit); this only stops abuse.
DRAFT_FIELD_HARD_LIMIT = 100_000


# --- deadlines -----------------------------------------------------------------------------------------

def ensure_call_open(edition: Edition, *, now: datetime | None = None) -> None:
    """Refuse any applicant change outside the call, whatever the browser sent. Compared on the server, in UTC.

    The message says which: not open yet, closed at its deadline, or closed by the secretariat, with the times in
    the edition's zone.
    """
    now = now or timezone.now()
    if edition.state != Edition.State.DRAFT and now >= edition.closes_at:
        raise ValidationError(
            _("The call closed on %(when)s (%(tz)s). Changes are no longer accepted.")
            % {"when": local_time(edition.closes_at, edition=edition), "tz": edition.time_zone},
            code="closed",
        )
    if edition.state not in (Edition.State.DRAFT, Edition.State.OPEN):
        raise ValidationError(
            _("The call for %(edition)s was closed by the secretariat before its deadline of %(when)s (%(tz)s). "
              "Changes are no longer accepted.")
            % {"edition": edition.name, "when": local_time(edition.closes_at, edition=edition),
               "tz": edition.time_zone},
            code="closed",
        )
    if edition.state != Edition.State.OPEN or now < edition.opens_at:
        raise ValidationError(
            _("The call for %(edition)s is not open for applications.") % {"edition": edition.name}, code="not_open"
        )


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
def application_save_draft(*, application: Application, user: User, data: dict,
                           version: int | None = None) -> Application:
    """Save whatever the applicant entered so far, even if it would not pass submission yet.

    `version` is the draft's version the edit page was loaded at (None: no check). When the draft was saved
    since (another tab, a colleague of the organisation), a save that would change it is refused with
    EditedMeanwhile and nothing is written; one that would change nothing is not. `outcome` on the returned
    application says "saved" or "unchanged". A submitted application sent again unchanged is refused with the
    code "already_submitted" (a double click), anything else sent to it with "not_draft".
    """
    from .questions import answers_differ, answers_write

    application = application_lock(application)
    ensure_call_open(application.edition)
    changed = _draft_changes(application, data)
    answers = _answer_data(application, data)
    stored = application_answer_values(application=application)
    answers_changed = answers_differ(application=application, values=answers, stored=stored)
    if application.status != Status.DRAFT:
        if application.status == Status.SUBMITTED and not (changed or answers_changed):
            raise ValidationError(_("This application has already been submitted."), code="already_submitted")
        raise ValidationError(_("This application has been submitted. Reopen it to make changes."), code="not_draft")
    if is_stale(stored=application.version, loaded=version) and (changed or answers_changed):
        raise EditedMeanwhile(
            _("This draft was saved at %(time)s, after you opened this page (in another tab, or by a colleague of "
              "%(organisation)s). Your text is below and has not been saved: compare it with the saved draft, "
              "then save again.")
            % {"time": local_time(application.updated_at, edition=application.edition, with_zone=True),
               "organisation": application.organisation.name},
            current_version=application.version, saved_at=application.updated_at,
        )
    answers_changed = answers_write(application=application, values=answers, stored=stored) if answers else False
    application.outcome = "saved" if (changed or answers_changed) else "unchanged"
    if changed or answers_changed:
        for field, value in changed.items():
            setattr(application, field, value)
        application.full_clean(exclude=["edition", "category", "organisation", "created_by"])
        application.version += 1
        application.save()
    return application


def _answer_data(application: Application, data: dict) -> dict:
    """The answers in `data`: keys of the application's questions (the form names its fields by key)."""
    keys = {question.key for question in application_questions(application=application) if question.answerable}
    answers = {key: value for key, value in data.items() if key in keys}
    for key, value in answers.items():
        if isinstance(value, str) and len(value) > DRAFT_FIELD_HARD_LIMIT:
            raise ValidationError({key: _("This text is far too long to save.")})
    return answers


def _draft_changes(application: Application, data: dict) -> dict:
    """The content fields `data` would change, with their cleaned values; nothing is written."""
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
    return changed


def application_submission_errors(application: Application, *, entry_limit: bool = True) -> dict[str, list[str]]:
    """Everything that stops `application` from being submitted, keyed by form field ('' for the whole form).

    `entry_limit=False` leaves out the organisation's other entries (a query each), for lists of many drafts.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not application.title.strip():
        add("title", _("Give the application a title."))
    for key, messages_ in answer_errors(application).items():
        for message in messages_:
            add(key, message)
    if not application.stage:
        add("stage", _("Choose the development stage."))
    validate_url = URLValidator(schemes=["http", "https"])
    for link in application.link_list():
        try:
            validate_url(link)
        except ValidationError:
            add("links", _("“%(link)s” is not a web address (it should start with https://).") % {"link": link})
    category, organisation = application.category, application.organisation
    if not category.admits(organisation.kind):
        add("", _("%(category)s does not admit organisations of this kind.") % {"category": category.name})
    others_submitted = entry_limit and (
        Application.objects.filter(organisation=organisation, category=category)
        .exclude(pk=application.pk).exclude(status__in=[Status.DRAFT, Status.WITHDRAWN]).count()
    )
    if entry_limit and others_submitted >= category.max_entries_per_organisation:
        add("", ngettext(
            "%(organisation)s has already submitted %(count)s entry in %(category)s, the most allowed. "
            "Withdraw it to submit this one.",
            "%(organisation)s has already submitted %(count)s entries in %(category)s, the most allowed. "
            "Withdraw one to submit this one.", others_submitted,
        ) % {"organisation": organisation.name, "count": others_submitted, "category": category.name})
    return errors


def answer_errors(application: Application) -> dict[str, list[str]]:
    """What stops the application's answers from being submitted, by question key: each shown question's stored
    value checked by its field's rules (required, limits, format); a hidden question is not asked."""
    from submissions.forms.answers import answer_field, text_limit

    errors: dict[str, list[str]] = {}
    questions = [question for question in application_questions(application=application) if question.answerable]
    values = application_answer_values(application=application)
    for question in visible_questions(questions, values):
        value = values.get(question.key)
        if is_empty(value):
            if question.required:
                message = (_("%(section)s must be accepted.") if question.kind == Question.Kind.CONSENT
                           else _("%(section)s is required."))
                errors.setdefault(question.key, []).append(message % {"section": question.label})
            continue
        limit = text_limit(question) if question.kind in Question.TEXT_KINDS else None
        if limit and len(str(value).strip()) > limit:
            errors.setdefault(question.key, []).append(
                _("%(section)s has %(count)s characters; at most %(limit)s are allowed.")
                % {"section": question.label, "count": len(str(value).strip()), "limit": limit})
            continue
        field = answer_field(question, strict=True)
        try:
            field.clean(value)
        except ValidationError as error:
            errors.setdefault(question.key, []).extend(
                f"{question.label}: {message}" for message in error.messages)
    return errors


def snapshot_answers(application: Application) -> list[dict]:
    """The shown questions with their answers (None when unanswered), as the snapshot freezes them."""
    questions = application_questions(application=application)
    values = application_answer_values(application=application)
    return [snapshot_item(question, values.get(question.key) if question.answerable else None)
            for question in visible_questions(questions, values)]


def _snapshot_data(application: Application) -> dict:
    data = snapshot(application, fields=list(Application.CONTENT_FIELDS))
    data["answers"] = snapshot_answers(application)
    # Each answer by its key too, as snapshots before the form builder held the eight sections.
    data.update({item["key"]: item["value"] for item in data["answers"] if "value" in item and item["key"] not in data})
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
def application_submit(*, application: Application, user: User,
                       consent_version: int | None = None) -> ApplicationSnapshot:
    """Validate the whole form, freeze a snapshot, and send the confirmation after commit.

    `consent_version` is the version of the edition's data protection text the applicant accepted (None: not
    accepted); an edition with such a text refuses a submission without it, and records the acceptance with it.
    """
    from .questions import answers_write

    # The organisation first, as application_create does: two of its drafts submitted at once are counted
    # against the category's entry limit one after the other.
    Organisation.objects.select_for_update().get(pk=application.organisation_id)
    application = application_lock(application)
    if application.status == Status.SUBMITTED:
        raise ValidationError(_("This application has already been submitted."), code="already_submitted")
    if application.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."), code="not_draft")
    ensure_call_open(application.edition)
    # Answers the form showed from an older version of a question are written against the current one.
    answers_write(application=application, values={}, stored=application_answer_values(application=application))
    errors = application_submission_errors(application)
    refusal = consent_refusal(edition=application.edition, accepted_version=consent_version)
    if refusal:
        errors.setdefault("consent", []).append(refusal)
    if errors:
        raise ValidationError(errors)
    consent_accept(edition=application.edition, user=user, accepted_version=consent_version, application=application)
    number = application.snapshots.count() + 1
    submitted = ApplicationSnapshot.objects.create(
        application=application, number=number, data=_snapshot_data(application), submitted_by=user
    )
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    application_set_status(application=application, to=Status.SUBMITTED, user=user)
    send_submission_confirmation.delay_on_commit(snapshot_id=submitted.pk)
    webhooks.emit(edition_id=application.edition_id, event=Webhook.Event.APPLICATION_SUBMITTED, data={
        "application_id": application.pk, "category": application.category.slug, "submission": number,
        "submitted_at": application.submitted_at,
        "screening_url": absolute_url(reverse("submissions:screening_detail", args=[application.edition.slug,
                                                                                    application.pk])),
    })
    return submitted


@transaction.atomic
def application_reopen(*, application: Application, user: User) -> Application:
    """Back to a draft while the call is open; the earlier snapshot stays as it was."""
    application = application_lock(application)
    ensure_call_open(application.edition)
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be reopened."), code="not_submitted")
    application_set_status(application=application, to=Status.DRAFT, user=user)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user: User, reason: str = "") -> Application:
    application = application_lock(application)
    ensure_call_open(application.edition)
    if application.status not in (Status.DRAFT, Status.SUBMITTED):
        raise ValidationError(_("This application can no longer be withdrawn."), code="not_withdrawable")
    application_set_status(application=application, to=Status.WITHDRAWN, user=user, reason=reason)
    return application
