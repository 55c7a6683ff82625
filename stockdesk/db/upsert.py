"""The driver-level upsert statements both stores share, differing only in placeholders.

SQLite's driver takes ``?`` and psycopg ``%s``; ``INSERT … ON CONFLICT … DO UPDATE SET
col = excluded.col`` is the same on both, so one builder serves the SQLite bar path and
the security upserts of either store; :func:`upsert_rows` builds the same statement through
SQLAlchemy Core for the tables whose rows are few.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from stockdesk.domain.values import Security

SECURITY_COLUMNS = tuple(field.name for field in dataclasses.fields(Security))
"""Columns of ``security``, in the order of the :class:`Security` fields."""


def upsert_values(table: str, columns: Sequence[str], key: Sequence[str], placeholder: str) -> str:
    """``INSERT`` one row of ``columns`` into ``table``; on a ``key`` conflict, update the
    other columns in place (re-storing never duplicates)."""
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join([placeholder] * len(columns))}) " + on_conflict_update(columns, key)
    )


def on_conflict_update(columns: Sequence[str], key: Sequence[str]) -> str:
    """The ``ON CONFLICT`` clause that updates every column but the ``key`` in place."""
    return f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET " + ", ".join(
        f"{name} = excluded.{name}" for name in columns if name not in key
    )


def upsert_rows(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> None:
    """Insert ``rows`` (dicts of ``table``'s columns) in the caller's transaction; on a
    ``key`` conflict, update the other columns in place (or leave the row when there are
    none). Through SQLAlchemy Core with typed parameters, for the small tables whose rows
    are one per stock or per day; the bars take the driver-level path above."""
    if not rows:
        return
    build = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = build(table)
    others = [name for name in rows[0] if name not in key]
    if others:
        statement = statement.on_conflict_do_update(
            index_elements=list(key), set_={name: statement.excluded[name] for name in others}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    connection.execute(statement, list(rows))
