"""Storing weekly, monthly and minute bars in ``period_bar`` and ``minute_bar``.

The daily path (:mod:`stockdesk.db.barstore`) is left as it is. These tables take the
same two write paths it measured fastest: on SQLite the driver's ``executemany`` of an
``INSERT ... ON CONFLICT DO UPDATE``; on PostgreSQL a binary COPY into a temporary
staging table of the session and one upsert from it in key order before the commit
(:mod:`stockdesk.db.pg_writer` explains the figures). Re-storing a range updates rows in
place, so a re-run or a resumed job never duplicates one. Each commit also keeps
``frame_coverage`` exact (:mod:`stockdesk.db.frame_coverage`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from stockdesk.db import gate, tally
from stockdesk.db.database import Database
from stockdesk.db.frame_coverage import count_frames, read_frame_coverage, write_frame_coverage
from stockdesk.db.upsert import on_conflict_update, upsert_values
from stockdesk.domain.frequency import MINUTE_COLUMNS, PERIOD_COLUMNS, is_minutes
from stockdesk.domain.values import FrameCoverage, ItemResult

_TABLES = {
    "period_bar": (PERIOD_COLUMNS, ("code", "frequency", "adjustflag", "date")),
    "minute_bar": (MINUTE_COLUMNS, ("code", "frequency", "adjustflag", "bar_time")),
}
_DAY = {"period_bar": "date", "minute_bar": "trading_day"}
"""The column of a bar's (trading) day, by table."""
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


@dataclass(frozen=True, slots=True)
class FinishedStock:
    """One stock's outcome to commit: its item, its checked rows (none unless it
    succeeded), and the days it is now known complete over (merged with what was known;
    None leaves them as they were)."""

    item: ItemResult
    rows: Sequence[tuple[Any, ...]] = ()
    complete: tuple[dt.date, dt.date] | None = None


class FrameStore:
    """Writes non-daily bars with their items and coverage, one transaction a commit."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def commit_stocks(
        self, job_id: str, frequency: str, adjustflag: str, stocks: Sequence[FinishedStock]
    ) -> list[FrameCoverage]:
        """Store the stocks' rows, their ``frame_coverage`` and their job items, and
        update the job, in ONE transaction (as
        :meth:`~stockdesk.db.barstore.BarStore.commit_stocks` does for daily bars): a
        stock is logged done exactly when its rows and coverage are stored. Returns the
        coverage rows written."""
        table = table_of(frequency)
        written: list[FrameCoverage] = []
        with self._database.writing_connection() as connection:
            for stock in stocks:
                self._write(connection, table, stock.rows)
                coverage = _coverage(connection, table, frequency, adjustflag, stock)
                if coverage is not None:
                    written.append(coverage)
            write_frame_coverage(connection, written)
            gate.check_held(self._database, job_id, connection)
            tally.record(connection, job_id, [stock.item for stock in stocks], dt.datetime.now())
        return written

    def _write(self, connection: Connection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._database.postgresql:
            _copy_upsert(connection, table, rows)
        else:
            columns, key = _TABLES[table]
            connection.exec_driver_sql(upsert_values(table, columns, key, "?"), list(rows))


def _coverage(
    connection: Connection,
    table: str,
    frequency: str,
    adjustflag: str,
    stock: FinishedStock,
) -> FrameCoverage | None:
    """The stock's coverage after its rows are written (in the same transaction).

    Rows that do not reach into the days already stored only add to the count; rows
    that overlap them (a re-run) are counted again over the stock's index range.
    """
    code = stock.item.code
    old = read_frame_coverage(connection, code, frequency, adjustflag)
    complete = stock.complete or (
        (old.complete_from, old.complete_through)
        if old is not None and old.complete_from and old.complete_through
        else (None, None)
    )
    if stock.rows:
        day = _TABLES[table][0].index(_DAY[table])
        first, last = _as_date(stock.rows[0][day]), _as_date(stock.rows[-1][day])
    elif old is None:
        return None
    else:
        first, last = old.first_day, old.last_day
    if old is None:
        return FrameCoverage(code, frequency, adjustflag, first, last, len(stock.rows), *complete)
    if last < old.first_day or first > old.last_day:
        return FrameCoverage(
            code,
            frequency,
            adjustflag,
            min(first, old.first_day),
            max(last, old.last_day),
            old.rows + len(stock.rows),
            *complete,
        )
    first, last, rows = count_frames(connection, table, code, frequency, adjustflag)
    return FrameCoverage(code, frequency, adjustflag, first, last, rows, *complete)


def _as_date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


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
