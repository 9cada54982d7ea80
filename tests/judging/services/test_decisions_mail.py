"""The decision e-mails: each sent exactly once, in each member's language; winners and the others; failures."""

import pytest
from django.core import mail
from django.utils import timezone

from judging.models import AwardJob, DecisionNotice
from judging.selectors.ceremony import decision_notice_counts
from judging.services.ceremony_jobs import award_job_start
from judging.services.decisions_mail import decisions_send
from judging.tasks.awards import award_job_run
from tests.factories import ReviewFactory
from tests.factories.ceremony import ceremony_edition
from worker.models import OutboxMessage
from worker.outbox import outbox_relay

pytestmark = pytest.mark.django_db

REACHED = ["gold", "silver", "mention", "other", "ineligible"]


def _addresses(world, *keys) -> list[str]:
    return sorted(user.email for key in keys for user in world.members[key])


def _start(world, capture) -> AwardJob:
    with capture(execute=True):
        job = award_job_start(edition=world.edition, kind=AwardJob.Kind.NOTIFY, user=world.chair)
    job.refresh_from_db()
    return job


def test_every_applicant_who_submitted_hears_once_even_when_the_task_runs_twice(
        django_capture_on_commit_callbacks):
    world = ceremony_edition()
    job = _start(world, django_capture_on_commit_callbacks)
    assert (job.state, job.progress, job.error) == (AwardJob.State.SUCCEEDED, 100, "")
    assert sorted(message.to[0] for message in mail.outbox) == _addresses(world, *REACHED)
    award_job_run(run_id=job.pk)  # the same message delivered again
    award_job_run(run_id=job.pk)
    assert len(mail.outbox) == len(_addresses(world, *REACHED))
    # Drafts and withdrawn applications hear nothing, and have no notice.
    assert not DecisionNotice.objects.filter(application__in=[world.draft_entry, world.withdrawn_entry]).exists()
    assert DecisionNotice.objects.filter(sent_at__isnull=False).count() == 5


def test_a_second_run_of_the_same_job_sends_nothing(django_capture_on_commit_callbacks):
    """Two workers on one job (or a redelivery while it runs): each notice goes to whoever claimed it."""
    world = ceremony_edition()
    job = _start(world, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    job.edition = world.edition
    assert decisions_send(job=job, progress=lambda percent, message: None) == []
    assert len(mail.outbox) == sent


def test_each_member_reads_the_decision_in_their_own_language(django_capture_on_commit_callbacks):
    world = ceremony_edition()
    _start(world, django_capture_on_commit_callbacks)
    korean, english = world.members["gold"]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "수상" in by_address[korean.email].subject
    assert "금상" in by_address[korean.email].body
    assert "awarded" in by_address[english.email].subject
    assert "Gold, category Human-centric" in by_address[english.email].body
    # No language chosen: the site's default (English).
    assert "not received an award" in by_address[world.members["other"][0].email].body


def test_winners_read_their_prize_the_others_a_courteous_no_and_nobody_a_score_or_a_judge(
        django_capture_on_commit_callbacks):
    world = ceremony_edition()
    review = ReviewFactory(assignment__application=world.other_entry, weighted_total=7.25,
                           assignment__judge__user__name="Judge Zebulon Quist",
                           committee_comment="committee-only remark")
    _start(world, django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mail.outbox}
    gold = by_address[world.members["gold"][1].email].body
    mention = by_address[world.members["mention"][0].email].body
    other = by_address[world.members["other"][0].email].body
    assert "Special mention" in mention and "“For a budget every resident can read.”" in mention
    assert "Thank you for entering “Smart benches”" in other
    assert f"/scoring/feedback/{world.gold_entry.pk}/" in gold
    assert f"/scoring/feedback/{world.other_entry.pk}/" in other
    for body in by_address.values():
        assert f"/editions/{world.edition.slug}/results/" in body.body
        for secret in ("7.25", "Zebulon", "committee-only", review.assignment.judge.user.email):
            assert secret not in body.body and secret not in body.subject


def test_a_refused_address_waits_in_the_outbox_and_is_retried_alone(settings, django_capture_on_commit_callbacks):
    world = ceremony_edition()
    assert decision_notice_counts(edition=world.edition) == {"applicants": 5, "sent": 0, "failed": 0}
    settings.EMAIL_BACKEND = "tests.factories.mail.RefusingEmailBackend"
    refused = world.members["gold"][1]
    refused.email = "bounce@example.org"
    refused.save()
    job = _start(world, django_capture_on_commit_callbacks)
    # Every notice was written; everyone else got theirs; the refused mailbox waits in the outbox with its error.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(_addresses(world, *REACHED)) - {"bounce@example.org"})
    assert (job.state, job.error) == (AwardJob.State.SUCCEEDED, "")
    assert decision_notice_counts(edition=world.edition) == {"applicants": 5, "sent": 5, "failed": 0}
    waiting = OutboxMessage.objects.get(kind="email", state="pending")
    assert (waiting.recipient, waiting.attempts, waiting.edition_id) == ("bounce@example.org", 1, world.edition.pk)
    assert "SMTPRecipientsRefused" in waiting.last_error
    notice = DecisionNotice.objects.get(application=world.gold_entry)
    assert notice.recipients == [world.members["gold"][0].email, "bounce@example.org"]
    # The mailbox comes back; once the row is due the relay writes to it, and only to it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert outbox_relay() == 0  # not due yet: backoff
    OutboxMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_relay() == 1
    assert [m.to for m in mail.outbox] == [["bounce@example.org"]]
    assert OutboxMessage.objects.filter(kind="email").exclude(state="done").count() == 0


def test_progress_is_reported_in_batches(settings, django_capture_on_commit_callbacks, monkeypatch):
    from judging.services import award_jobs, decisions_mail

    monkeypatch.setattr(decisions_mail, "MAIL_BATCH", 2)
    reported = []
    real = award_jobs.award_job_progress
    monkeypatch.setattr(award_jobs, "award_job_progress",
                        lambda *, job, percent, message: reported.append(percent) or real(job=job, percent=percent,
                                                                                          message=message))
    world = ceremony_edition()
    _start(world, django_capture_on_commit_callbacks)
    assert reported == [0, 40, 80, 100]
