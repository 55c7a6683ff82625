"""``frame_coverage``: what ``period_bar`` and ``minute_bar`` hold, per stock, frequency
and adjust type.

Counting a stock's minute bars means reading its whole index range (117,000 rows for ten
years of 5-minute bars), so the row is kept as bars are committed, in their transaction
(:class:`~stockdesk.db.framestore.FrameStore`), and read by the collector (what to skip,
where an update starts), ``stockdesk status`` and the data view without touching a bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select

from stockdesk.db.models import Base, FrameCoverageRow, MinuteBarRow, PeriodBarRow
from stockdesk.db.upsert import upsert_rows
from stockdesk.domain.values import FrameCoverage

_COVERAGE: Table = Base.metadata.tables[FrameCoverageRow.__tablename__]
_BARS: dict[str, tuple[Table, str]] = {
    PeriodBarRow.__tablename__: (Base.metadata.tables[PeriodBarRow.__tablename__], "date"),
    MinuteBarRow.__tablename__: (
        Base.metadata.tables[MinuteBarRow.__tablename__],
        "trading_day",
    ),
}
_KEY = ("code", "frequency", "adjustflag")


def frame_coverage(
    connection: Connection, *, frequency: str | None = None, adjustflag: str | None = None
) -> list[FrameCoverage]:
    """Every coverage row, of one frequency and adjust type where given, by code."""
    query = select(_COVERAGE).order_by(_COVERAGE.c.code, _COVERAGE.c.frequency)
    if frequency is not None:
        query = query.where(_COVERAGE.c.frequency == frequency)
    if adjustflag is not None:
        query = query.where(_COVERAGE.c.adjustflag == str(adjustflag))
    return [_value(row) for row in connection.execute(query)]


def read_frame_coverage(
    connection: Connection, code: str, frequency: str, adjustflag: str
) -> FrameCoverage | None:
    """One stock's coverage row of one frequency and adjust type, if it has one."""
    row = connection.execute(
        select(_COVERAGE).where(
            _COVERAGE.c.code == code,
            _COVERAGE.c.frequency == frequency,
            _COVERAGE.c.adjustflag == str(adjustflag),
        )
    ).first()
    return None if row is None else _value(row)


def count_frames(
    connection: Connection, table: str, code: str, frequency: str, adjustflag: str
) -> tuple[dt.date, dt.date, int]:
    """First and last (trading) day and the rows of one stock's bars: one index range."""
    bars, day = _BARS[table]
    first, last, rows = connection.execute(
        select(func.min(bars.c[day]), func.max(bars.c[day]), func.count()).where(
            bars.c.code == code,
            bars.c.frequency == frequency,
            bars.c.adjustflag == str(adjustflag),
        )
    ).one()
    return _date(first), _date(last), int(rows)


def write_frame_coverage(connection: Connection, rows: Sequence[FrameCoverage]) -> None:
    """Upsert coverage rows (absolute values) inside the caller's transaction."""
    upsert_rows(
        connection,
        _COVERAGE,
        [
            {
                "code": row.code,
                "frequency": row.frequency,
                "adjustflag": row.adjustflag,
                "first_day": row.first_day,
                "last_day": row.last_day,
                "rows": row.rows,
                "complete_from": row.complete_from,
                "complete_through": row.complete_through,
            }
            for row in rows
        ],
        _KEY,
    )


def _value(row: Row[Any]) -> FrameCoverage:
    return FrameCoverage(
        row.code,
        row.frequency,
        row.adjustflag,
        row.first_day,
        row.last_day,
        row.rows,
        row.complete_from,
        row.complete_through,
    )


def _date(value: dt.date | dt.datetime | str) -> dt.date:
    """A min/max of a date column: a date, or ISO text where SQLite's aggregate returns
    the stored text untyped."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])
