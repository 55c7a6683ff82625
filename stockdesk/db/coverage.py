"""The coverage summary, the exchange calendar and the adjust factors: reads and writes.

``bar_coverage`` says, per stock and adjust type, what ``daily_bar`` holds: first and
last day, rows and the trading days missing between them. Recounting it from 12 million
rows at every commit would cost seconds, so the collector keeps it incrementally (see
:mod:`stockdesk.collect.coverage`) and hands this module the new rows, written in the
same transaction as the bars they describe (:meth:`BarStore.commit_stocks`,
:meth:`BarBatch.commit`). A job that committed rows of stocks it did not finish leaves
a ``coverage_pending`` mark in that same transaction; those stocks are recounted exactly
when it ends, and a mark left by a process that died makes the next job recount all.

Like the bars, everything goes through the driver on plain tuples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table, bindparam, delete, func, select, update

from stockdesk.db.database import Database
from stockdesk.db.frame_coverage import frame_coverage
from stockdesk.db.models import (
    AdjustFactorRow,
    BarCoverageRow,
    Base,
    CoveragePendingRow,
    DailyBarRow,
    FactorCoverageRow,
    TradeCalendarRow,
)
from stockdesk.db.upsert import upsert_rows
from stockdesk.domain.values import FACTOR_COLUMNS, Coverage, Factor, FrameCoverage


def _table(row: type[Base]) -> Table:
    """The Core table of a mapped class, typed as a :class:`Table`."""
    return Base.metadata.tables[row.__tablename__]


_BAR = _table(DailyBarRow)
_COVERAGE = _table(BarCoverageRow)
_FACTOR = _table(AdjustFactorRow)
_CHECKED = _table(FactorCoverageRow)
_CALENDAR = _table(TradeCalendarRow)
_PENDING = _table(CoveragePendingRow)
_CHUNK = 500
"""Codes per ``IN (...)``: far below SQLite's bound-parameter limit on any build."""

_LATEST = _FACTOR.alias("latest")
_REFORE = update(_FACTOR).values(
    fore_adjust_factor=_FACTOR.c.back_adjust_factor
    / select(_LATEST.c.back_adjust_factor)
    .where(_LATEST.c.code == _FACTOR.c.code)
    .order_by(_LATEST.c.divid_operate_date.desc())
    .limit(1)
    .correlate(_FACTOR)
    .scalar_subquery()
)
"""Every forward factor of a stock recomputed against its latest stored event."""
_COUNTS = select(
    _BAR.c.code, _BAR.c.adjustflag, func.min(_BAR.c.date), func.max(_BAR.c.date), func.count()
).group_by(_BAR.c.code, _BAR.c.adjustflag)


def write_coverage(connection: Connection, rows: Sequence[Coverage]) -> None:
    """Upsert coverage rows (absolute values) inside the caller's transaction."""
    upsert_rows(
        connection,
        _COVERAGE,
        [
            {
                "code": row.code,
                "adjustflag": row.adjustflag,
                "first_day": row.first_day,
                "last_day": row.last_day,
                "rows": row.rows,
                "missing_days": row.missing_days,
            }
            for row in rows
        ],
        ("code", "adjustflag"),
    )


def write_factors(
    connection: Connection, events: Sequence[Factor], checked: Sequence[tuple[str, dt.date]]
) -> None:
    """Store events and how far each stock is now known, in the caller's transaction.

    The forward factors of every stock that got an event are recomputed against its
    latest stored event, so that the table stays consistent when a new ex-rights day
    changes all of a stock's earlier forward factors.
    """
    upsert_rows(
        connection,
        _FACTOR,
        [
            {**dict(zip(FACTOR_COLUMNS, event, strict=True)), "divid_operate_date": _day(event[1])}
            for event in events
        ],
        ("code", "divid_operate_date"),
    )
    codes = sorted({event[0] for event in events})
    for first in range(0, len(codes), _CHUNK):
        connection.execute(_REFORE.where(_FACTOR.c.code.in_(codes[first : first + _CHUNK])))
    upsert_rows(
        connection,
        _CHECKED,
        [{"code": code, "checked_through": day} for code, day in checked],
        ("code",),
    )


def mark_pending(connection: Connection, job_id: str) -> None:
    """Note, in the caller's transaction, that ``job_id`` commits unfinished stocks' rows."""
    upsert_rows(connection, _PENDING, [{"job_id": job_id}], ("job_id",))


class CoverageStore:
    """Reads and maintenance of the coverage, calendar and factor tables; thread-safe.

    Through SQLAlchemy Core on both stores: these tables hold a row per stock (or per
    event, or per day), never per bar, so the per-row cost of typed parameters is small
    against the bars' writes, and dates come back as dates from SQLite and PostgreSQL
    alike.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- coverage ---------------------------------------------------------------------

    def coverage(self, adjustflag: str | None = None) -> dict[tuple[str, str], Coverage]:
        """Every coverage row (of one adjust type), by (code, adjustflag)."""
        query = select(_COVERAGE)
        if adjustflag is not None:
            query = query.where(_COVERAGE.c.adjustflag == str(adjustflag))
        with self._db.reading() as session:
            rows = session.execute(query).all()
        return {
            (row.code, row.adjustflag): Coverage(
                row.code, row.adjustflag, row.first_day, row.last_day, row.rows, row.missing_days
            )
            for row in rows
        }

    def frames(
        self, *, frequency: str | None = None, adjustflag: str | None = None
    ) -> list[FrameCoverage]:
        """Every ``frame_coverage`` row (of one frequency and adjust type), by code."""
        with self._db.reading() as session:
            return frame_coverage(session.connection(), frequency=frequency, adjustflag=adjustflag)

    def pending_jobs(self) -> list[str]:
        """Jobs whose unfinished stocks' coverage was never recounted."""
        with self._db.reading() as session:
            return list(session.scalars(select(_PENDING.c.job_id)))

    def recount(
        self, keys: Iterable[tuple[str, str]]
    ) -> list[tuple[str, str, dt.date, dt.date, int]]:
        """Exact (code, adjustflag, first, last, rows) of the given stocks, from the bars;
        stocks without rows are left out. One index range per stock."""
        query = _COUNTS.where(
            _BAR.c.code == bindparam("code"), _BAR.c.adjustflag == bindparam("flag")
        )
        found = []
        with self._db.reading() as session:
            for code, flag in keys:
                row = session.execute(query, {"code": code, "flag": str(flag)}).first()
                if row is not None:
                    found.append((row[0], row[1], row[2], row[3], row[4]))
        return found

    def recount_all(self) -> list[tuple[str, str, dt.date, dt.date, int]]:
        """Exact coverage of every stock: one pass over the bars' primary key."""
        with self._db.reading() as session:
            return [(row[0], row[1], row[2], row[3], row[4]) for row in session.execute(_COUNTS)]

    def replace_coverage(
        self,
        rows: Sequence[Coverage],
        *,
        clear: Iterable[str] = (),
        remove: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Write recounted rows, drop rows of stocks with no bars left, and clear the
        pending marks of ``clear`` (job ids), in one transaction."""
        with self._db.writing_connection() as connection:
            write_coverage(connection, rows)
            gone = [{"code": code, "flag": flag} for code, flag in remove]
            if gone:
                connection.execute(
                    delete(_COVERAGE).where(
                        _COVERAGE.c.code == bindparam("code"),
                        _COVERAGE.c.adjustflag == bindparam("flag"),
                    ),
                    gone,
                )
            marks = [{"job": job} for job in clear]
            if marks:
                connection.execute(
                    delete(_PENDING).where(_PENDING.c.job_id == bindparam("job")), marks
                )

    # -- calendar ---------------------------------------------------------------------

    def calendar(self) -> list[tuple[dt.date, bool]]:
        """The stored exchange calendar, by date."""
        query = select(_CALENDAR.c.calendar_date, _CALENDAR.c.is_trading_day).order_by(
            _CALENDAR.c.calendar_date
        )
        with self._db.reading() as session:
            return [(day, bool(is_open)) for day, is_open in session.execute(query)]

    def save_calendar(self, days: Sequence[tuple[dt.date, bool]]) -> None:
        """Insert or update calendar days."""
        if days:
            with self._db.writing_connection() as connection:
                upsert_rows(
                    connection,
                    _CALENDAR,
                    [
                        {"calendar_date": day, "is_trading_day": int(is_open)}
                        for day, is_open in days
                    ],
                    ("calendar_date",),
                )

    # -- factors ----------------------------------------------------------------------

    def factors_checked(self) -> dict[str, dt.date]:
        """Each stock's ``checked_through``: its events are all stored up to that day."""
        with self._db.reading() as session:
            return {code: day for code, day in session.execute(select(_CHECKED))}

    def save_factors(
        self, events: Sequence[Factor], checked: Sequence[tuple[str, dt.date]]
    ) -> None:
        """Store events and, in the same transaction, how far each stock is now known
        (see :func:`write_factors`)."""
        with self._db.writing_connection() as connection:
            write_factors(connection, events, checked)

    def factors(self, code: str) -> list[tuple[dt.date, float]]:
        """A stock's (divid_operate_date, back_adjust_factor), by date."""
        query = (
            select(_FACTOR.c.divid_operate_date, _FACTOR.c.back_adjust_factor)
            .where(_FACTOR.c.code == code)
            .order_by(_FACTOR.c.divid_operate_date)
        )
        with self._db.reading() as session:
            return [(day, float(back)) for day, back in session.execute(query)]


def _day(value: str | dt.date) -> dt.date:
    """An event's date: ISO text as the server sends it, or a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
