"""Writes many rows of one table in one statement: COPY on PostgreSQL, INSERT ... SELECT from
one JSON parameter on SQLite.

bulk_create splits its INSERT to stay under the database's limit on parameters (999 on
SQLite: about a hundred rows a statement), so a fan-out to thousands of recipients cost dozens
of statements a batch. The rows of a send() share most of their values; what differs per
row (the recipient, their address) travels as one JSON array, whatever the number of rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection


def _prepared(model, column: str, value):
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    return field.get_db_prep_save(value, connection)


def insert_rows(
    model, fixed: dict[str, object], columns: Sequence[str], rows: Sequence[Sequence]
) -> None:
    """Inserts one row per item of `rows` (values for `columns`), each also with the `fixed`
    column values. Every column the table requires must be named in one or the other: the
    rest are left NULL. One statement, on PostgreSQL or SQLite."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = [*fixed, *columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in names)
    if connection.vendor == "postgresql":
        constants = list(fixed.values())
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*constants, *row))
        return
    if connection.vendor == "sqlite":
        constants = [_prepared(model, c, v) for c, v in fixed.items()]
        per_row = [
            [_prepared(model, c, v) for c, v in zip(columns, row, strict=True)] for row in rows
        ]
        picks = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
        selected = ", ".join(["%s"] * len(constants) + ([picks] if picks else []))
        sql = f"INSERT INTO {table} ({quoted}) SELECT {selected} FROM json_each(%s)"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*constants, json.dumps(per_row)])
        return
    raise NotImplementedError(
        f"insert_rows on {connection.vendor}"
    )  # the project runs on these two


def update_rows(model, fixed: dict[str, object], columns: Sequence[str], rows: Sequence[Sequence]):
    """Sets the `fixed` column values and, per row, `columns` to the row's values on the rows
    whose id is the first item of each of `rows` ((id, value, ...)): one statement, with the
    per-row values as one JSON parameter (bulk_update builds a CASE per field and row, which
    took longer in Python than sending the email it confirmed). Values are text or numbers."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    constants = [_prepared(model, c, v) for c, v in fixed.items()]
    per_row = [
        [row[0], *(_prepared(model, c, v) for c, v in zip(columns, row[1:], strict=True))]
        for row in rows
    ]
    assignments = [f"{connection.ops.quote_name(c)} = %s" for c in fixed]
    if connection.vendor == "postgresql":
        picks = ", ".join(f"value->>{i + 1} AS v{i}" for i in range(len(columns)))
        source = f"SELECT (value->>0)::bigint AS id, {picks} FROM jsonb_array_elements(%s::jsonb)"
    else:
        picks = ", ".join(f"json_extract(value, '$[{i + 1}]') AS v{i}" for i in range(len(columns)))
        source = f"SELECT json_extract(value, '$[0]') AS id, {picks} FROM json_each(%s)"
    assignments += [f"{connection.ops.quote_name(c)} = changed.v{i}" for i, c in enumerate(columns)]
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} FROM ({source}) AS changed "
        f"WHERE {table}.id = changed.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, json.dumps(per_row)])
        return cursor.rowcount
