"""Reading rows back in the engine tests, on SQLite and PostgreSQL alike.

Through SQLAlchemy's plain ``text()`` queries, not the app's models, and with dates as
the ISO text SQLite stores (PostgreSQL hands back ``date`` objects), so one expected
value serves both stores. :func:`execute` changes rows the same way, for a test that
sets up what another program (or a crash) would have left.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from stockdesk.db.database import Database


def read_rows(database: Database, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (``:name`` parameters) with dates as ISO text."""
    with database.engine.connect() as connection:
        return [
            tuple(value.isoformat() if isinstance(value, dt.date) else value for value in row)
            for row in connection.execute(text(sql), params)
        ]


def execute(database: Database, sql: str, **params: Any) -> int:
    """Run one changing statement (``:name`` parameters) in its own transaction; returns
    the number of rows it changed."""
    with database.engine.begin() as connection:
        return connection.execute(text(sql), params).rowcount
