"""The driver-level upsert statements both stores share, differing only in placeholders.

SQLite's driver takes ``?`` and psycopg ``%s``; ``INSERT … ON CONFLICT … DO UPDATE SET
col = excluded.col`` is the same on both, so one builder serves the SQLite bar path and
the security upserts of either store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

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
