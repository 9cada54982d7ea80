"""PortalTask: every task has a time limit, and a task that drives a run marks it failed when it gives up."""

import pytest
from django.db import OperationalError
from django.utils.module_loading import import_string

from config.celery_app import app
from judging.models import AggregationRun, AssignmentRun
from judging.tasks.assignment import assign_round
from judging.tasks.scoring import aggregate_round
from tests.factories.judging import JudgingRoundFactory
from worker.base import PortalTask

pytestmark = pytest.mark.django_db


def portal_tasks():
    app.loader.import_default_modules()
    return sorted((task for name, task in app.tasks.items() if not name.startswith("celery.")), key=lambda t: t.name)


def test_every_task_is_a_portal_task_with_a_time_limit():
    tasks = portal_tasks()
    assert {task.name for task in tasks} >= {"judging.assign_round", "judging.aggregate_round", "worker.heartbeat"}
    for task in tasks:
        assert isinstance(task, PortalTask), task.name
        assert 0 < task.soft_time_limit < task.time_limit, task.name
    assert (assign_round.soft_time_limit, assign_round.time_limit) == (1500, 1800)


def test_the_failure_services_named_by_tasks_exist():
    failing = {task.name: task.fails_run for task in portal_tasks() if task.fails_run}
    assert failing == {
        "judging.assign_round": "judging.services.assignment_runs.assignment_run_fail",
        "judging.aggregate_round": "judging.services.aggregation_runs.aggregation_run_fail",
        "judging.award_job_run": "judging.services.award_jobs.award_job_fail",
        "judging.group_mail_send": "judging.services.group_mail_sending.group_mail_fail",
    }
    for path in failing.values():
        assert callable(import_string(path))


@pytest.mark.parametrize(("task", "model"), [(assign_round, AssignmentRun), (aggregate_round, AggregationRun)])
def test_a_task_that_gives_up_marks_its_run_failed(task, model):
    run = model.objects.create(round=JudgingRoundFactory())
    task.on_failure(OperationalError("server closed the connection"), "task-id", (), {"run_id": run.pk}, None)
    run.refresh_from_db()
    assert (run.state, run.error) == ("failed", "OperationalError: server closed the connection")
