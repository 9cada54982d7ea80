"""The awards job task: ids in, one service call; a job that is gone, finished, or given up on."""

import pytest
from django.db import OperationalError

from judging.models import AwardJob
from judging.tasks.awards import award_job_run
from tests.factories import AwardJobFactory

pytestmark = pytest.mark.django_db


def test_a_job_that_is_gone_is_nothing_to_do():
    assert award_job_run(run_id=10**9) == "gone"


def test_a_finished_job_is_not_run_again():
    job = AwardJobFactory(state=AwardJob.State.SUCCEEDED, progress=100)
    assert award_job_run(run_id=job.pk) == AwardJob.State.SUCCEEDED


def test_a_task_that_gives_up_marks_its_job_failed_and_retryable():
    job = AwardJobFactory(state=AwardJob.State.RUNNING, progress=30)
    award_job_run.on_failure(OperationalError("server closed the connection"), "task-id", (), {"run_id": job.pk}, None)
    job.refresh_from_db()
    assert job.state == AwardJob.State.FAILED
    assert job.error == "OperationalError: server closed the connection"
    assert (award_job_run.soft_time_limit, award_job_run.time_limit) == (1200, 1500)
