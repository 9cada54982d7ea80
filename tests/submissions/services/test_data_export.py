"""submissions.services.data_export: everything of one applicant, nothing of another."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from judging.models import Assignment, Review
from portal.models import AuditEntry, Edition
from portal.services.privacy import deletion_request_create
from submissions.services.data_export import export_start
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AttachmentFactory,
    ConsentAcceptanceFactory,
    MembershipFactory,
    ReviewFactory,
)
from tests.factories.ceremony import lock_edition
from tests.factories.public import published_edition

pytestmark = pytest.mark.django_db

ALPHA_BYTES, BETA_BYTES = b"%PDF-1.4 alpha's own plan", b"%PDF-1.4 BETA-SECRET-BUDGET"


def _attach(application, data: bytes, name: str, **fields):
    attachment = AttachmentFactory(application=application, original_name=name, size=len(data), **fields)
    attachment.file.save("upload.pdf", ContentFile(data), save=True)
    return attachment


@pytest.fixture
def two_applicants():
    """Alpha's Anna and Beta's Bo, both winners of a published edition with judges' comments; Anna has a draft,
    a colleague's application, a consent and a deletion request; Bo has the same kinds of things."""
    made = published_edition(categories=1, leadership=0, mentions=0, images=False)
    alpha_entry, beta_entry = made.winners[0], made.winners[1]
    anna = MembershipFactory(organisation=alpha_entry.organisation, user__email="anna@alpha.example",
                             user__name="Anna Alpha").user
    bo = MembershipFactory(organisation=beta_entry.organisation, user__email="bo@beta.example",
                           user__name="Bo Beta").user
    Edition.objects.filter(pk=made.edition.pk).update(state=Edition.State.DELIBERATION)  # judging rows may be added
    for entry, comment in ((alpha_entry, "Well argued, Alpha."), (beta_entry, "BETA-ONLY-FEEDBACK")):
        assignment = AssignmentFactory(round=made.round, application=entry, state=Assignment.State.SUBMITTED)
        ReviewFactory(assignment=assignment, state=Review.State.SUBMITTED, applicant_comment=comment,
                      committee_comment="COMMITTEE-ONLY-REMARK")
    lock_edition(made.edition, Edition.State.PUBLISHED)
    _attach(alpha_entry, ALPHA_BYTES, "alpha-plan.pdf", uploaded_by=anna)
    _attach(beta_entry, BETA_BYTES, "beta-budget.pdf", uploaded_by=bo)
    draft = ApplicationFactory(organisation=alpha_entry.organisation, created_by=anna, title="Anna's draft")
    colleague_work = ApplicationFactory(organisation=alpha_entry.organisation, title="A colleague's entry")
    ApplicationFactory(organisation=beta_entry.organisation, created_by=bo, title="BETA-DRAFT-TITLE")
    ConsentAcceptanceFactory(user=anna, consent__edition=draft.edition, application=draft)
    ConsentAcceptanceFactory(user=bo, consent__edition=draft.edition)
    deletion_request_create(user=anna, reason="Anna moves on.")
    deletion_request_create(user=bo, reason="BETA-REASON")
    return made, anna, bo, [alpha_entry, draft, colleague_work], beta_entry


def _export(person) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(export_start(person=person))))


def test_an_export_holds_everything_of_the_applicant(two_applicants):
    made, anna, bo, anna_work, beta_entry = two_applicants
    alpha_entry = anna_work[0]

    archive = _export(anna)

    account = json.loads(archive.read("account.json"))
    assert (account["email"], account["name"]) == ("anna@alpha.example", "Anna Alpha")
    assert [m["organisation"]["name"] for m in json.loads(archive.read("organisations.json"))] == [
        alpha_entry.organisation.name]
    applications = {a["fields"]["id"]: a for a in json.loads(archive.read("applications.json"))}
    assert sorted(applications) == sorted(a.pk for a in anna_work)
    exported = applications[alpha_entry.pk]
    assert exported["fields"]["title"] == alpha_entry.title
    assert [s["data"]["title"] for s in exported["snapshots"]] == [alpha_entry.title]
    # The answers to the edition's own questions, each named by its question and version.
    stored = sorted(alpha_entry.answers.values_list("question__key", "question__version"))
    assert stored and sorted((a["question"], a["version"]) for a in exported["answers"]) == stored
    assert [(d["tier"], d["category"]) for d in exported["decisions"]] == [("Gold", made.categories[0].name)]
    assert exported["feedback"] == [{"round": made.round.name, "comments": ["Well argued, Alpha."]}]
    attachment = exported["attachments"][0]
    assert (attachment["name"], attachment["uploaded_by_you"]) == ("alpha-plan.pdf", True)
    assert archive.read(attachment["file_in_export"]) == ALPHA_BYTES
    consents = json.loads(archive.read("consents.json"))
    assert [(c["application"], c["text_ko"]) for c in consents] == [(anna_work[1].pk, "수상 심사와 발표를 위해 신청서를 보관합니다.")]
    assert [r["reason"] for r in json.loads(archive.read("deletion_requests.json"))] == ["Anna moves on."]
    actions = [row["action"] for row in json.loads(archive.read("audit.json"))]
    assert actions == ["privacy.deletion_request", "privacy.export"]
    assert AuditEntry.objects.filter(action="privacy.export", actor=anna).count() == 1


def test_an_export_holds_nothing_of_another_applicant_nor_the_committees_words(two_applicants):
    made, anna, bo, anna_work, beta_entry = two_applicants

    archive = _export(anna)

    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (BETA_BYTES, b"bo@beta.example", b"Bo Beta", b"BETA-DRAFT-TITLE", b"BETA-ONLY-FEEDBACK",
                   b"BETA-REASON", beta_entry.title.encode(), beta_entry.organisation.name.encode(),
                   b"COMMITTEE-ONLY-REMARK"):
        assert secret not in everything, secret
    assert [name for name in archive.namelist() if name.startswith("files/")] == [
        f"files/application-{anna_work[0].pk}/{anna_work[0].attachments.get().pk}-alpha-plan.pdf"]


def test_decisions_and_feedback_stay_out_until_the_edition_is_published(two_applicants):
    made, anna, *_rest = two_applicants
    Edition.objects.filter(pk=made.edition.pk).update(state=Edition.State.FINALISED)

    applications = json.loads(_export(anna).read("applications.json"))

    assert [(a["decisions"], a["feedback"]) for a in applications] == [([], [])] * 3


def test_large_files_are_streamed_in_chunks_not_held_in_memory():
    import os
    import tracemalloc

    membership = MembershipFactory()
    application = ApplicationFactory(organisation=membership.organisation)
    big = os.urandom(12 * 1024 * 1024)  # random: the zip cannot shrink it
    _attach(application, big, "city-model.pdf")
    del big

    tracemalloc.start()
    largest = total = 0
    for chunk in export_start(person=membership.user):
        largest, total = max(largest, len(chunk)), total + len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert total > 12 * 1024 * 1024
    assert largest < 1024 * 1024
    assert peak < 4 * 1024 * 1024, peak
