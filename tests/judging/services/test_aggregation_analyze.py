"""After a computation writes a round's results, the planner's statistics of the results' tables are refreshed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from judging.models import EntryResult, JudgeResult
from judging.services.aggregation import round_aggregate
from tests.factories.scoring import hand_world

pytestmark = pytest.mark.django_db

ANALYZE = (f'ANALYZE "{EntryResult._meta.db_table}" ("round_id", "category_id", "rank", "application_id"), '
           f'"{JudgeResult._meta.db_table}" ("round_id", "judge_id")')


def test_the_results_tables_are_analysed_once_the_results_are_committed(django_capture_on_commit_callbacks):
    """PostgreSQL: one ANALYZE of the columns the reads use, both tables, after the commit; SQLite keeps no statistics to refresh: none."""
    world = hand_world()
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            round_aggregate(judging_round=world.round)
        assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")] == []  # not before
        for callback in callbacks:
            callback()
    analysed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analysed == ([ANALYZE] if connection.vendor == "postgresql" else [])


@pytest.mark.integration
def test_postgresql_knows_how_many_results_there_are_right_after_a_computation(django_capture_on_commit_callbacks):
    """The planner's row estimate (pg_class.reltuples, which ANALYZE sets) is the table's true size at once, not
    what it was before the computation (the stale "1 row" that made the leaderboard's plan nested loops)."""
    world = hand_world()
    with django_capture_on_commit_callbacks(execute=True):
        round_aggregate(judging_round=world.round)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [EntryResult._meta.db_table])
        (estimate,) = cursor.fetchone()
    assert estimate == EntryResult.objects.count() == 4
