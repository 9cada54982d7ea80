"""The assigner against a real Celery worker, PostgreSQL and Redis: duplicate delivery and a worker killed mid-way.

How the crash is made honest
----------------------------
`test_a_worker_killed_in_the_middle_of_the_write_is_retried_to_one_consistent_set` starts
a worker of its own (prefork, one child) and makes the child's write transaction wait on a
row lock this test holds, so the child is provably inside its write (PostgreSQL shows it
waiting in the DELETE). The test then kills the child with SIGKILL, as the kernel's OOM
killer would. Nothing in the code under test knows about the test: Celery's
acks_late + reject_on_worker_lost requeue the message through Redis, PostgreSQL rolls back
the dead child's transaction, and a fresh child runs the same task again. The test checks
that, in between, nothing of the half-done write is visible, and that the end state is
exactly one assignment set, the optimal one.

`test_a_run_that_crashed_after_reporting_progress_is_completed_by_the_worker` is the
lighter variant: the service runs in this process and "dies" (an exception raised from
its progress report, the only hook, which lives here) after it has reported progress;
the real worker then gets the same run and completes it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from config.celery_app import app
from judging.algorithms.assignment import solve_assignment
from judging.models import Assignment, AssignmentRun, JudgingRound
from judging.services import assignment_problem, assignment_runs, round_jobs
from judging.services import judges as judge_services
from judging.tasks.assignment import assign_round
from portal.models import AuditEntry
from tests.factories import CategoryFactory, EditionFactory
from tests.factories.assignment import eligible, judge
from tests.factories.judging import BidFactory, JudgingRoundFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ENTRIES, JUDGES, K = 60, 12, 3


def build_round() -> JudgingRound:
    edition = EditionFactory()
    categories = [CategoryFactory(edition=edition, name=name)
                  for name in ("Human-centric", "Tech-innovative", "Safety and resilience")]
    judging_round = JudgingRoundFactory(edition=edition, categories=categories, judges_per_entry=K)
    entries = [eligible(edition, categories[i % 3]) for i in range(ENTRIES)]
    judges = [judge(edition, expertise=[categories[i % 3]], capacity=20) for i in range(JUDGES)]
    for i, profile in enumerate(judges):
        BidFactory(judge=profile, application=entries[(i * 7) % ENTRIES], level="eager")
    return judging_round


def optimal_pairs(judging_round: JudgingRound) -> set[tuple[int, int]]:
    """The set an uninterrupted run must produce: solved here, from the same rows."""
    built = assignment_problem.round_problem(JudgingRound.objects.select_related("edition").get(pk=judging_round.pk))
    solution = solve_assignment(built.problem)
    pairs = {(int(built.entry_ids[i]), int(built.judge_ids[j])) for i, j in solution.pairs}
    return pairs | {(int(a), int(j)) for a, j in built.outside_pairs}


def assert_one_consistent_set(judging_round: JudgingRound, run: AssignmentRun) -> None:
    rows = list(Assignment.objects.filter(round=judging_round).values_list("application_id", "judge_id", "state"))
    active = [(a, j) for a, j, state in rows if state in Assignment.ACTIVE_STATES]
    assert len(active) == len(set(active)) == ENTRIES * K
    per_entry = np.bincount(np.unique([a for a, _j in active], return_inverse=True)[1])
    assert per_entry.tolist() == [K] * ENTRIES
    assert set(active) == optimal_pairs(judging_round)
    assert AuditEntry.objects.filter(action="round.assign", after__run=run.pk).count() == 1
    run.refresh_from_db()
    assert (run.state, run.progress, run.objective) == (AssignmentRun.State.SUCCEEDED, 100, run.bound)


def test_the_assign_task_delivered_twice_leaves_one_assignment_set(celery_worker_queue):
    assert connection.vendor == "postgresql"
    judging_round = build_round()
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)

    # Two deliveries of the same message to the real worker, and a third execution here, at the same time.
    first = assign_round.apply_async(kwargs={"run_id": run.pk})
    second = assign_round.apply_async(kwargs={"run_id": run.pk})
    here = assign_round.apply(kwargs={"run_id": run.pk}).get()

    outcomes = [first.get(timeout=120), second.get(timeout=120), here]
    assert outcomes == ["succeeded"] * 3, AssignmentRun.objects.get(pk=run.pk).error
    assert_one_consistent_set(judging_round, run)


def test_a_run_that_crashed_after_reporting_progress_is_completed_by_the_worker(celery_worker_queue, monkeypatch):
    judging_round = build_round()
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
    # The message's id, new on every run: Redis keeps a task's result for a day under its id, and a fixed id made
    # `result.get` return the previous run's "succeeded" at once, before the worker had even received this message.
    delivery = f"the-message-{uuid.uuid4().hex}"

    class WorkerDied(BaseException):
        """Not an Exception: nothing in the service may catch it, as nothing survives a SIGKILL."""

    report = assignment_runs._Progress.__call__

    def report_then_die(self, percent, message):
        report(self, percent, message)
        if message == assignment_runs.MESSAGE_SAVING:
            raise WorkerDied

    monkeypatch.setattr(assignment_runs._Progress, "__call__", report_then_die)
    with pytest.raises(WorkerDied):
        assignment_runs.round_assign(run=run, delivery=delivery)
    monkeypatch.undo()

    run.refresh_from_db()
    assert (run.state, run.progress, run.message) == (AssignmentRun.State.RUNNING, 95, assignment_runs.MESSAGE_SAVING)
    assert Assignment.objects.filter(round=judging_round).count() == 0

    # The re-delivery of the same message (same id), to the real worker: it takes the run over at once.
    result = assign_round.apply_async(kwargs={"run_id": run.pk}, task_id=delivery)

    assert result.get(timeout=120) == "succeeded", AssignmentRun.objects.get(pk=run.pk).error
    assert_one_consistent_set(judging_round, run)


def test_the_worker_survives_the_database_being_emptied_between_tests(celery_worker_queue):
    """Each transactional test empties the database, and the content types come back under new ids.

    A long-lived worker that cached the old ids failed the audit entry of the next run
    ("content type instance with id 26 is not a valid choice"); the test worker forgets them.
    """
    first_round = build_round()
    first = round_jobs.assignment_run_create(round=first_round, user=None, enqueue=False)
    assert assign_round.apply_async(kwargs={"run_id": first.pk}).get(timeout=120) == "succeeded"
    cached = ContentType.objects.get_for_model(JudgingRound).pk

    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)  # as between such tests
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(JudgingRound).pk != cached

    judging_round = build_round()
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
    assert assign_round.apply_async(kwargs={"run_id": run.pk}).get(timeout=120) == "succeeded", (
        AssignmentRun.objects.get(pk=run.pk).error
    )
    assert_one_consistent_set(judging_round, run)


# --- a real worker, really killed -----------------------------------------------------------------------


def _start_prefork_worker(queue: str, log_path, *, cwd) -> subprocess.Popen:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@{database['HOST']}:"
                        f"{database['PORT']}/{database['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "tests.celery_worker_app", "worker", "--pool=prefork", "--concurrency=1", "-Q", queue,
         "--loglevel=INFO", "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=cwd, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the prefork worker did not start; see {log_path}")
    return process


def _pool_children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _delete_waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is otherwise frozen per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM \"judging_assignment\"%%'"
        )
        return cursor.fetchone()[0] == 1


def test_a_worker_killed_in_the_middle_of_the_write_is_retried_to_one_consistent_set(celery_worker_queue, repo_root):
    judging_round = build_round()
    first = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
    assignment_runs.round_assign(run=first)
    before = set(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id"))
    # A judge leaves: the next run must delete their assignments (nobody started them) and give them to others.
    leaving = Assignment.objects.filter(round=judging_round).order_by("pk").first().judge
    judge_services.judge_profile_update(judge=leaving, actor=None, data={"active": False})
    run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)

    queue = f"portal-crash-{uuid.uuid4().hex[:8]}"
    log_path = repo_root / "var" / "test-celery-crash-worker.log"
    worker = _start_prefork_worker(queue, log_path, cwd=repo_root)
    try:
        [child] = _pool_children(worker.pid)
        with transaction.atomic():
            # Hold one of the leaving judge's rows: the worker's DELETE of it must wait, mid-transaction.
            Assignment.objects.select_for_update().filter(round=judging_round, judge=leaving).order_by("pk").first()
            result = assign_round.apply_async(kwargs={"run_id": run.pk}, queue=queue)
            _wait_for(_delete_waiting_on_a_lock, seconds=60, what="the worker's DELETE to wait on the lock")
            in_flight = AssignmentRun.objects.get(pk=run.pk)
            assert (in_flight.state, in_flight.progress) == (AssignmentRun.State.RUNNING, 95)

            os.kill(child, signal.SIGKILL)  # the worker dies inside its write transaction

            replacement = _wait_for(lambda: [c for c in _pool_children(worker.pid) if c != child], seconds=30,
                                    what="the pool to start a new child")
            # Nothing of the dead child's transaction is visible: the old set is intact, the run still running.
            assert set(Assignment.objects.filter(round=judging_round).values_list(
                "pk", "application_id", "judge_id")) == before
            assert AssignmentRun.objects.get(pk=run.pk).state == AssignmentRun.State.RUNNING
        # The lock is released: the dead child's transaction aborts, the requeued task runs in the new child.

        assert result.get(timeout=120) == "succeeded"
        assert replacement and replacement[0] != child
        assert "signal 9" in log_path.read_text()  # Celery saw the child die and requeued the message
        assert_one_consistent_set(judging_round, run)
        assert not Assignment.objects.filter(round=judging_round, judge=leaving,
                                             state__in=Assignment.ACTIVE_STATES).exists()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
