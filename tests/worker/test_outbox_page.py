"""The edition's outbox page: who reads it, who retries, what it lists (this edition's only), in pages, in Korean."""

import pytest
from django.utils import timezone

from portal.models import AuditEntry
from tests.factories import EditionFactory, EditionRoleFactory, MembershipFactory
from tests.factories.scoring import make_world
from worker.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    edition, other = EditionFactory(), EditionFactory()
    failed = OutboxMessage.objects.create(
        kind="email", task_name="worker.send_email", recipient="judge@example.org", subject="Your entries",
        body="…", edition=edition, state="failed", attempts=6, last_error="SMTPServerDisconnected: closed")
    waiting = OutboxMessage.objects.create(task_name="judging.notify_judges", kwargs={"round_id": 1},
                                           edition=edition, attempts=2, last_error="Error 111 connecting")
    done = OutboxMessage.objects.create(task_name="judging.aggregate_round", edition=edition, state="done",
                                        done_at=timezone.now())
    foreign = OutboxMessage.objects.create(kind="email", task_name="worker.send_email",
                                           recipient="secret@other.example", subject="Other edition's mail",
                                           edition=other, state="failed")
    return {"edition": edition, "other": other, "failed": failed, "waiting": waiting, "done": done,
            "foreign": foreign}


def url(edition) -> str:
    return f"/e/{edition.slug}/outbox/"


def test_anonymous_visitors_are_sent_to_log_in(client, rows):
    response = client.get(url(rows["edition"]))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_applicant_a_judge_and_another_editions_secretariat_may_not_read_it(client, login, rows):
    world = make_world(judges=1, entries=1, edition=rows["edition"])
    applicant = MembershipFactory(organisation=world.entries[0].organisation).user
    people = [applicant, world.judges[0].user,
              EditionRoleFactory(edition=rows["other"], role="secretariat").user,
              EditionRoleFactory(edition=rows["edition"], role="committee").user]
    for person in people:
        client.logout()
        login(person)
        response = client.get(url(rows["edition"]))
        assert response.status_code == 403, person
        assert b"judge@example.org" not in response.content
        assert client.post(f"{url(rows['edition'])}{rows['failed'].pk}/retry/").status_code == 403


@pytest.mark.parametrize("role", ["secretariat", "chair", "observer"])
def test_the_committee_reads_this_editions_open_rows_failed_first(client, login, rows, role):
    login(EditionRoleFactory(edition=rows["edition"], role=role).user)
    response = client.get(url(rows["edition"]))
    assert response.status_code == 200
    assert [row["message"].pk for row in response.context["rows"]] == [rows["failed"].pk, rows["waiting"].pk]
    body = response.content.decode()
    assert "judge@example.org" in body and "E-mails to judges about their entries" in body
    assert "secret@other.example" not in body and "Other edition" not in body
    assert response.context["counts"] == {"failed": 1, "waiting": 1}
    assert ("Try again" in body) is (role == "secretariat")
    workspace = client.get(f"/e/{rows['edition'].slug}/").content.decode()
    assert f'href="{url(rows["edition"])}"' in workspace


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_the_chair_and_observers_cannot_retry(client, login, rows, role):
    login(EditionRoleFactory(edition=rows["edition"], role=role).user)
    assert client.post(f"{url(rows['edition'])}{rows['failed'].pk}/retry/").status_code == 403
    rows["failed"].refresh_from_db()
    assert rows["failed"].state == "failed"


def test_the_secretariat_retries_a_failed_email_audited(client, login, rows, django_capture_on_commit_callbacks):
    from django.core import mail

    secretariat = EditionRoleFactory(edition=rows["edition"], role="secretariat").user
    login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url(rows['edition'])}{rows['failed'].pk}/retry/")
    assert response.status_code == 302 and response.url == url(rows["edition"])
    rows["failed"].refresh_from_db()
    assert (rows["failed"].state, rows["failed"].attempts) == ("done", 0)
    assert [m.to for m in mail.outbox] == [["judge@example.org"]]
    entry = AuditEntry.objects.get(action="outbox.retry")
    assert (entry.actor, entry.edition_id, entry.before["state"], entry.after) == (
        secretariat, rows["edition"].pk, "failed", {"state": "pending"})
    # Another edition's row is not reachable through this edition's address; a done row cannot be retried.
    assert client.post(f"{url(rows['edition'])}{rows['foreign'].pk}/retry/").status_code == 404
    response = client.post(f"{url(rows['edition'])}{rows['done'].pk}/retry/", follow=True)
    assert "Only a failed or waiting message can be sent again." in response.content.decode()


def test_korean_readers_read_the_page_in_korean(client, login, rows):
    login(EditionRoleFactory(edition=rows["edition"], role="secretariat").user)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    body = client.get(url(rows["edition"])).content.decode()
    assert "발송함" in body and "다시 시도" in body and "심사위원에게 배정 항목 안내 메일" in body


@pytest.mark.parametrize("count", [1, 60])
def test_the_query_count_is_fixed_for_one_row_or_many(client, login, django_assert_num_queries, count):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    OutboxMessage.objects.bulk_create([
        OutboxMessage(kind="email", task_name="worker.send_email", recipient=f"p{n}@example.org", subject="S",
                      edition=edition, state="failed" if n % 2 else "pending") for n in range(count)])
    client.get(url(edition))
    with django_assert_num_queries(8):
        response = client.get(url(edition))
    assert len(response.context["rows"]) == min(count, 50)
