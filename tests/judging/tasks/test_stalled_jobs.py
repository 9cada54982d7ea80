"""Jobs that survive their worker, in-process: when a job counts as stalled, what the sweep does with it, who may
take a job over, the pulse, and re-runs of a half-done job ending as one clean run (the idempotent steps).

The same with real worker processes killed by SIGKILL: tests/worker/test_jobs_killed_worker.py.
"""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from judging.models import AggregationRun, Assignment, AssignmentRun, AwardJob, DecisionNotice, EntryResult, JudgeResult
from judging.services import aggregation, assignment_runs, award_jobs, ceremony_jobs, decisions_mail, round_jobs
from judging.services.job_sweep import jobs_sweep_stalled
from judging.services.stalled_jobs import job_pulse
from portal.models import AuditEntry, Edition
from tests.factories import EditionRoleFactory
from tests.factories.assignment import active_pairs, assign, eligible, judge, one_category_round
from tests.factories.ceremony import ceremony_edition
from tests.factories.scoring import hand_world, make_world
from worker.models import OutboxMessage
from worker.outbox import outbox_relay

pytestmark = pytest.mark.django_db

RUNNING_TEXT = "Running"
STOPPED = "its worker has given no sign of life for minutes"


class WorkerDied(BaseException):
    """Not an Exception: nothing in the service may catch it, as nothing survives a SIGKILL."""


def _silent_for(job, minutes: float) -> None:
    """The job's worker last gave a sign of life `minutes` ago (and took the job then)."""
    then = timezone.now() - timedelta(minutes=minutes)
    type(job).objects.filter(pk=job.pk).update(heartbeat_at=then, started_at=then)
    job.refresh_from_db()


def _assigner_round(entries: int = 8, judges: int = 4):
    edition, category, judging_round = one_category_round(k=2)
    for _ in range(entries):
        eligible(edition, category)
    for i in range(judges):
        judge(edition, expertise=[category] if i % 2 else [], capacity=entries)
    return judging_round


def _results(judging_round) -> tuple[list, list]:
    entries = sorted(EntryResult.objects.filter(round=judging_round).values_list(
        "application_id", "n_reviews", "mean", "corrected", "rank", "tied"))
    judges = sorted(JudgeResult.objects.filter(round=judging_round).values_list("judge_id", "n_reviews", "offset"))
    return entries, judges


# --- when a job is stalled --------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [AssignmentRun, AggregationRun, AwardJob])
def test_a_running_job_is_stalled_once_its_worker_is_silent_longer_than_the_bound(model, settings):
    settings.PORTAL_JOB_STALL_SECONDS = 180
    owner = {AssignmentRun: lambda: {"round": make_world().round}, AggregationRun: lambda: {"round": make_world().round},
             AwardJob: lambda: {"edition": ceremony_edition().edition, "kind": "notify"}}[model]()
    fresh = model.objects.create(state="running", heartbeat_at=timezone.now() - timedelta(seconds=170), **owner)
    silent = model.objects.create(state="running", heartbeat_at=timezone.now() - timedelta(seconds=190), **owner)
    never_beat = model.objects.create(state="running", started_at=timezone.now() - timedelta(minutes=5), **owner)
    waiting = model.objects.create(state="pending", **owner)
    model.objects.filter(pk=waiting.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    done = model.objects.create(state="succeeded", heartbeat_at=timezone.now() - timedelta(hours=2), **owner)

    assert sorted(model.objects.stalled().values_list("pk", flat=True)) == [silent.pk, never_beat.pk]
    assert [model.objects.get(pk=job.pk).is_stalled for job in (fresh, silent, never_beat, waiting, done)] == [
        False, True, True, False, False]
    assert sorted(model.objects.alive(("pending", "running")).values_list("pk", flat=True)) == [fresh.pk, waiting.pk]
    settings.PORTAL_JOB_STALL_SECONDS = 600  # the bound is a setting
    assert list(model.objects.stalled()) == []


# --- who may take a job ----------------------------------------------------------------------------------------------


def test_the_same_message_coming_back_takes_its_run_over_and_another_message_does_not_claim_it(settings):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 2
    run = round_jobs.assignment_run_create(round=_assigner_round(), user=None, enqueue=False)
    taken = assignment_runs._run_claim(run.pk, "message-1")
    assert (taken.state, taken.attempts, taken.delivery) == ("running", 1, "message-1")

    duplicate = assignment_runs._run_claim(run.pk, "message-2")  # a second message while message-1's worker lives
    run.refresh_from_db()
    assert (duplicate.pk, run.attempts, run.delivery) == (run.pk, 1, "message-1")

    again = assignment_runs._run_claim(run.pk, "message-1")  # the broker gave message-1 back: its worker died
    assert (again.state, again.attempts, again.delivery) == ("running", 2, "message-1")

    # Lost twice: the third time the message comes back the run fails instead of killing worker after worker.
    assert assignment_runs._run_claim(run.pk, "message-1") is None
    run.refresh_from_db()
    assert run.state == "failed" and "stopped before it finished (it was started 2 times)" in run.error


# --- the sweep ----------------------------------------------------------------------------------------------------


def test_the_sweep_sends_a_stalled_assignment_run_again_and_it_ends_as_one_clean_run(
        settings, django_capture_on_commit_callbacks):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 2
    judging_round = _assigner_round()
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
    assignment_runs._run_claim(run.pk, "dead-worker")
    assignment_runs._Progress(run.pk)(30, "Solving with balanced loads")
    _silent_for(run, 4)

    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert jobs_sweep_stalled() == {"requeued": 1, "failed": 0}
    assert len(sent) == 1  # the task, sent after commit (eager here: it ran)
    run.refresh_from_db()
    assert (run.state, run.attempts, run.progress) == ("succeeded", 2, 100)
    after_rerun = active_pairs(judging_round)
    assert AuditEntry.objects.filter(action="round.assign_stalled", after__outcome="requeued").count() == 1

    clean = assign(judging_round)  # a clean run of the same round changes nothing: the re-run wrote its result
    assert clean.state == "succeeded" and active_pairs(judging_round) == after_rerun
    assert AuditEntry.objects.filter(action="round.assign", after__run=clean.pk).get().after["added"] == 0
    assert len(after_rerun) == 8 * 2


def test_a_stalled_run_without_attempts_left_is_failed_and_the_round_page_offers_try_again(client, login, settings):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 2
    world = make_world(state="assigning", edition_state="screening")
    run = AssignmentRun.objects.create(round=world.round, state="running", progress=30, attempts=2)
    _silent_for(run, 10)

    assert jobs_sweep_stalled() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.state == "failed" and run.finished_at is not None
    login(world.role("secretariat"))
    body = client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/").content.decode()
    retry_url = f"/e/{world.edition.slug}/rounds/{world.round.pk}/runs/{run.pk}/retry/"
    assert "stopped before it finished (it was started 2 times)" in body and f'action="{retry_url}"' in body
    assert RUNNING_TEXT not in body
    client.post(retry_url)
    assert list(AssignmentRun.objects.filter(round=world.round).values_list("state", flat=True)) == [
        "pending", "failed"]


def test_the_sweep_leaves_live_and_waiting_jobs_alone(settings):
    world = make_world()
    live = AssignmentRun.objects.create(round=world.round, state="running", heartbeat_at=timezone.now())
    waiting = AggregationRun.objects.create(round=world.round)
    assert jobs_sweep_stalled() == {"requeued": 0, "failed": 0}
    assert [AssignmentRun.objects.get(pk=live.pk).state, AggregationRun.objects.get(pk=waiting.pk).state] == [
        "running", "pending"]


def test_the_sweep_computes_a_stalled_aggregation_again_to_the_same_results(django_capture_on_commit_callbacks):
    world = hand_world()
    clean = aggregation.aggregation_run_execute(run=AggregationRun.objects.create(round=world.round))
    expected = _results(world.round)
    run = AggregationRun.objects.create(round=world.round)
    from judging.services.aggregation_runs import aggregation_run_claim, aggregation_run_progress
    aggregation_run_progress(aggregation_run_claim(run_id=run.pk, delivery="dead"), 30)
    _silent_for(run, 5)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep_stalled() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert (clean.state, run.state, run.attempts, run.reviews) == ("succeeded", "succeeded", 2, 9)
    assert _results(world.round) == expected and len(expected[0]) == 4


def test_the_sweep_sends_a_stalled_award_job_again_and_each_decision_goes_out_once(
        settings, django_capture_on_commit_callbacks):
    world = ceremony_edition()
    with django_capture_on_commit_callbacks(execute=False):
        job = ceremony_jobs.award_job_start(edition=world.edition, kind="notify", user=world.chair)
    real = decisions_mail._write_notice
    written = []

    def write_then_die(notice, **kwargs):
        failure = real(notice, **kwargs)
        written.append(notice.pk)
        if len(written) == 2:
            raise WorkerDied
        return failure

    settings.PORTAL_JOB_MAX_ATTEMPTS = 2
    decisions_mail._write_notice, previous = write_then_die, decisions_mail._write_notice
    try:
        with pytest.raises(WorkerDied):
            award_jobs.award_job_execute(job=job, delivery="dead")
    finally:
        decisions_mail._write_notice = previous
    emails = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.EMAIL, edition=world.edition)
    first_written = emails.count()
    _silent_for(job, 5)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep_stalled() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 2)
    outbox_relay()  # the e-mails leave through the outbox, each row once
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert len(recipients) == len(set(recipients)) == 6 and 0 < first_written < 6  # each member once, in all
    assert emails.count() == 6
    assert DecisionNotice.objects.filter(application__edition=world.edition, sent_at__isnull=True).count() == 0


# --- re-running a job: the same result as one clean run -------------------------------------------------------------


def test_running_the_assigner_twice_on_the_same_run_writes_once():
    judging_round = _assigner_round()
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
    first = assignment_runs.round_assign(run=run, delivery="m")
    rows = sorted(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id"))
    second = assignment_runs.round_assign(run=run, delivery="m")
    assert (first.state, second.state, second.attempts) == ("succeeded", "succeeded", 1)
    assert sorted(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id")) == rows
    assert AuditEntry.objects.filter(action="round.assign", after__run=run.pk).count() == 1


def test_an_assigner_run_killed_inside_its_write_ends_as_one_clean_run(monkeypatch):
    judging_round = _assigner_round()
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)

    def die(**_kwargs):
        raise WorkerDied

    monkeypatch.setattr(assignment_runs, "queues_place", die)  # after the rows are written, before the commit
    with pytest.raises(WorkerDied):
        assignment_runs.round_assign(run=run, delivery="m")
    monkeypatch.undo()
    assert Assignment.objects.filter(round=judging_round).count() == 0  # nothing half-written
    assert AssignmentRun.objects.get(pk=run.pk).state == "running"

    again = assignment_runs.round_assign(run=run, delivery="m")  # the same message back
    rerun = active_pairs(judging_round)
    clean = assign(judging_round)
    assert (again.state, again.attempts, clean.state) == ("succeeded", 2, "succeeded")
    assert active_pairs(judging_round) == rerun and len(rerun) == 16
    assert AuditEntry.objects.filter(action="round.assign", after__run=clean.pk).get().after["added"] == 0


def test_computing_the_results_twice_on_the_same_run_gives_the_same_rows():
    world = hand_world()
    run = AggregationRun.objects.create(round=world.round)
    aggregation.aggregation_run_execute(run=run, delivery="m")
    first = _results(world.round)
    ids = sorted(EntryResult.objects.filter(round=world.round).values_list("pk", flat=True))
    again = aggregation.aggregation_run_execute(run=AggregationRun.objects.get(pk=run.pk), delivery="m")
    assert again.state == "succeeded" and _results(world.round) == first
    assert sorted(EntryResult.objects.filter(round=world.round).values_list("pk", flat=True)) == ids  # not redone


# --- the page, read-only ---------------------------------------------------------------------------------------------


def test_a_stalled_assigner_run_never_says_running_and_offers_try_again(client, login):
    world = make_world(state="assigning", edition_state="screening")
    run = AssignmentRun.objects.create(round=world.round, state="running", progress=30, message="Reading the round",
                                       attempts=1)
    _silent_for(run, 5)
    login(world.role("secretariat"))
    body = client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/").content.decode()
    assert 'data-state="stalled"' in body and "Stopped at 30%" in body and STOPPED in body
    assert "Running:" not in body
    slug = world.edition.slug
    partial = client.get(f"/e/{slug}/rounds/{world.round.pk}/runs/{run.pk}/progress/").content.decode()
    assert "Stopped at 30%" in partial and "Running" not in partial
    assert AssignmentRun.objects.get(pk=run.pk).state == "running"  # reading the page changed nothing
    client.post(f"/e/{slug}/rounds/{world.round.pk}/runs/{run.pk}/retry/")
    assert sorted(AssignmentRun.objects.values_list("state", flat=True)) == ["failed", "pending"]


def test_a_stalled_computation_never_says_running_and_offers_try_again(client, login):
    world = make_world(state="closed")
    run = AggregationRun.objects.create(round=world.round, state="running", progress=40)
    _silent_for(run, 5)
    login(world.role("secretariat"))
    body = client.get(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/").content.decode()
    assert "The computation of the results stopped: its worker gave no sign of life." in body
    assert "Stopped at 40%" in body and "being computed" not in body and "Running" not in body
    client.post(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/runs/{run.pk}/retry/")
    assert sorted(AggregationRun.objects.values_list("state", flat=True)) == ["failed", "pending"]


def test_a_stalled_award_job_offers_try_again_and_the_retry_shows_its_real_times(client, login, settings):
    world = ceremony_edition(state=Edition.State.PUBLISHED)
    job = AwardJob.objects.create(edition=world.edition, kind="notify", state="running", progress=50, attempts=1)
    AwardJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=3),
                                              queued_at=timezone.now() - timedelta(hours=3))
    _silent_for(job, 170)
    login(world.chair)
    body = client.get(f"/e/{world.edition.slug}/awards/jobs/").content.decode()
    assert "Stopped at 50%" in body and "Running" not in body
    client.post(f"/e/{world.edition.slug}/awards/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert (job.state, job.attempts, job.started_at, job.heartbeat_at) == ("pending", 0, None, None)
    assert timezone.now() - job.queued_at < timedelta(seconds=30)
    body = client.get(f"/e/{world.edition.slug}/awards/jobs/").content.decode()
    assert "Queued less than a minute ago." in body and "queued again" in body
    assert "Queued 180 minutes ago." not in body


def test_the_cockpit_does_not_call_a_stalled_assigner_run_still_running(client, login):
    world = make_world(state="assigning", edition_state="screening")
    EditionRoleFactory(edition=world.edition, role="secretariat")
    run = AssignmentRun.objects.create(round=world.round, state="running", progress=30)
    login(world.role("secretariat"))
    assert "The assigner is still running" in client.get(f"/e/{world.edition.slug}/").content.decode()
    _silent_for(run, 5)
    assert "The assigner is still running" not in client.get(f"/e/{world.edition.slug}/").content.decode()


# --- the pulse ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_pulse_beats_while_the_job_works_and_stops_after(settings):
    settings.PORTAL_JOB_PULSE_SECONDS = 0.05
    run = AssignmentRun.objects.create(round=make_world().round, state="running")
    with job_pulse(AssignmentRun, run.pk):
        deadline = time.monotonic() + 10
        while AssignmentRun.objects.get(pk=run.pk).heartbeat_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
    last = AssignmentRun.objects.get(pk=run.pk).heartbeat_at
    time.sleep(0.3)
    assert last is not None and AssignmentRun.objects.get(pk=run.pk).heartbeat_at == last


def test_a_stalled_job_says_it_stopped_in_korean(client, login):
    world = make_world(state="closed")
    run = AggregationRun.objects.create(round=world.round, state="running", progress=40)
    _silent_for(run, 5)
    login(world.role("secretariat"))
    client.cookies["django_language"] = "ko"
    body = client.get(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/").content.decode()
    assert "40%에서 멈춤: 작업자가 몇 분째 응답이 없습니다." in body
    assert "결과 계산이 멈췄습니다. 작업자가 응답하지 않았습니다." in body and "실행 중" not in body
