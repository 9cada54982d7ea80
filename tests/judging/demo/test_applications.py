"""The demo applications: submitted through the services, complete, with real PDFs; added once."""

import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from portal.models import AuditEntry, Edition, Organisation, User
from submissions.models import Application, ApplicationSnapshot, Attachment, StatusChange

pytestmark = pytest.mark.django_db


def _demo_applications():
    return Application.objects.filter(edition__slug="seoul-demo").exclude(organisation__name="Demo City")


def test_seed_demo_adds_280_submitted_applications_from_many_places():
    call_command("seed_demo", "--judged-entries", "0")
    applications = _demo_applications().select_related("organisation", "category")
    assert applications.count() == 280
    assert set(applications.values_list("status", flat=True)) == {"submitted"}
    per_category = {slug: applications.filter(category__slug=slug).count()
                    for slug in ["human-centric", "tech-innovative", "safety-resilience"]}
    assert sum(per_category.values()) == 280 and min(per_category.values()) >= 80, per_category
    organisations = Organisation.objects.filter(applications__in=applications).distinct()
    assert len({o.country.code for o in organisations}) >= 30
    assert {o.kind for o in organisations} == {"city", "company", "institute", "ngo"}
    assert {o.population_band for o in organisations} == {"lt100k", "100k-1m", "1m-5m", "gt5m", "na"}
    assert set(applications.values_list("stage", flat=True)) == {"concept", "pilot", "implemented", "scaled"}
    assert applications.filter(title__regex=r"[가-힣]").exists()


def test_every_demo_application_is_complete_with_a_real_pdf():
    call_command("seed_demo", "--judged-entries", "0", "--entries", "40")
    applications = list(_demo_applications().prefetch_related("attachments", "snapshots", "status_changes"))
    assert len(applications) == 40
    for application in applications:
        attachments = list(application.attachments.all())
        assert len(attachments) >= 1
        for attachment in attachments:
            with attachment.file.open("rb") as stored:
                assert len(PdfReader(io.BytesIO(stored.read())).pages) == attachment.pages
        [snapshot] = application.snapshots.all()
        assert (snapshot.number, snapshot.data["title"], snapshot.confirmation_sent_at is not None) == (
            1, application.title, True,
        )
        assert [a["id"] for a in snapshot.data["attachments"]] == [a.pk for a in attachments]
        assert [(c.from_status, c.to_status) for c in application.status_changes.all()] == [
            ("", "draft"), ("draft", "submitted"),
        ]
        # What the submit service itself would accept.
        assert services_errors(application) == {}


def services_errors(application):
    from submissions.services import application_submission_errors

    return application_submission_errors(application)


def test_a_second_run_adds_no_application():
    call_command("seed_demo", "--judged-entries", "0", "--entries", "30")
    counted = (Application, Attachment, ApplicationSnapshot, StatusChange, Organisation, User, AuditEntry)
    counts = [model.objects.count() for model in counted]
    call_command("seed_demo", "--judged-entries", "0", "--entries", "30")
    assert [model.objects.count() for model in counted] == counts


def test_more_entries_add_only_the_missing_ones():
    call_command("seed_demo", "--judged-entries", "0", "--entries", "12")
    first = sorted(_demo_applications().values_list("pk", "title"))
    call_command("seed_demo", "--judged-entries", "0", "--entries", "25")
    assert _demo_applications().count() == 25
    assert sorted(_demo_applications().values_list("pk", "title"))[:12] == first


def test_a_closed_demo_call_adds_nothing_and_says_why():
    call_command("seed_demo", "--judged-entries", "0", "--entries", "0")
    Edition.objects.filter(slug="seoul-demo").update(state=Edition.State.CLOSED)
    err = io.StringIO()
    call_command("seed_demo", "--judged-entries", "0", "--entries", "5", stderr=err)
    assert _demo_applications().count() == 0
    assert "5 demo applications were not added" in err.getvalue()


def _written_rows() -> dict:
    """Everything the demo applications wrote, without ids, times and random file names."""
    applications = {a.pk: a for a in Application.objects.select_related("organisation", "category", "created_by")}
    key = {pk: (a.organisation.name, a.category.slug) for pk, a in applications.items()}
    attachments = {a.pk: a for a in Attachment.objects.select_related("uploaded_by")}

    def repr_without_ids(text: str) -> str:
        return re.sub(r"#\d+", "#id", text)

    def target(entry):
        model = entry.target_type.model if entry.target_type else None
        if model == "application":
            return key[int(entry.target_id)]
        if model == "attachment":
            attachment = attachments[int(entry.target_id)]
            return key[attachment.application_id], attachment.original_name
        return repr_without_ids(entry.target_repr)

    def without_id(values):
        # Ids differ between the two runs on PostgreSQL (a rolled-back sequence is not reset): the row's own, its
        # edition's (category.create records the edition's id) and its user's (judge.create records the judge's).
        volatile = ("id", "edition", "user")
        return {k: v for k, v in values.items() if k not in volatile} if isinstance(values, dict) else values

    def file_digest(attachment):
        with attachment.file.open("rb") as stored:
            return hashlib.sha256(stored.read()).hexdigest()

    return {
        "applications": sorted(
            (key[a.pk], a.created_by.email, a.status, a.screening_reason, a.submitted_at is not None,
             tuple(getattr(a, field) for field in Application.CONTENT_FIELDS))
            for a in applications.values()
        ),
        "organisations": sorted(
            (o.name, o.kind, o.country.code, o.city, o.population_band, o.website,
             tuple(sorted(o.memberships.values_list("user__email", "role"))))
            for o in Organisation.objects.all()
        ),
        "users": sorted(User.objects.values_list("email", "name", "is_staff", "emailaddress__verified")),
        "attachments": sorted(
            (key[a.application_id], a.original_name, a.content_type, a.size, a.pages, a.uploaded_by.email,
             a.removed_at, a.file.name.rsplit(".", 1)[-1], file_digest(a))
            for a in attachments.values()
        ),
        "snapshots": sorted(
            (key[s.application_id], s.number, s.submitted_by.email, s.confirmation_sent_at is not None,
             # Row ids differ between two runs (PostgreSQL's sequences are not rolled back): attachments and
             # the answers' questions are compared without them.
             repr({**s.data, "attachments": [without_id(a) for a in s.data["attachments"]],
                   "answers": [{k: v for k, v in a.items() if k != "question"} for a in s.data.get("answers", [])]}))
            for s in ApplicationSnapshot.objects.select_related("submitted_by")
        ),
        "status_changes": sorted(
            (key[c.application_id], c.from_status, c.to_status, c.reason, c.by.email)
            for c in StatusChange.objects.select_related("by")
        ),
        "audit": sorted(
            (e.action, e.actor.email if e.actor else None, e.edition_id is not None, repr(target(e)),
             repr(e.before), repr(without_id(e.after)))
            for e in AuditEntry.objects.select_related("actor", "target_type")
        ),
    }


def test_the_through_services_option_writes_what_the_default_writes():
    # Once the reference for a bulk writer; every application now goes through the services either way.
    with transaction.atomic():
        call_command("seed_demo", "--judged-entries", "0", "--entries", "14", "--through-services")
        through_services = _written_rows()
        transaction.set_rollback(True)
    assert Application.objects.count() == 0
    call_command("seed_demo", "--judged-entries", "0", "--entries", "14")
    in_bulk = _written_rows()
    assert len(in_bulk["applications"]) == 14
    for table in through_services:
        assert in_bulk[table] == through_services[table], table
