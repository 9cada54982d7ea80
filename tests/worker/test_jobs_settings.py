"""The broker settings that let a job survive its worker: late acknowledgement, requeue when a worker is lost,
and a visibility timeout longer than any task may run; the sweep of stalled jobs is on the beat schedule."""

import pytest
from django.conf import settings

from config.celery_app import app

JOB_TASKS = ("judging.assign_round", "judging.aggregate_round", "judging.award_job_run")


def test_the_visibility_timeout_outlasts_every_tasks_time_limit():
    app.loader.import_default_modules()
    limits = {name: task.time_limit for name, task in app.tasks.items() if getattr(task, "time_limit", None)}
    assert limits["judging.assign_round"] == 1800
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 3600
    assert timeout > max(limits.values())


def test_job_tasks_are_acknowledged_late_and_requeued_when_their_worker_is_lost():
    app.loader.import_default_modules()
    assert [(app.tasks[name].acks_late, app.tasks[name].reject_on_worker_lost) for name in JOB_TASKS] == [
        (True, True)] * 3
    assert (app.conf.task_acks_late, app.conf.task_reject_on_worker_lost, app.conf.worker_prefetch_multiplier) == (
        True, True, 1)


def test_the_beat_sweeps_stalled_jobs_more_often_than_a_job_stalls():
    entry = settings.CELERY_BEAT_SCHEDULE["worker-sweep-stalled-jobs"]
    assert entry == {"task": "worker.sweep_stalled_jobs", "schedule": settings.PORTAL_JOB_SWEEP_SECONDS}
    assert "worker.sweep_stalled_jobs" in app.tasks
    assert settings.PORTAL_JOB_PULSE_SECONDS * 3 < settings.PORTAL_JOB_STALL_SECONDS  # a live job never looks stalled
    assert settings.PORTAL_JOB_SWEEP_SECONDS < settings.PORTAL_JOB_STALL_SECONDS


@pytest.mark.django_db
def test_the_beat_task_fails_a_stalled_run_without_attempts_left(settings):
    from datetime import timedelta

    from django.utils import timezone

    from judging.models import AssignmentRun
    from tests.factories.scoring import make_world
    from worker.tasks import sweep_stalled_jobs

    settings.PORTAL_JOB_MAX_ATTEMPTS = 1
    run = AssignmentRun.objects.create(round=make_world().round, state="running", attempts=1,
                                       heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert sweep_stalled_jobs.apply().get() == {"requeued": 0, "failed": 1}
    assert AssignmentRun.objects.get(pk=run.pk).state == "failed"


def test_the_broker_looks_for_the_messages_of_dead_workers_several_times_per_visibility_timeout():
    """Kombu 5.7's defaults look only every 10 x 10 s: a short timeout's message came back 100 s late or never."""
    options = app.conf.broker_transport_options
    sweep_period = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert (options["unacked_restore_throttle"], sweep_period) == (1, 10)
    assert sweep_period * 3 <= options["visibility_timeout"]
