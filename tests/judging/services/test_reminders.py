"""The secretariat's "remind now": who gets an e-mail, the audit entry, and the refusal outside open rounds."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from judging.models import Assignment, JudgingRound
from judging.services.reminders import round_remind_late_judges
from judging.services.scoring import ReviewInput, review_submit
from portal.models import AuditEntry
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Three judges: judge 0 has submitted everything, judge 1 has one open review, judge 2 has two."""
    world = make_world(judges=3, entries=2, pairs=[(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)])
    review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    review_submit(assignment=world.assignment(1, 0), user=world.judges[1].user, notify=False,
                  data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    return world


def test_reminds_each_judge_with_open_reviews_once_after_the_commit(world, django_capture_on_commit_callbacks):
    secretariat = world.role("secretariat")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        count = round_remind_late_judges(round=world.round, user=secretariat)
        assert mail.outbox == []  # nothing leaves before the commit
    assert count == 2
    # The reminder task, then (once it has run) one outbox e-mail per judge.
    assert len(callbacks) == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [world.judges[1].user.email, world.judges[2].user.email])
    by_judge = {message.to[0]: message.body for message in mail.outbox}
    assert "Entry 2" in by_judge[world.judges[1].user.email]
    assert "Entry 1" not in by_judge[world.judges[1].user.email]  # submitted: not listed
    assert "Entry 1" in by_judge[world.judges[2].user.email] and "Entry 2" in by_judge[world.judges[2].user.email]


def test_the_reminder_is_audited_with_the_judges_named(world):
    secretariat = world.role("secretariat")
    round_remind_late_judges(round=world.round, user=secretariat)
    entries = list(AuditEntry.objects.filter(action="round.remind"))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.edition_id, entry.target_id) == (secretariat, world.edition.pk, str(world.round.pk))
    assert entry.after == {"judges": sorted([world.judges[1].pk, world.judges[2].pk]), "count": 2}


@pytest.mark.parametrize("state", [JudgingRound.State.SCHEDULED, JudgingRound.State.ASSIGNING,
                                   JudgingRound.State.CLOSED, JudgingRound.State.SCORED])
def test_refused_unless_the_round_is_open(world, state, django_capture_on_commit_callbacks):
    JudgingRound.objects.filter(pk=world.round.pk).update(state=state)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refusal:
        round_remind_late_judges(round=world.round, user=world.role("secretariat"))
    assert refusal.value.code == "round_not_open"
    assert "only while a round is open for scoring" in refusal.value.messages[0]
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="round.remind").exists()


def test_nobody_to_remind_sends_and_records_nothing(world, django_capture_on_commit_callbacks):
    Assignment.objects.filter(round=world.round).update(state=Assignment.State.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert round_remind_late_judges(round=world.round, user=world.role("secretariat")) == 0
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="round.remind").exists()


def test_a_judge_who_submitted_before_the_task_ran_gets_nothing(world, django_capture_on_commit_callbacks):
    from judging.notifications import round_remind_judges

    Assignment.objects.filter(round=world.round, judge=world.judges[1]).update(state=Assignment.State.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails leave the outbox on commit
        assert round_remind_judges(round=world.round, judge_ids=[world.judges[1].pk, world.judges[2].pk]) == 1
    assert [message.to for message in mail.outbox] == [[world.judges[2].user.email]]


def test_blind_round_reminders_name_no_organisation(django_capture_on_commit_callbacks):
    world = make_world(judges=1, entries=1, blind=True)
    with django_capture_on_commit_callbacks(execute=True):
        round_remind_late_judges(round=world.round, user=world.role("secretariat"))
    assert len(mail.outbox) == 1
    assert world.entries[0].organisation.name not in mail.outbox[0].body
