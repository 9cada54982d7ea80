"""Proof that a refused POST changed nothing: the row count of every table the portal keeps (one query), and the
statements the request sent (no INSERT, UPDATE or DELETE, which also catches an update that leaves counts alone).

A hash of every row of every table, before and after each of the thousands of POSTs, took most of the matrix's
time; the write statements prove more (an update of one column shows) for one query instead of sixty.
"""

import re
from contextlib import contextmanager

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

# Every app whose rows a request could change.
APPS = ("portal", "submissions", "judging", "worker", "account", "mfa", "auth")
# A refused request may still save its own session (a message to show on the next page); nothing else.
IGNORED_TABLES = ("django_session",)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _tables() -> list[str]:
    return sorted({model._meta.db_table for config in apps.get_app_configs() if config.label in APPS
                   for model in config.get_models(include_auto_created=True)})


def row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    tables = _tables()
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {quote(table)}" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


@contextmanager
def changes_nothing(what: str):
    """Fail when the block writes a row (any table but the session's) or changes any table's row count."""
    before = row_counts()
    with CaptureQueriesContext(connection) as captured:
        yield
    writes = [query["sql"] for query in captured.captured_queries
              if WRITE.match(query["sql"]) and not any(table in query["sql"] for table in IGNORED_TABLES)]
    assert writes == [], f"{what} wrote to the database: {writes[:3]}"
    after = row_counts()
    assert {t: (before[t], after[t]) for t in before if before[t] != after[t]} == {}, f"{what} changed row counts"
