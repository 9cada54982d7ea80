"""Bulk reads and writes of plain rows through PostgreSQL's COPY, for the aggregation's large recomputes.

`fetch_integers` reads integer columns as one numpy array; `write_rows` inserts rows with
binary COPY. Elsewhere (SQLite) both fall back to `portal.db.fetch_rows` and `bulk_create`.
"""

from __future__ import annotations

import json

import numpy as np
from django.db import connection
from psycopg.types.json import set_json_dumps

from portal.db import fetch_rows

WRITE_BATCH = 2000

_BINARY_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00"


def fetch_integers(queryset, width: int) -> np.ndarray:
    """The rows of a values_list queryset of `width` integer columns as an (n, width) int64 array.

    On PostgreSQL the rows come as one two-dimensional int8 array in one binary COPY message, read straight
    into numpy: 180,000 score rows in a few hundredths of a second instead of a tenth for the tuples (our
    own ~25 lines: psycopg's readers build a Python object per value). Elsewhere through `fetch_rows`.
    NULLs are refused, not guessed.
    """
    if connection.vendor != "postgresql":
        rows = fetch_rows(queryset)
        return np.array(rows, dtype=np.int64).reshape(len(rows), width)
    sql, params = queryset.query.sql_with_params()
    names = [f"c{i}" for i in range(width)]
    row = ", ".join(f"{name}::int8" for name in names)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY (SELECT array_agg(ARRAY[{row}]) FROM ({sql}) AS q ({', '.join(names)})) TO STDOUT (FORMAT BINARY)",
            params,
        ) as copy:
            data = b"".join(bytes(block) for block in copy)
    if not data.startswith(_BINARY_COPY_HEADER):
        raise ValueError("unexpected COPY BINARY header")
    at = 19 + int.from_bytes(data[15:19], "big")  # past the signature, flags and header extension
    field_length = int.from_bytes(data[at + 2:at + 6], "big", signed=True)
    if field_length < 0:  # array_agg of no rows is NULL
        return np.zeros((0, width), dtype=np.int64)
    array = memoryview(data)[at + 6:at + 6 + field_length]
    ndim, has_null = int.from_bytes(array[0:4], "big"), int.from_bytes(array[4:8], "big")
    if ndim != 2 or has_null:
        raise ValueError("NULL or malformed value in an integer COPY")
    rows, columns = int.from_bytes(array[12:16], "big"), int.from_bytes(array[20:24], "big")
    cells = np.frombuffer(array[28:], dtype=np.dtype([("length", ">i4"), ("value", ">i8")]))
    if columns != width or cells.size != rows * width or (cells["length"] != 8).any():
        raise ValueError("NULL or malformed value in an integer COPY")
    return cells["value"].astype(np.int64).reshape(rows, width)


# PostgreSQL's binary COPY type of each column type Django creates for the fields the writers use.
_BINARY_TYPES = {"bigint": "int8", "integer": "int4", "smallint": "int2", "double precision": "float8",
                 "boolean": "bool", "jsonb": "jsonb", "text": "text"}


def _binary_type(field) -> str:
    db_type = field.db_type(connection)
    if db_type.startswith("varchar"):
        return "varchar"
    try:
        return _BINARY_TYPES[db_type]
    except KeyError:
        raise ValueError(f"no binary COPY type for {field.name} ({db_type})") from None


def copy_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert rows with PostgreSQL's binary COPY: each value is sent as the column's own binary form.

    Why binary: the text format formatted every float with repr and had the server parse it back (a third of
    the results' write for 10,000 entries); binary values are the float's 8 bytes, exact by construction.
    JSON values come already serialised as text and go in as such (jsonb parses them once, as from text COPY).
    """
    meta = model._meta
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    columns = ", ".join(quote(field.column) for field in model_fields)
    with connection.cursor() as cursor:
        psycopg_cursor = cursor.cursor
        # Scoped to this cursor: its str values for jsonb columns are JSON text already, not strings to quote.
        set_json_dumps(_as_is, context=psycopg_cursor)
        with psycopg_cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_binary_type(field) for field in model_fields])
            for row in rows:
                copy.write_row(row)


def _as_is(text: str) -> str:
    return text


def create_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert rows with the ORM's bulk_create (SQLite, and the reference the COPY writer is tested against)."""
    meta = model._meta
    attnames = [meta.get_field(name).attname for name in fields]
    json_columns = [i for i, name in enumerate(fields) if meta.get_field(name).get_internal_type() == "JSONField"]
    objects = []
    for row in rows:
        values = list(row)
        for i in json_columns:
            values[i] = json.loads(values[i])
        objects.append(model(**dict(zip(attnames, values, strict=True))))
    model.objects.bulk_create(objects, batch_size=WRITE_BATCH)


def write_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert rows: binary COPY on PostgreSQL (10,000 results in a few hundredths of a second), bulk_create
    elsewhere. Django's bulk_create on PostgreSQL spends most of its time adapting values in Python; COPY
    streams them. JSON values come already serialised as text."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        copy_rows(model, fields, rows)
    else:
        create_rows(model, fields, rows)
