"""Database helpers shared by the apps' selectors and services."""

from django.db import connection


def fetch_rows(queryset) -> list[tuple]:
    """The rows of a values_list queryset through the raw cursor: no per-row model, dict or converter.

    Several times faster than iterating the queryset for thousands of rows. The values come as the database
    driver gives them: callers convert what differs between backends (SQLite returns booleans as 0/1).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
