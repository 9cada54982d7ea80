"""The aggregation task against a real Celery worker, PostgreSQL and Redis: on commit, twice, and idempotent."""

import time

import pytest

from judging.models import AggregationRun, EntryResult, JudgeResult
from judging.services.round_jobs import aggregation_request
from judging.tasks.scoring import aggregate_round
from tests.factories.scoring import A, B, C, D, hand_world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(run: AggregationRun, timeout: float = 120) -> AggregationRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in (AggregationRun.State.SUCCEEDED, AggregationRun.State.FAILED):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run.pk} still {run.state} after {timeout} s")


def test_a_requested_run_is_computed_by_the_worker_after_commit(celery_worker_queue):
    world = hand_world()
    run = wait_for(aggregation_request(judging_round=world.round, user=None))
    assert (run.state, run.progress, run.reviews) == ("succeeded", 100, 9)
    corrected = {r.application_id: round(r.corrected, 9) for r in EntryResult.objects.filter(round=world.round)}
    assert corrected == {world.entries[A].pk: 8, world.entries[B].pk: 6, world.entries[C].pk: 6,
                         world.entries[D].pk: 4}


def test_the_task_delivered_twice_leaves_one_result_set(celery_worker_queue):
    world = hand_world()
    run = AggregationRun.objects.create(round=world.round)
    first = aggregate_round.apply_async(kwargs={"run_id": run.pk})
    second = aggregate_round.apply_async(kwargs={"run_id": run.pk})
    assert [first.get(timeout=120), second.get(timeout=120)] == ["succeeded", "succeeded"]
    assert (EntryResult.objects.filter(round=world.round).count(),
            JudgeResult.objects.filter(round=world.round).count()) == (4, 3)
