"""A person's export of their data (issue 14): a zip of JSON files and their organisations' files, streamed.

What is in it: their account, their organisation memberships, every application of those organisations (its
fields, status history, submitted snapshots, files' metadata, and once the edition is published the decisions and
the judges' feedback meant for the applicant), the consents they gave, their deletion requests, and the audit
entries about them or made by them. Nothing of another applicant: every read starts from the person or from an
organisation they belong to. Nothing a judge wrote for the committee, no judge's name or own score.

The zip is written while it is sent (`export_stream`): memory stays at one file's chunk, however large the files,
so no job is needed. The export itself is audited when it starts.
"""

import json
import zipfile
from collections.abc import Iterator
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.utils import timezone

from judging.models import AwardDecision
from judging.selectors.results import applicant_feedback
from portal.models import (
    AuditEntry,
    ConsentAcceptance,
    DeletionRequest,
    Edition,
    EditionRole,
    Membership,
    Organisation,
    User,
)
from portal.services.audit import audit_log, snapshot
from submissions.models import Answer, Application, ApplicationSnapshot, Attachment, StatusChange

CHUNK = 64 * 1024


def _json(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _account(person: User) -> dict:
    from allauth.account.models import EmailAddress

    return {
        "id": person.pk, "email": person.email, "name": person.name, "language": person.language,
        "date_joined": person.date_joined, "last_login": person.last_login, "is_organiser": person.is_organiser,
        "email_addresses": list(EmailAddress.objects.filter(user=person).values("email", "verified", "primary")),
        "edition_roles": [{"edition": role.edition.slug, "role": role.role, "since": role.created_at}
                          for role in EditionRole.objects.filter(user=person).select_related("edition")],
    }


def _memberships(person: User) -> list[dict]:
    return [{
        "organisation": {"id": m.organisation.pk, "name": m.organisation.name, "kind": m.organisation.kind,
                         "country": m.organisation.country.code, "city": m.organisation.city,
                         "population_band": m.organisation.population_band, "website": m.organisation.website},
        "role": m.role, "since": m.created_at,
    } for m in Membership.objects.filter(user=person).select_related("organisation").order_by("pk")]


def export_applications(person: User):
    """The applications of every organisation the person belongs to, with what the export reads of each."""
    return (
        Application.objects.filter(organisation__memberships__user=person).distinct()
        .select_related("edition", "category", "organisation", "created_by")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("at", "id")),
            Prefetch("snapshots", queryset=ApplicationSnapshot.objects.order_by("number")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id")),
            Prefetch("answers", queryset=Answer.objects.select_related("question").order_by("question__position",
                                                                                             "question_id")),
            Prefetch("award_decisions", queryset=AwardDecision.objects.select_related("tier", "award", "category")),
        )
        .order_by("pk")
    )


def attachment_path(attachment: Attachment) -> str:
    name = PurePath(attachment.original_name).name or "file"
    return f"files/application-{attachment.application_id}/{attachment.pk}-{name}"


def _application(application: Application, person: User) -> dict:
    published = application.edition.state == Edition.State.PUBLISHED
    return {
        # Every field of the application as stored, whatever the form asks (snapshot() reads them all).
        "fields": snapshot(application),
        "edition": {"slug": application.edition.slug, "name": application.edition.name},
        "category": application.category.name,
        "organisation": application.organisation.name,
        "created_by_you": application.created_by_id == person.pk,
        # The answers to the edition's own questions, each with the question as it was asked (its version).
        "answers": [{"question": a.question.key, "version": a.question.version, "label_en": a.question.label_en,
                     "label_ko": a.question.label_ko, "value": a.value, "updated_at": a.updated_at}
                    for a in application.answers.all()],
        "status_history": [{"from": change.from_status, "to": change.to_status, "reason": change.reason,
                            "at": change.at, "by_you": change.by_id == person.pk}
                           for change in application.status_changes.all()],
        "snapshots": [{"number": s.number, "submitted_at": s.created_at, "submitted_by_you": s.submitted_by_id == person.pk,
                       "data": s.data} for s in application.snapshots.all()],
        "attachments": [{"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size,
                         "pages": a.pages, "uploaded_at": a.created_at, "removed_at": a.removed_at,
                         "uploaded_by_you": a.uploaded_by_id == person.pk,
                         "file_in_export": attachment_path(a) if a.file and default_storage.exists(a.file.name) else None}
                        for a in application.attachments.all()],
        "decisions": [{"category": d.category.name if d.category else None,
                       "tier": d.tier.get_level_display() if d.tier else None,
                       "award": d.award.name if d.award else None, "citation": d.citation}
                      for d in application.award_decisions.all()] if published else [],
        "feedback": [{"round": item["round"].name, "comments": item["comments"]}
                     for item in applicant_feedback(application=application)] if published else [],
    }


def _consents(person: User) -> list[dict]:
    return [{"edition": c.consent.edition.slug, "version": c.consent.version, "text_en": c.consent.text_en,
             "text_ko": c.consent.text_ko, "application": c.application_id, "language": c.language,
             "accepted_at": c.accepted_at}
            for c in ConsentAcceptance.objects.filter(user=person).select_related("consent__edition")]


def _own_targets(person: User, applications: list[Application]) -> set[tuple[int, str]]:
    """(content type, id) of every object that is the person's or their organisations': the audit entries about
    these are exported whole."""
    types = ContentType.objects.get_for_models(User, Application, Attachment, Organisation, Membership,
                                               ConsentAcceptance, DeletionRequest)
    owned = {
        User: [person.pk],
        Application: [application.pk for application in applications],
        Attachment: [a.pk for application in applications for a in application.attachments.all()],
        Organisation: list(Membership.objects.filter(user=person).values_list("organisation_id", flat=True)),
        Membership: list(Membership.objects.filter(user=person).values_list("pk", flat=True)),
        ConsentAcceptance: list(ConsentAcceptance.objects.filter(user=person).values_list("pk", flat=True)),
        DeletionRequest: list(DeletionRequest.objects.filter(user=person).values_list("pk", flat=True)),
    }
    return {(types[model].pk, str(pk)) for model, pks in owned.items() for pk in pks}


def _audit(person: User, applications: list[Application]) -> list[dict]:
    """The audit entries about the person or made by them. An entry they made about something that is neither
    theirs nor their organisations' (their work in a role: another applicant's entry screened, say) comes with its
    action and time only, never the other's data."""
    user_type = ContentType.objects.get_for_model(User)
    own = _own_targets(person, applications)
    entries = AuditEntry.objects.filter(Q(actor=person) | Q(target_type=user_type, target_id=str(person.pk)))
    rows = []
    for entry in entries.select_related("edition").order_by("created_at", "id"):
        row = {"at": entry.created_at, "action": entry.action, "by_you": entry.actor_id == person.pk,
               "edition": entry.edition.slug if entry.edition else None}
        if (entry.target_type_id, entry.target_id) in own:
            row.update(target=entry.target_repr, before=entry.before, after=entry.after)
        rows.append(row)
    return rows


class _Sink:
    """A write-only stream that zipfile writes into and the response reads out of, chunk by chunk."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._written = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def export_start(*, person: User) -> Iterator[bytes]:
    """Audit the export now (in the request's transaction) and return the zip's bytes, written as they are read."""
    audit_log(actor=person, action="privacy.export", target=person)
    return _zip(person)


def _zip(person: User) -> Iterator[bytes]:
    applications = list(export_applications(person))
    sections = {
        "account.json": _account(person),
        "organisations.json": _memberships(person),
        "applications.json": [_application(application, person) for application in applications],
        "consents.json": _consents(person),
        "deletion_requests.json": list(DeletionRequest.objects.filter(user=person).values(
            "id", "state", "reason", "requested_at", "decided_at", "decision_note")),
        "audit.json": _audit(person, applications),
        "README.txt": None,
    }
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sections.items():
            if name == "README.txt":
                archive.writestr(name, _readme(person))
            else:
                archive.writestr(name, _json(content))
            yield sink.take()
        for application in applications:
            for attachment in application.attachments.all():
                if not attachment.file or not default_storage.exists(attachment.file.name):
                    continue  # removed by the retention period: its metadata is in applications.json
                with default_storage.open(attachment.file.name, "rb") as source, \
                        archive.open(attachment_path(attachment), "w") as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield sink.take()
            if application.public_image and default_storage.exists(application.public_image.name):
                suffix = PurePath(application.public_image.name).suffix
                with default_storage.open(application.public_image.name, "rb") as source, \
                        archive.open(f"files/application-{application.pk}/public-image{suffix}", "w") as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield sink.take()
    yield sink.take()


def _readme(person: User) -> str:
    return (f"Personal data export of account {person.pk}, made {timezone.now().isoformat()}.\n"
            "account.json: your account; organisations.json: your memberships; applications.json: the applications "
            "of your organisations (fields, history, submitted snapshots, files, decisions and feedback once "
            "published); consents.json: the data protection texts you accepted; deletion_requests.json; "
            "audit.json: the audit entries about you or made by you. files/: the applications' files.\n")
