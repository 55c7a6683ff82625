"""Storing weekly, monthly and minute bars in ``period_bar`` and ``minute_bar``.

The daily path (:mod:`stockdesk.db.barstore`) is left as it is. These tables take the
same two write paths it measured fastest: on SQLite the driver's ``executemany`` of an
``INSERT ... ON CONFLICT DO UPDATE``; on PostgreSQL a binary COPY into a temporary
staging table of the session and one upsert from it in key order before the commit
(:mod:`stockdesk.db.pg_writer` explains the figures). Re-storing a range updates rows in
place, so a re-run or a resumed job never duplicates one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from stockdesk.db import gate, tally
from stockdesk.db.database import Database
from stockdesk.db.upsert import on_conflict_update, upsert_values
from stockdesk.domain.frequency import MINUTE_COLUMNS, PERIOD_COLUMNS, is_minutes
from stockdesk.domain.values import ItemResult

_TABLES = {
    "period_bar": (PERIOD_COLUMNS, ("code", "frequency", "adjustflag", "date")),
    "minute_bar": (MINUTE_COLUMNS, ("code", "frequency", "adjustflag", "bar_time")),
}
_COPY_TYPE = {
    "code": "varchar",
    "frequency": "varchar",
    "adjustflag": "varchar",
    "date": "date",
    "trading_day": "date",
    "bar_time": "timestamp",
    "volume": "int8",
}


def table_of(frequency: str) -> str:
    """The table holding ``frequency``'s bars."""
    return "minute_bar" if is_minutes(frequency) else "period_bar"


class FrameStore:
    """Writes non-daily bars; each :meth:`save` is one transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def commit_stock(
        self, job_id: str, frequency: str, rows: Sequence[tuple[Any, ...]], item: ItemResult
    ) -> None:
        """Store one stock's rows and its job item, and update the job, in ONE transaction
        (as :meth:`~stockdesk.db.barstore.BarStore.commit_stocks` does for daily bars)."""
        with self._database.writing_connection() as connection:
            self._write(connection, frequency, rows)
            gate.check_held(self._database, job_id, connection)
            tally.record(connection, job_id, [item], dt.datetime.now())

    def save(self, frequency: str, rows: Sequence[tuple[Any, ...]]) -> int:
        """Upsert ``rows`` (tuples of ``frequency``'s columns, distinct keys, as a checked
        reply has them); returns how many."""
        with self._database.writing_connection() as connection:
            self._write(connection, frequency, rows)
        return len(rows)

    def _write(
        self, connection: Connection, frequency: str, rows: Sequence[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        table = table_of(frequency)
        if self._database.postgresql:
            _copy_upsert(connection, table, rows)
        else:
            columns, key = _TABLES[table]
            connection.exec_driver_sql(upsert_values(table, columns, key, "?"), list(rows))


def _copy_upsert(connection: Connection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    columns, key = _TABLES[table]
    stage = f"stockdesk_{table}_stage"
    names = ", ".join(columns)
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the database connection is closed")
    cursor = driver.cursor()
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} "
        f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    converters = [_converter(name) for name in columns]
    with cursor.copy(f"COPY {stage} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([_COPY_TYPE.get(name, "float8") for name in columns])
        for row in rows:
            copy.write_row([convert(value) for convert, value in zip(converters, row, strict=True)])
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "
        f"ORDER BY {', '.join(key)} " + on_conflict_update(columns, key)
    )


def _converter(column: str) -> Any:
    """Text dates and times become the objects binary COPY needs; the rest pass as is."""
    if column in ("date", "trading_day"):
        return dt.date.fromisoformat
    if column == "bar_time":
        return dt.datetime.fromisoformat
    return lambda value: value
