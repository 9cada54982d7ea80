"""submissions.services.data_protection: an approved deletion leaves results as they were; the retention period
removes exactly the expired unsuccessful drafts and files."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from judging.models import AwardDecision, EntryResult
from portal.models import AuditEntry, DeletionRequest, Edition, EditionRole, Membership, User
from portal.services.privacy import deletion_request_create
from submissions.models import Application, ApplicationSnapshot, Attachment
from submissions.services.data_protection import (
    deletion_request_approve,
    retention_due_editions,
    retention_purge_edition,
    retention_sweep,
)
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
)
from tests.factories.public import published_edition

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Ingrid Svensson", "ingrid.svensson@malmo.example"


def _public_page(edition) -> str:
    """The public results page, without the per-request CSRF token of its language form."""
    page = Client().get(f"/editions/{edition.slug}/results/").content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def _results(edition) -> list:
    decisions = list(AwardDecision.objects.filter(edition=edition).order_by("pk").values_list(
        "pk", "application_id", "tier_id", "award_id", "proposed_rank", "citation"))
    ranks = list(EntryResult.objects.filter(round__edition=edition).order_by("pk").values_list(
        "application_id", "rank", "corrected"))
    return [decisions, ranks]


@pytest.fixture
def world():
    """A published edition; Ingrid belongs to a gold winner's city, is its contact person in the entry's text and
    snapshot, uploaded one of its files, and has a draft never submitted in this year's open call."""
    made = published_edition(categories=1, leadership=1, mentions=0)
    winner = made.winners[0]
    person = MembershipFactory(organisation=winner.organisation, user__name=NAME, user__email=EMAIL).user
    contact = f"Contact person: {NAME} ({EMAIL})"
    Application.objects.filter(pk=winner.pk).update(partners=contact)
    snapshot = winner.snapshots.get()
    snapshot.data = {**snapshot.data, "partners": contact}
    snapshot.save()
    kept_file = AttachmentFactory(application=winner, uploaded_by=person)
    open_call = EditionFactory(state=Edition.State.OPEN)
    draft = ApplicationFactory(edition=open_call, organisation=winner.organisation, created_by=person,
                               title="Ingrid's unsent idea")
    draft_file = AttachmentFactory(application=draft, uploaded_by=person)
    secretary = EditionRoleFactory(edition=made.edition, role=EditionRole.Role.SECRETARIAT).user
    return made, winner, person, kept_file, draft, draft_file, secretary


def test_a_deletion_keeps_results_and_the_public_page_and_removes_the_person(world, django_capture_on_commit_callbacks):
    made, winner, person, kept_file, draft, draft_file, secretary = world
    before = _results(made.edition)
    page = _public_page(made.edition)
    draft_file_name = draft_file.file.name
    deletion_request = deletion_request_create(user=person, reason="I left the city's service.")
    entries_before = set(AuditEntry.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        deletion_request_approve(deletion_request=deletion_request, user=secretary)

    assert _results(made.edition) == before
    assert _public_page(made.edition) == page
    assert winner.organisation.name in page
    person = User.objects.get(pk=person.pk)
    assert (person.email, person.name, person.is_active, person.has_usable_password()) == (
        f"deleted-{person.pk}@deleted.invalid", "Deleted account", False, False)
    assert not Membership.objects.filter(user=person).exists()
    winner.refresh_from_db()
    assert winner.partners == "Contact person: [removed] ([removed])"
    assert ApplicationSnapshot.objects.get(application=winner).data["partners"] == "Contact person: [removed] ([removed])"
    # Submitted work stays with its file; the draft that was never submitted goes, with its file.
    assert Attachment.objects.filter(pk=kept_file.pk).exists() and default_storage.exists(kept_file.file.name)
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not default_storage.exists(draft_file_name)
    # The audit trail keeps every earlier entry, and records the deletion without the name or the address.
    assert entries_before <= set(AuditEntry.objects.values_list("pk", flat=True))
    approval = AuditEntry.objects.get(action="privacy.deletion_approve")
    assert approval.after == {"person": person.pk, "drafts_deleted": 1, "files_deleted": 1,
                              "applications_anonymised": 1, "email_addresses": 1, "authenticators": 0,
                              "memberships": 1, "invitations": 0, "role_invitations": 0}
    assert NAME not in str(approval.after) and EMAIL not in str(approval.after)
    assert DeletionRequest.objects.get().state == DeletionRequest.State.APPROVED


def test_the_deleted_person_can_no_longer_log_in(world, password):
    made, winner, person, *_rest, secretary = world
    deletion_request_approve(deletion_request=deletion_request_create(user=person), user=secretary)

    response = Client().post("/accounts/login/", {"login": EMAIL, "password": password})

    assert response.status_code == 200  # the form again: no such account
    assert "_auth_user_id" not in Client().session


def test_another_member_and_other_applicants_are_untouched(world):
    made, winner, person, *_rest, secretary = world
    colleague = MembershipFactory(organisation=winner.organisation, user__name="Lars Berg").user
    other = made.winners[1]
    other_before = {field: getattr(other, field) for field in Application.CONTENT_FIELDS}

    deletion_request_approve(deletion_request=deletion_request_create(user=person), user=secretary)

    colleague.refresh_from_db()
    other.refresh_from_db()
    assert (colleague.name, colleague.is_active) == ("Lars Berg", True)
    assert {field: getattr(other, field) for field in Application.CONTENT_FIELDS} == other_before


# --- retention -----------------------------------------------------------------------------------------

@pytest.fixture
def expired():
    """A published edition 31 days after publication with a 30-day retention period; each entry with a file, a
    loser with a public image, and a draft never submitted with its file."""
    made = published_edition(categories=1, leadership=1, mentions=0, retention_days=30)
    Edition.objects.filter(pk=made.edition.pk).update(published_at=timezone.now() - timedelta(days=31))
    made.edition.refresh_from_db()
    for entry in [*made.winners, *made.awardees, *made.hidden]:
        AttachmentFactory(application=entry)
    return made


def _files(applications) -> dict[int, list[str]]:
    return {a.pk: sorted(Attachment.objects.filter(application=a).values_list("file", flat=True))
            for a in applications}


def test_retention_removes_exactly_the_expired_unsuccessful_drafts_and_files(expired, django_capture_on_commit_callbacks):
    successful = [*expired.winners, *expired.awardees]
    kept_files = _files(successful)
    unsuccessful = [entry for entry in expired.hidden if entry.status != Application.Status.DRAFT]
    draft = next(entry for entry in expired.hidden if entry.status == Application.Status.DRAFT)
    gone = [name for names in _files(expired.hidden).values() for name in names]
    gone += [entry.public_image.name for entry in expired.hidden]

    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_sweep()

    assert counts == {expired.edition.slug: {"drafts_deleted": 1, "files_deleted": len(gone)}}
    assert _files(successful) == kept_files
    assert all(default_storage.exists(name) for names in kept_files.values() for name in names)
    assert [name for name in gone if default_storage.exists(name)] == []
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert sorted(Application.objects.filter(pk__in=[e.pk for e in unsuccessful]).values_list("pk", flat=True)) == \
        sorted(entry.pk for entry in unsuccessful)  # submitted entries stay: their ranks name them
    assert all(not Application.objects.get(pk=entry.pk).public_image for entry in unsuccessful)
    audited = AuditEntry.objects.filter(edition=expired.edition, action__startswith="privacy.retention_")
    assert sorted(audited.values_list("action", flat=True)) == sorted(
        ["privacy.retention_draft_delete"] + ["privacy.retention_files_delete"] * len(unsuccessful))
    assert retention_sweep() == {expired.edition.slug: {"drafts_deleted": 0, "files_deleted": 0}}


def test_an_edition_within_its_period_or_without_one_is_left_alone():
    within = published_edition(categories=1, leadership=0, mentions=0, retention_days=30)
    without = published_edition(categories=1, leadership=0, mentions=0)
    Edition.objects.filter(pk=without.edition.pk).update(published_at=timezone.now() - timedelta(days=900))
    drafts = Application.objects.filter(status=Application.Status.DRAFT).count()

    assert retention_due_editions() == []
    assert retention_sweep() == {}
    assert Application.objects.filter(status=Application.Status.DRAFT).count() == drafts == 2
    assert within.edition.retention_days == 30


def test_the_command_runs_it_by_hand_and_names_what_it_removed(expired, capsys):
    call_command("retention_purge", "--dry-run")
    assert Application.objects.filter(edition=expired.edition, status=Application.Status.DRAFT).count() == 1

    call_command("retention_purge", "--edition", expired.edition.slug)

    out = capsys.readouterr().out
    assert f"{expired.edition.slug}: 1 drafts and " in out
    assert Application.objects.filter(edition=expired.edition, status=Application.Status.DRAFT).count() == 0


def test_beat_runs_the_sweep_daily_through_the_registered_task(settings, expired):
    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["submissions-retention-sweep"]
    assert (entry["task"], entry["schedule"]) == ("submissions.retention_sweep", 86400.0)
    files = 2 * len(expired.hidden)  # each unsuccessful entry's attachment and public image
    assert app.tasks[entry["task"]].apply().get() == {expired.edition.slug: {"drafts_deleted": 1,
                                                                              "files_deleted": files}}


def test_purging_one_edition_leaves_another_editions_losers_alone(expired):
    other = published_edition(categories=1, leadership=0, mentions=0, retention_days=30)
    loser = other.hidden[0]
    AttachmentFactory(application=loser)

    retention_purge_edition(edition=expired.edition)

    assert Attachment.objects.filter(application=loser).count() == 1
