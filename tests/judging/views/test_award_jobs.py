"""The ceremony material page: who opens it, starting and retrying jobs, progress, the certificates' zip, exports."""

import csv
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from judging.models import AwardJob
from judging.services.scoring import ReviewInput, review_submit
from portal.models import Edition, EditionRole
from tests.factories import (
    AwardDecisionFactory,
    AwardJobFactory,
    EditionRoleFactory,
    MembershipFactory,
    PrizeTierFactory,
)
from tests.factories.ceremony import ceremony_edition, lock_edition
from tests.factories.scoring import hand_world

pytestmark = pytest.mark.django_db


def page(edition) -> str:
    return f"/e/{edition.slug}/awards/jobs/"


@pytest.fixture
def world():
    return ceremony_edition()


def _user(world, who):
    if who == "applicant":
        return world.members["gold"][0]
    if who == "judge and chair":
        user = EditionRoleFactory(edition=world.edition, role=EditionRole.Role.JUDGE).user
        EditionRoleFactory(edition=world.edition, user=user, role=EditionRole.Role.CHAIR)
        return user
    if who == "another edition's chair":
        return EditionRoleFactory(role=EditionRole.Role.CHAIR).user
    return EditionRoleFactory(edition=world.edition, role=who).user


# --- who opens what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [
    ("secretariat", 200), ("chair", 200), ("observer", 200), ("committee", 200), ("judge and chair", 200),
    ("judge", 403), ("applicant", 403), ("another edition's chair", 403),
])
def test_who_opens_the_ceremony_page(client, login, world, who, status):
    AwardJobFactory(edition=world.edition, state=AwardJob.State.FAILED, error="secret-smtp-error")
    login(_user(world, who))
    response = client.get(page(world.edition))
    assert response.status_code == status
    assert ("secret-smtp-error" in response.content.decode()) is (status == 200)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(page(world.edition))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who", ["secretariat", "chair"])
def test_the_chair_and_the_secretariat_see_start_buttons_saying_what_happens(client, login, world, who):
    login(_user(world, who))
    text = " ".join(client.get(page(world.edition)).content.decode().split())
    assert "Send the decision to 5 applicants' organisations, in each member's language. Each e-mail is sent once" in text
    assert "Draw 3 PDF certificates" in text


def test_the_observer_reads_but_starts_nothing(client, login, world, django_capture_on_commit_callbacks):
    observer = _user(world, "observer")
    login(observer)
    text = client.get(page(world.edition)).content.decode()
    assert "Send the decision e-mails" not in text and "Draw the certificates" not in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/e/{world.edition.slug}/awards/jobs/start/notify/", {"confirm": "yes"})
    assert response.status_code == 403
    assert not AwardJob.objects.exists() and mail.outbox == []


def test_starting_needs_the_confirmation_box(client, login, world, django_capture_on_commit_callbacks):
    login(world.chair)
    url = f"/e/{world.edition.slug}/awards/jobs/start/notify/"
    response = client.post(url, follow=True)
    assert "Tick the box to confirm" in response.content.decode()
    assert not AwardJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "The decision e-mails are queued: they are sent once a worker starts the job." in response.content.decode()
    assert AwardJob.objects.get().state == AwardJob.State.SUCCEEDED
    assert len(mail.outbox) == 6
    assert client.post(f"/e/{world.edition.slug}/awards/jobs/start/fireworks/", {"confirm": "yes"}).status_code == 404


def test_a_refusal_is_a_message_not_an_error(client, login):
    world = ceremony_edition(state=Edition.State.FINALISED)
    login(world.chair)
    response = client.post(f"/e/{world.edition.slug}/awards/jobs/start/notify/", {"confirm": "yes"}, follow=True)
    assert response.status_code == 200
    assert "once the results are published" in response.content.decode()
    assert not AwardJob.objects.exists()


def test_a_failed_job_shows_its_error_and_a_retry_for_the_chair_only(client, login, world,
                                                                    django_capture_on_commit_callbacks):
    job = AwardJobFactory(edition=world.edition, state=AwardJob.State.FAILED, error="SMTP down")
    retry = f"/e/{world.edition.slug}/awards/jobs/{job.pk}/retry/"
    login(_user(world, "observer"))
    assert retry not in client.get(page(world.edition)).content.decode()
    assert client.post(retry).status_code == 403
    client.logout()
    login(world.chair)
    assert retry in client.get(page(world.edition)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
    job.refresh_from_db()
    assert job.state == AwardJob.State.SUCCEEDED


def test_the_progress_partial_polls_while_the_job_runs(client, login, world):
    job = AwardJobFactory(edition=world.edition, state=AwardJob.State.RUNNING, progress=40,
                          message="Sending the decision e-mails")
    login(_user(world, "observer"))
    response = client.get(f"/e/{world.edition.slug}/awards/jobs/{job.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'value="40"' in text and "hx-trigger" in text and "Sending the decision e-mails" in text
    other = AwardJobFactory()  # another edition's job is not found under this edition
    assert client.get(f"/e/{world.edition.slug}/awards/jobs/{other.pk}/").status_code == 404


@pytest.mark.parametrize(("who", "status"), [("observer", 200), ("committee", 200), ("judge", 403),
                                             ("applicant", 403)])
def test_the_certificates_zip_downloads_for_the_committee_only(client, login, world, who, status):
    job = AwardJobFactory(edition=world.edition, kind=AwardJob.Kind.CERTIFICATES, state=AwardJob.State.SUCCEEDED)
    job.result.save("c.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    login(_user(world, who))
    response = client.get(f"/e/{world.edition.slug}/awards/jobs/{job.pk}/download/")
    assert response.status_code == status
    if status == 200:
        assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist() == []
        assert f'filename="{world.edition.slug}-certificates.zip"' in response["Content-Disposition"]
    notify = AwardJobFactory(edition=world.edition, state=AwardJob.State.SUCCEEDED)
    assert client.get(f"/e/{world.edition.slug}/awards/jobs/{notify.pk}/download/").status_code in (404, 403)


@pytest.mark.parametrize("jobs", [1, 12])
def test_the_page_takes_the_same_queries_for_one_job_or_many(client, login, world, django_assert_num_queries, jobs):
    AwardJobFactory.create_batch(jobs, edition=world.edition, state=AwardJob.State.SUCCEEDED)
    AwardJobFactory(state=AwardJob.State.FAILED)  # another edition's
    login(world.chair)
    client.get(page(world.edition))
    with django_assert_num_queries(8):
        response = client.get(page(world.edition))
    assert len(response.context["jobs"]) == jobs


# --- exports ------------------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_results_export_lists_prizes_by_tier_then_the_awards_with_citations(client, login, world):
    login(_user(world, "committee"))
    rows = _csv(client.get(f"/e/{world.edition.slug}/awards/export/results/"))
    assert [row[:4] for row in rows[1:]] == [
        ["Human-centric", "Gold", str(world.gold_entry.pk), "Hillside buses"],
        ["Human-centric", "Silver", str(world.silver_entry.pk), "Flood sensors"],
        ["Human-centric", "Silver", "", "No prize awarded"],
        ["Special mention", "Special mention", str(world.mention_entry.pk), "Open budget"],
    ]
    assert rows[4][7] == "For a budget every resident can read."
    assert rows[3][8:10] == ["yes", "Only one entry reached the level of a silver prize."]
    response = client.get(f"/e/{world.edition.slug}/awards/export/results/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:4] == ["Human-centric", "Gold", world.gold_entry.pk, "Hillside buses"]


@pytest.mark.parametrize(("who", "status"), [("observer", 200), ("secretariat", 200), ("judge", 403),
                                             ("applicant", 403)])
def test_who_exports_the_results(client, login, world, who, status):
    login(_user(world, who))
    assert client.get(f"/e/{world.edition.slug}/awards/export/results/").status_code == status


@pytest.fixture
def scored():
    world = hand_world()
    review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={world.criteria[0].pk: 7}, committee_comment="Strong pilot",
                                   applicant_comment="Show more data"))
    hand_world()  # another edition's reviews, never exported here
    return world


@pytest.mark.parametrize(("who", "status"), [
    ("observer", 200), ("chair", 200), ("committee", 200), ("secretariat", 200),
    ("judge", 403), ("judge and chair", 403), ("applicant", 403),
])
def test_all_scores_and_reviews_go_to_the_committee_and_observers_never_to_judges(client, login, scored, who,
                                                                                  status):
    if who == "judge":
        user = scored.judges[1].user
    elif who == "judge and chair":
        user = scored.judges[2].user
        EditionRoleFactory(edition=scored.edition, user=user, role=EditionRole.Role.CHAIR)
    elif who == "applicant":
        user = MembershipFactory(organisation=scored.entries[0].organisation).user
    else:
        user = scored.role(who)
    login(user)
    response = client.get(f"/e/{scored.edition.slug}/awards/export/scores/")
    assert response.status_code == status
    if status != 200:
        return
    rows = _csv(response)
    assert rows[0][:8] == ["Round", "Entry ID", "Title", "Category", "Organisation", "Judge", "Judge e-mail",
                           "Review state"]
    assert rows[0][8] == "Criterion 1"
    assert len(rows) == 1 + 9  # the nine reviews of this edition only
    first = next(row for row in rows[1:] if row[6] == scored.judges[0].user.email and row[2] == "Entry 1")
    assert first[5] == scored.judges[0].user.name
    assert first[8] == "7" and first[11:13] == ["Strong pilot", "Show more data"]


@pytest.mark.parametrize("extra", [0, 30])
def test_the_exports_take_the_same_queries_for_one_row_or_many(client, login, django_assert_num_queries, extra):
    world = ceremony_edition(state=Edition.State.DELIBERATION)
    for _ in range(extra):
        AwardDecisionFactory(tier=PrizeTierFactory(category__edition=world.edition, position=2))
    lock_edition(world.edition, Edition.State.PUBLISHED)
    login(world.chair)
    url = f"/e/{world.edition.slug}/awards/export/results/"
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
        rows = _csv(response)
    assert len(rows) == 1 + 4 + extra


@pytest.mark.parametrize("entries", [1, 6])
def test_the_scores_export_takes_the_same_queries_for_one_review_or_many(client, login, django_assert_num_queries,
                                                                        entries):
    from tests.factories.scoring import make_world

    world = make_world(judges=2, entries=entries)
    for (j, e), assignment in world.assignments.items():
        review_submit(assignment=assignment, user=world.judges[j].user, notify=False,
                      data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    login(world.role("observer"))
    url = f"/e/{world.edition.slug}/awards/export/scores/"
    client.get(url)
    with django_assert_num_queries(8):
        rows = _csv(client.get(url))
    assert len(rows) == 1 + 2 * entries
