"""Data protection's writes to applications and their files (issue 14): a person's deletion, once approved, and
the retention period of an edition, after which the drafts and files of entries that won nothing are removed.

Results keep their integrity: an application that holds an award decision is never removed or changed here, and
no submitted application is deleted (rankings, scores and decisions name it); what goes is drafts never submitted
and stored files. Files leave the storage only after the transaction that forgot them has committed.
"""

import re
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from portal.models import DeletionRequest, Edition, Membership, User
from portal.services.audit import audit_log
from portal.services.privacy import account_anonymise, deletion_request_lock_for_decision
from submissions.models import Application, ApplicationSnapshot, Attachment

Status = Application.Status
REMOVED = "[removed]"


def _forget_files_on_commit(names: list[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _stored_files(application: Application) -> list[str]:
    names = [attachment.file.name for attachment in application.attachments.all()]
    if application.public_image:
        names.append(application.public_image.name)
    return names


def _draft_delete(*, application: Application, actor: User | None, action: str) -> int:
    """Delete a never-submitted draft with its files; returns how many files went. Audited."""
    files = _stored_files(application)
    audit_log(actor=actor, action=action, target=application, edition_id=application.edition_id,
              before={"status": application.status, "files": len(files)})
    _forget_files_on_commit(files)
    application.delete()
    return len(files)


def _scrub(value, needles: list[str]):
    """`value` (a string, or JSON of lists and dicts) with every needle replaced by REMOVED."""
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), REMOVED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    return value


def _anonymise_applications(*, organisation_ids: list[int], needles: list[str]) -> int:
    """Replace the person's name and address wherever their organisations' applications quote them (a contact
    person in a text, a snapshot): every text field of the application and every string of its snapshots'
    data, whatever the form asked. Scores, ranks and decisions are not touched. Returns how many changed."""
    changed = 0
    text_fields = [field.name for field in Application._meta.concrete_fields
                   if field.get_internal_type() in ("CharField", "TextField") and not field.choices]
    for application in Application.objects.filter(organisation_id__in=organisation_ids).prefetch_related("snapshots"):
        updates = {name: _scrub(getattr(application, name), needles) for name in text_fields}
        updates = {name: value for name, value in updates.items() if value != getattr(application, name)}
        snapshots = [(snapshot, _scrub(snapshot.data, needles)) for snapshot in application.snapshots.all()]
        snapshots = [(snapshot, data) for snapshot, data in snapshots if data != snapshot.data]
        if updates:
            Application.objects.filter(pk=application.pk).update(**updates)  # updated_at and version unchanged
        for snapshot, data in snapshots:
            ApplicationSnapshot.objects.filter(pk=snapshot.pk).update(data=data)
        changed += bool(updates or snapshots)
    return changed


@transaction.atomic
def deletion_request_approve(*, deletion_request: DeletionRequest, user: User) -> DeletionRequest:
    """Approve a person's deletion: their never-submitted drafts and the files they put on drafts go, their name
    and address are replaced in their organisations' applications, and their account is anonymised, its login
    disabled. Applications in results stay, with their ranks, scores and awards; the audit trail stays, with
    this deletion's own entry (counts only, no name or address)."""
    deletion_request = deletion_request_lock_for_decision(deletion_request=deletion_request, user=user)
    person = User.objects.select_for_update().get(pk=deletion_request.user_id)
    organisation_ids = list(Membership.objects.filter(user=person).values_list("organisation_id", flat=True))
    drafts = Application.objects.filter(created_by=person, status=Status.DRAFT, snapshots__isnull=True).distinct()
    files = drafts_deleted = 0
    for draft in drafts.prefetch_related("attachments"):
        files += _draft_delete(application=draft, actor=user, action="privacy.deletion_draft_delete")
        drafts_deleted += 1
    # Their files on colleagues' drafts that were never submitted: no judge's snapshot names them.
    uploaded = list(Attachment.objects.filter(uploaded_by=person, application__status=Status.DRAFT,
                                              application__snapshots__isnull=True).distinct())
    _forget_files_on_commit([attachment.file.name for attachment in uploaded])
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in uploaded]).delete()
    files += len(uploaded)
    anonymised = _anonymise_applications(organisation_ids=organisation_ids,
                                         needles=[needle for needle in (person.email, person.name)
                                                  if len(needle.strip()) >= 3])
    removed = account_anonymise(person=person)
    deletion_request.state = DeletionRequest.State.APPROVED
    deletion_request.decided_by, deletion_request.decided_at = user, timezone.now()
    deletion_request.save(update_fields=["state", "decided_by", "decided_at"])
    audit_log(actor=user, action="privacy.deletion_approve", target=deletion_request,
              after={"person": person.pk, "drafts_deleted": drafts_deleted, "files_deleted": files,
                     "applications_anonymised": anonymised, **removed})
    return deletion_request


# --- retention -----------------------------------------------------------------------------------------

def retention_expires_at(edition: Edition) -> datetime | None:
    if edition.retention_days is None or edition.published_at is None:
        return None
    return edition.published_at + timedelta(days=edition.retention_days)


def retention_due_editions(*, now: datetime | None = None) -> list[Edition]:
    """Published editions whose retention period has run out."""
    now = now or timezone.now()
    candidates = Edition.objects.filter(state=Edition.State.PUBLISHED, retention_days__isnull=False,
                                        published_at__isnull=False)
    return [edition for edition in candidates if retention_expires_at(edition) <= now]


@transaction.atomic
def retention_purge_edition(*, edition: Edition, actor: User | None = None) -> dict:
    """Remove the drafts, and the files of every other application, of the edition's entries that won nothing
    (no award decision). Idempotent: a second run finds nothing left. Each removal is audited."""
    unsuccessful = (Application.objects.filter(edition=edition, award_decisions__isnull=True)
                    .prefetch_related("attachments").order_by("pk"))
    drafts = files = 0
    for application in unsuccessful:
        if application.status == Status.DRAFT:
            files += _draft_delete(application=application, actor=actor, action="privacy.retention_draft_delete")
            drafts += 1
            continue
        names = _stored_files(application)
        if not names:
            continue
        audit_log(actor=actor, action="privacy.retention_files_delete", target=application, edition=edition,
                  before={"files": [attachment.original_name for attachment in application.attachments.all()],
                          "public_image": bool(application.public_image)})
        _forget_files_on_commit(names)
        application.attachments.all().delete()
        if application.public_image:
            Application.objects.filter(pk=application.pk).update(public_image="", public_image_consent=False)
        files += len(names)
    return {"drafts_deleted": drafts, "files_deleted": files}


def retention_sweep(*, now: datetime | None = None) -> dict[str, dict]:
    """Beat, daily (and `manage.py retention_purge`): every edition whose retention period has run out."""
    return {edition.slug: retention_purge_edition(edition=edition) for edition in retention_due_editions(now=now)}
