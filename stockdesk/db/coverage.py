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

from sqlalchemy import Connection

from stockdesk.db.database import Database
from stockdesk.domain.values import FACTOR_COLUMNS, Coverage, Factor

UPSERT_COVERAGE = (
    "INSERT INTO bar_coverage (code, adjustflag, first_day, last_day, rows, missing_days) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code, adjustflag) DO UPDATE SET "
    "first_day = excluded.first_day, last_day = excluded.last_day, rows = excluded.rows, "
    "missing_days = excluded.missing_days"
)
UPSERT_FACTORS = (
    f"INSERT INTO adjust_factor ({', '.join(FACTOR_COLUMNS)}) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(code, divid_operate_date) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in FACTOR_COLUMNS[2:])
)
UPSERT_CHECKED = (
    "INSERT INTO factor_coverage (code, checked_through) VALUES (?, ?) "
    "ON CONFLICT(code) DO UPDATE SET checked_through = excluded.checked_through"
)
_REFORE = (
    "UPDATE adjust_factor SET fore_adjust_factor = back_adjust_factor / ("
    "SELECT latest.back_adjust_factor FROM adjust_factor AS latest "
    "WHERE latest.code = adjust_factor.code "
    "ORDER BY latest.divid_operate_date DESC LIMIT 1) WHERE code = ?"
)
_COUNT = (
    "SELECT code, adjustflag, min(date), max(date), count(*) FROM daily_bar "
    "WHERE code = ? AND adjustflag = ? GROUP BY code, adjustflag"
)


def _day(text: str | dt.date) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(text)


def write_coverage(connection: Connection, rows: Sequence[Coverage]) -> None:
    """Upsert coverage rows (absolute values) inside the caller's transaction."""
    if rows:
        connection.exec_driver_sql(
            UPSERT_COVERAGE,
            [
                (
                    row.code,
                    row.adjustflag,
                    row.first_day.isoformat(),
                    row.last_day.isoformat(),
                    row.rows,
                    row.missing_days,
                )
                for row in rows
            ],
        )


def write_factors(
    connection: Connection, events: Sequence[Factor], checked: Sequence[tuple[str, dt.date]]
) -> None:
    """Store events and how far each stock is now known, in the caller's transaction.

    The forward factors of every stock that got an event are recomputed against its
    latest stored event, so that the table stays consistent when a new ex-rights day
    changes all of a stock's earlier forward factors.
    """
    if events:
        connection.exec_driver_sql(UPSERT_FACTORS, list(events))
        connection.exec_driver_sql(
            _REFORE, [(code,) for code in sorted({event[0] for event in events})]
        )
    if checked:
        connection.exec_driver_sql(
            UPSERT_CHECKED, [(code, day.isoformat()) for code, day in checked]
        )


def mark_pending(connection: Connection, job_id: str) -> None:
    """Note, in the caller's transaction, that ``job_id`` commits unfinished stocks' rows."""
    connection.exec_driver_sql(
        "INSERT INTO coverage_pending (job_id) VALUES (?) ON CONFLICT(job_id) DO NOTHING",
        (job_id,),
    )


class CoverageStore:
    """Reads and maintenance of the coverage, calendar and factor tables; thread-safe."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- coverage ---------------------------------------------------------------------

    def coverage(self, adjustflag: str | None = None) -> dict[tuple[str, str], Coverage]:
        """Every coverage row (of one adjust type), by (code, adjustflag)."""
        sql = "SELECT code, adjustflag, first_day, last_day, rows, missing_days FROM bar_coverage"
        args: tuple[str, ...] = ()
        if adjustflag is not None:
            sql += " WHERE adjustflag = ?"
            args = (str(adjustflag),)
        with self._db.reading() as session:
            rows = session.connection().exec_driver_sql(sql, args).all()
        return {
            (code, flag): Coverage(code, flag, _day(first), _day(last), count, missing)
            for code, flag, first, last, count, missing in rows
        }

    def pending_jobs(self) -> list[str]:
        """Jobs whose unfinished stocks' coverage was never recounted."""
        with self._db.reading() as session:
            return [
                row[0]
                for row in session.connection()
                .exec_driver_sql("SELECT job_id FROM coverage_pending")
                .all()
            ]

    def recount(
        self, keys: Iterable[tuple[str, str]]
    ) -> list[tuple[str, str, dt.date, dt.date, int]]:
        """Exact (code, adjustflag, first, last, rows) of the given stocks, from the bars;
        stocks without rows are left out. One index range per stock."""
        found = []
        with self._db.reading() as session:
            connection = session.connection()
            for code, flag in keys:
                row = connection.exec_driver_sql(_COUNT, (code, str(flag))).first()
                if row is not None:
                    found.append((row[0], row[1], _day(row[2]), _day(row[3]), row[4]))
        return found

    def recount_all(self) -> list[tuple[str, str, dt.date, dt.date, int]]:
        """Exact coverage of every stock: one pass over the bars' primary key."""
        with self._db.reading() as session:
            rows = (
                session.connection()
                .exec_driver_sql(
                    "SELECT code, adjustflag, min(date), max(date), count(*) FROM daily_bar "
                    "GROUP BY code, adjustflag"
                )
                .all()
            )
        return [
            (code, flag, _day(first), _day(last), count) for code, flag, first, last, count in rows
        ]

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
            gone = list(remove)
            if gone:
                connection.exec_driver_sql(
                    "DELETE FROM bar_coverage WHERE code = ? AND adjustflag = ?", gone
                )
            marks = [(job,) for job in clear]
            if marks:
                connection.exec_driver_sql("DELETE FROM coverage_pending WHERE job_id = ?", marks)

    # -- calendar ---------------------------------------------------------------------

    def calendar(self) -> list[tuple[dt.date, bool]]:
        """The stored exchange calendar, by date."""
        with self._db.reading() as session:
            rows = (
                session.connection()
                .exec_driver_sql(
                    "SELECT calendar_date, is_trading_day FROM trade_calendar "
                    "ORDER BY calendar_date"
                )
                .all()
            )
        return [(_day(day), bool(is_open)) for day, is_open in rows]

    def save_calendar(self, days: Sequence[tuple[dt.date, bool]]) -> None:
        """Insert or update calendar days."""
        if days:
            with self._db.writing_connection() as connection:
                connection.exec_driver_sql(
                    "INSERT INTO trade_calendar (calendar_date, is_trading_day) VALUES (?, ?) "
                    "ON CONFLICT(calendar_date) DO UPDATE SET "
                    "is_trading_day = excluded.is_trading_day",
                    [(day.isoformat(), int(is_open)) for day, is_open in days],
                )

    # -- factors ----------------------------------------------------------------------

    def factors_checked(self) -> dict[str, dt.date]:
        """Each stock's ``checked_through``: its events are all stored up to that day."""
        with self._db.reading() as session:
            rows = (
                session.connection()
                .exec_driver_sql("SELECT code, checked_through FROM factor_coverage")
                .all()
            )
        return {code: _day(day) for code, day in rows}

    def save_factors(
        self, events: Sequence[Factor], checked: Sequence[tuple[str, dt.date]]
    ) -> None:
        """Store events and, in the same transaction, how far each stock is now known
        (see :func:`write_factors`)."""
        with self._db.writing_connection() as connection:
            write_factors(connection, events, checked)

    def factors(self, code: str) -> list[tuple[dt.date, float]]:
        """A stock's (divid_operate_date, back_adjust_factor), by date."""
        with self._db.reading() as session:
            rows = (
                session.connection()
                .exec_driver_sql(
                    "SELECT divid_operate_date, back_adjust_factor FROM adjust_factor "
                    "WHERE code = ? ORDER BY divid_operate_date",
                    (code,),
                )
                .all()
            )
        return [(_day(day), float(back)) for day, back in rows]
