"""E-mails to judges: one per judge when a round opens, reminders once per (judge, hours), blind rounds name nobody."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from judging import notifications
from judging.models import Assignment, JudgingRound, ReminderSent
from judging.services import assignments, conflicts, rounds
from judging.tasks.notifications import notify_judges, send_reminders
from tests.factories import OrganisationFactory
from tests.factories.assignment import assign, eligible, judge, one_category_round

pytestmark = pytest.mark.django_db


def open_round(*, blind=False, deadline=None, reminder_hours=(), entries=4, judges=2, capture=None):
    edition, category, judging_round = one_category_round(
        k=1, blind=blind, deadline=deadline or datetime(2030, 1, 1, 15, 0, tzinfo=UTC),
        reminder_hours=list(reminder_hours),
    )
    applications = [
        eligible(edition, category, title=f"Smart bus stop {i}",
                 organisation=OrganisationFactory(name=f"Metropolis {i}", country="KE"))
        for i in range(entries)
    ]
    profiles = [judge(edition, expertise=[category], capacity=entries) for _ in range(judges)]
    assign(judging_round)
    with capture(execute=True):
        rounds.round_open(round=judging_round, user=None)
    judging_round.refresh_from_db()
    return judging_round, applications, profiles


def test_opening_a_round_mails_each_judge_once_with_their_entries_and_the_local_deadline(
        django_capture_on_commit_callbacks):
    judging_round, applications, judges = open_round(capture=django_capture_on_commit_callbacks)

    assert judging_round.state == JudgingRound.State.OPEN
    assert sorted(message.to[0] for message in mail.outbox) == sorted(j.user.email for j in judges)
    for message in mail.outbox:
        mine = Assignment.objects.filter(judge__user__email=message.to[0]).select_related("application")
        assert mine.count() == 2  # four entries, two judges, balanced
        for assignment in mine:
            assert f"#{assignment.application_id} {assignment.application.title}" in message.body
            assert assignment.application.organisation.name in message.body  # not a blind round
        # 15:00 UTC on 1 January is midnight on 2 January in Seoul, the edition's time zone.
        assert "2 January 2030, 00:00 (Asia/Seoul)" in message.body
    assert not Assignment.objects.filter(notified_at__isnull=True).exists()

    assert notify_judges.apply(kwargs={"round_id": judging_round.pk}).get() == 0
    assert len(mail.outbox) == 2


def test_a_blind_round_never_names_the_applicant_in_the_email(django_capture_on_commit_callbacks):
    judging_round, applications, _judges = open_round(blind=True, capture=django_capture_on_commit_callbacks)

    bodies = "\n".join(message.subject + message.body for message in mail.outbox)
    assert len(mail.outbox) == 2
    for application in applications:
        assert application.title in bodies
        assert application.organisation.name not in bodies
    assert "Metropolis" not in bodies
    assert "Kenya" not in bodies


def test_an_entry_added_after_opening_is_announced_alone_to_its_judge(django_capture_on_commit_callbacks):
    judging_round, applications, judges = open_round(capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    newcomer = judge(judging_round.edition, capacity=3)

    with django_capture_on_commit_callbacks(execute=True):
        assignments.assignment_add_manual(round=judging_round, judge=newcomer, application=applications[0], user=None)

    assert [message.to for message in mail.outbox] == [[newcomer.user.email]]
    assert applications[0].title in mail.outbox[0].body
    assert applications[1].title not in mail.outbox[0].body


def test_reminders_go_once_per_judge_and_lead_time_and_only_to_open_reviews(django_capture_on_commit_callbacks):
    now = timezone.now()
    judging_round, _applications, judges = open_round(
        deadline=now + timedelta(hours=30), reminder_hours=[72, 24], capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    done, busy = judges
    Assignment.objects.filter(judge=done).update(state=Assignment.State.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):  # each reminder leaves the outbox on its commit
        assert send_reminders.apply().get() == 1  # 72 hours before has passed, 24 not yet
        assert send_reminders.apply().get() == 0
    assert [message.to for message in mail.outbox] == [[busy.user.email]]
    assert "2 reviews" in mail.outbox[0].body
    assert set(ReminderSent.objects.values_list("judge_id", "hours_before")) == {(busy.pk, 72)}

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.reminders_send(now=now + timedelta(hours=7)) == 1  # 23 hours before: the 24-hour one
        assert notifications.reminders_send(now=now + timedelta(hours=8)) == 0
    assert set(ReminderSent.objects.values_list("judge_id", "hours_before")) == {(busy.pk, 72), (busy.pk, 24)}
    assert len(mail.outbox) == 2


def test_a_round_opened_late_sends_one_reminder_for_every_passed_lead_time(django_capture_on_commit_callbacks):
    judging_round, _applications, judges = open_round(
        deadline=timezone.now() + timedelta(hours=10), reminder_hours=[72, 24],
        capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the reminders leave the outbox on commit
        assert notifications.reminders_send() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(j.user.email for j in judges)
    assert ReminderSent.objects.count() == 4  # both lead times recorded for both judges
    assert notifications.reminders_send() == 0


def test_no_reminders_for_rounds_not_open_or_past_their_deadline(django_capture_on_commit_callbacks):
    judging_round, _applications, _judges = open_round(
        deadline=timezone.now() + timedelta(hours=1), reminder_hours=[24],
        capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    assert notifications.reminders_send(now=timezone.now() + timedelta(hours=2)) == 0  # the deadline has passed
    JudgingRound.objects.filter(pk=judging_round.pk).update(state=JudgingRound.State.CLOSED)
    assert notifications.reminders_send() == 0
    assert mail.outbox == []


def blind_round_with_titles_naming_the_city(capture):
    """An open blind round whose entries' titles name their city, as real titles often do."""
    edition, category, judging_round = one_category_round(
        k=1, blind=True, deadline=timezone.now() + timedelta(hours=10), reminder_hours=[24])
    applications = [
        eligible(edition, category, title=f"Cooler bus stops for Gwangju, district {i}",
                 organisation=OrganisationFactory(name=f"Gwangju Metropolitan City {i}", city="Gwangju",
                                                  country="KR"))
        for i in range(2)
    ]
    profiles = [judge(edition, expertise=[category], capacity=2) for _ in range(2)]
    assign(judging_round)
    with capture(execute=True):
        rounds.round_open(round=judging_round, user=None)
    judging_round.refresh_from_db()
    return judging_round, applications, profiles


def test_a_blind_rounds_assignment_email_withholds_the_city_named_in_a_title(django_capture_on_commit_callbacks):
    _round, applications, _judges = blind_round_with_titles_naming_the_city(django_capture_on_commit_callbacks)

    bodies = "\n".join(message.subject + message.body for message in mail.outbox)
    assert len(mail.outbox) == 2
    assert "Gwangju" not in bodies
    for application in applications:
        number = application.title.rsplit(" ", 1)[1]
        assert f"#{application.pk} Cooler bus stops for [withheld], district {number} (Human-centric)" in bodies


def test_a_blind_rounds_reminder_withholds_the_city_named_in_a_title(django_capture_on_commit_callbacks):
    _round, applications, judges = blind_round_with_titles_naming_the_city(django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the reminders leave the outbox on commit
        assert notifications.reminders_send() == 2
    bodies = "\n".join(message.subject + message.body for message in mail.outbox)
    assert "Gwangju" not in bodies
    assert bodies.count("Cooler bus stops for [withheld], district") == 2


def test_a_blind_rounds_replacement_email_withholds_the_city_named_in_a_title(django_capture_on_commit_callbacks):
    judging_round, applications, judges = blind_round_with_titles_naming_the_city(django_capture_on_commit_callbacks)
    newcomer = judge(judging_round.edition, expertise=[judging_round.categories.get()], capacity=2)
    assignment = Assignment.objects.filter(round=judging_round).select_related("judge__user").first()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        conflicts.assignment_declare_conflict(assignment=assignment, user=assignment.judge.user,
                                             reason="I advised this city last year")

    replacement = Assignment.objects.get(round=judging_round, source=Assignment.Source.REPLACEMENT)
    assert replacement.judge == newcomer
    assert [message.to for message in mail.outbox] == [[newcomer.user.email]]
    assert "Gwangju" not in mail.outbox[0].body
    assert f"#{assignment.application_id} Cooler bus stops for [withheld]" in mail.outbox[0].body
