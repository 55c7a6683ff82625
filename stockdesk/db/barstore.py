"""The bar store: securities and daily bars, and committing a stock with its job item.

Bars are written with the driver's own ``executemany`` of an upsert: a market-year is over a
million rows, and docs/architecture.md ("Measured") records this path at ~250k rows/s
against ~100k for Core dicts and ~60k for the ORM. Re-storing a range updates rows in place,
never duplicates.

Fetching by date writes through a :class:`BarBatch` instead: a transaction kept open
across many days' rows. Each day's ~4,600 rows land one per stock on that stock's own
page of the ``(code, date, adjustflag)`` index, so a day dirties thousands of pages, and
every commit writes each dirty page to the WAL (and the checkpoint writes it again): the
fewer commits, the fewer times each page is written. A market-year in ~92,000-row
transactions with a 32 MB page cache took 5.8-7.2 s of CPU to write, against 9.9-10.7 s
in 40,000-row ones with SQLite's default 2 MB cache (64 MB of cache did no better). Rows
wait in SQLite's pages, not as Python tuples (~700 bytes each), so memory stays flat
however many days a transaction holds.

On PostgreSQL the same calls go through :mod:`stockdesk.db.pg_writer` (COPY into a
staging table, one upsert per transaction); the choice is made once, when the store is
made, so SQLite's path is the code it always was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Date, Integer, String, func, select, text
from sqlalchemy.sql.selectable import TextualSelect

from stockdesk.db import gate, tally
from stockdesk.db.coverage import mark_pending, write_coverage, write_factors
from stockdesk.db.database import Database
from stockdesk.db.errors import translate_errors
from stockdesk.db.models import DailyBarRow, SecurityRow
from stockdesk.db.pg_writer import PostgresBars
from stockdesk.db.upsert import SECURITY_COLUMNS, upsert_values
from stockdesk.domain.values import BAR_COLUMNS, Bar, Coverage, Factor, ItemResult, Security

_KEY = ("code", "date", "adjustflag")
UPSERT_BARS = upsert_values("daily_bar", BAR_COLUMNS, _KEY, "?")
"""The hot path: one statement, executed many times by the driver on plain tuples."""
UPSERT_SECURITIES = upsert_values("security", SECURITY_COLUMNS, ("code",), "?")

_BAR = DailyBarRow.__table__
_SECURITY = SecurityRow.__table__
_IN_CHUNK = 500
"""Codes per ``IN (...)``: far below SQLite's bound-parameter limit on any build."""


class BarStore:
    """Reads and writes ``security`` and ``daily_bar`` of one database; thread-safe."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._dialect = _dialect_of(db)

    def save_securities(self, securities: Iterable[Security]) -> None:
        """Insert or update securities by code.

        Through the driver on plain tuples, like the bars: every job saves ~5,000 of them
        at its start, and SQLAlchemy's per-row parameter processing held the job's thread
        (and, in the window, the GIL the event loop needs) for 46 ms; this takes 13-22 ms.
        """
        with self._db.writing_connection() as connection:
            self._dialect.save_securities(connection, securities)

    def securities(self, codes: Iterable[str] | None = None) -> list[Security]:
        """Stored securities ordered by code, all of them or those of ``codes``."""
        query = select(_SECURITY).order_by(_SECURITY.c.code)
        with self._db.reading() as session:
            if codes is None:
                rows = list(session.execute(query))
            else:
                rows = [
                    row
                    for chunk in _chunks(codes)
                    for row in session.execute(query.where(_SECURITY.c.code.in_(chunk)))
                ]
        rows.sort(key=lambda row: row.code)
        return [Security(**row._asdict()) for row in rows]

    def row_counts(
        self,
        start: dt.date,
        end: dt.date,
        adjustflag: str,
        codes: Iterable[str] | None = None,
    ) -> dict[str, int]:
        """Stored rows per code within ``[start, end]``; codes with none are absent.

        One GROUP BY per chunk of codes, answered from the primary-key index alone
        (code, date, adjustflag), so it stays fast on a table of many millions of rows.
        """
        query = (
            select(_BAR.c.code, func.count())
            .where(
                _BAR.c.adjustflag == str(adjustflag),
                _BAR.c.date >= start,
                _BAR.c.date <= end,
            )
            .group_by(_BAR.c.code)
        )
        with self._db.reading() as session:
            if codes is None:
                return {code: count for code, count in session.execute(query)}
            counts: dict[str, int] = {}
            for chunk in _chunks(codes):
                counts.update(
                    (code, count)
                    for code, count in session.execute(query.where(_BAR.c.code.in_(chunk)))
                )
            return counts

    def span_counts(
        self, spans: Sequence[tuple[str, dt.date, dt.date]], adjustflag: str
    ) -> dict[str, int]:
        """Stored rows per code within its own ``(code, first, last)`` span; codes with
        none are absent. One range seek on the primary key per span."""
        return dict(self._in_spans(spans, adjustflag, by_day=False))

    def stocks_per_day(
        self, spans: Sequence[tuple[str, dt.date, dt.date]], adjustflag: str
    ) -> dict[dt.date, int]:
        """How many of the stocks have a row stored on each day, counting each stock only
        within its own ``(code, first, last)`` span; days with none are absent.

        For fetching by date again (a resumed or re-run job): a day that every stock
        expecting it already has needs no request. Each span is one range seek on the
        primary-key index, so it costs one index read of the rows in range.
        """
        counts: dict[dt.date, int] = {}
        for day, count in self._in_spans(spans, adjustflag, by_day=True):
            counts[day] = counts.get(day, 0) + count
        return counts

    def _in_spans(
        self, spans: Sequence[tuple[str, dt.date, dt.date]], adjustflag: str, *, by_day: bool
    ) -> Iterator[tuple[Any, int]]:
        """``(day or code, rows)`` of the stored rows of each ``(code, first, last)`` span,
        grouped by day or by code, one query per chunk of spans."""
        # psycopg binds a date as a date, which types the VALUES column; SQLite compares
        # the ISO text its Date columns hold.
        day: Callable[[dt.date], Any] = (
            (lambda value: value) if self._db.postgresql else dt.date.isoformat
        )
        with self._db.reading() as session:
            for first in range(0, len(spans), _IN_CHUNK):
                chunk = spans[first : first + _IN_CHUNK]
                params: dict[str, Any] = {"flag": str(adjustflag)}
                for k, (code, low, high) in enumerate(chunk):
                    params[f"c{k}"], params[f"f{k}"], params[f"l{k}"] = code, day(low), day(high)
                rows = session.execute(_spans_query(len(chunk), by_day), params)
                yield from ((key, int(count)) for key, count in rows)

    def commit_stocks(
        self,
        job_id: str,
        results: Sequence[tuple[ItemResult, Sequence[Bar]]],
        coverage: Sequence[Coverage] = (),
    ) -> None:
        """Store stocks' bars and their job items, and update the job, in ONE transaction.

        A stock's rows and its item are committed together or not at all, so a later
        failure, cancel or crash never loses a stock logged as done, nor logs one that is
        not stored. Each item's ``rows`` is stored as the number of bars given with it.
        ``coverage`` (the stocks' new ``bar_coverage`` rows) is written in the same
        transaction.
        """
        bars = [bar for _item, stock_bars in results for bar in stock_bars]
        items = [dataclasses.replace(item, rows=len(stock_bars)) for item, stock_bars in results]
        with self._db.writing_connection() as connection:
            if bars and self._dialect.stage(connection, bars):
                self._dialect.flush(connection)
            write_coverage(connection, coverage)
            gate.check_held(self._db, job_id, connection)
            tally.record(connection, job_id, items, dt.datetime.now())

    def batch(self, job_id: str) -> BarBatch:
        """A :class:`BarBatch` writing for ``job_id``; use it as a context manager."""
        return BarBatch(self._db, job_id, self._dialect)

    def bars(self, code: str, start: dt.date, end: dt.date, adjustflag: str) -> list[Bar]:
        """A stock's bars in ``[start, end]`` ordered by date, as :data:`Bar` tuples."""
        query = (
            select(*(_BAR.c[name] for name in BAR_COLUMNS))
            .where(
                _BAR.c.code == code,
                _BAR.c.adjustflag == str(adjustflag),
                _BAR.c.date >= start,
                _BAR.c.date <= end,
            )
            .order_by(_BAR.c.date)
        )
        date_index = BAR_COLUMNS.index("date")
        with self._db.reading() as session:
            return [
                (*row[:date_index], row[date_index].isoformat(), *row[date_index + 1 :])
                for row in session.execute(query)
            ]

    def count_bars(self) -> int:
        """Rows in ``daily_bar``."""
        with self._db.reading() as session:
            return session.scalar(select(func.count()).select_from(_BAR)) or 0


BATCH_CACHE_KIB = 32_768
"""Page cache of the batch's connection while it writes: holds the index pages a day
touches (one per stock, ~20 MB for 5,000 stocks) plus the table pages of the open
transaction. Given back when the batch closes."""


class BarBatch:
    """Bars added to an open transaction; :meth:`commit` makes them durable with the items
    they complete, so a crash never logs a stock as done before its last row is stored.
    Not thread-safe: one per job, used by the job's thread; leaving the context rolls
    back what was not committed.

    While a transaction is open, the database's write lock is held: other writers wait
    (up to their busy timeout), so the owner commits at least every second or so.
    """

    def __init__(self, database: Database, job_id: str, dialect: _Dialect | None = None) -> None:
        self._database = database
        self._job_id = job_id
        self._dialect = dialect or _dialect_of(database)
        self._staged = False
        self._connection: Connection | None = None
        self._default_cache = 0
        self._began: float | None = None
        self._marked = False
        self.rows = 0
        """Rows added since the last commit."""
        self.committed_rows = 0
        """Rows committed through this batch so far."""

    def __enter__(self) -> BarBatch:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def add(self, bars: Sequence[Bar]) -> None:
        """Write ``bars`` into the open transaction (beginning one if needed)."""
        if not bars:
            return
        with translate_errors(self._database.where):
            if self._dialect.stage(self._begin(), bars):
                self._staged = True
        self.rows += len(bars)

    def add_factors(self, events: Sequence[Factor], checked: Sequence[tuple[str, dt.date]]) -> None:
        """Write adjust factors and how far they are known into the open transaction:
        while it is open, no other connection may write."""
        with translate_errors(self._database.where):
            write_factors(self._begin(), events, checked)

    def age(self) -> float | None:
        """Seconds since the open transaction began; None when none is open."""
        return None if self._began is None else time.monotonic() - self._began

    def commit(
        self,
        items: Sequence[ItemResult] = (),
        coverage: Sequence[Coverage] = (),
        *,
        progress: int | None = None,
    ) -> None:
        """Commit the rows added so far with ``items``, the stocks they complete, and
        those stocks' new ``bar_coverage`` rows.

        Each item's ``rows`` is kept as given (all the rows the job stored for it). The
        first transaction also marks the job in ``coverage_pending``: it holds rows of
        stocks not finished yet, whose coverage the job recounts when it ends. With
        ``progress`` (0-100, the caller's measure of the job done), the job row also shows
        that progress and every row this batch committed, in the same transaction: the
        job log moves while stocks are still unfinished (:class:`tally.Advance`).
        """
        if self._began is None and not items:
            return
        advance = (
            None if progress is None else tally.Advance(progress, self.committed_rows + self.rows)
        )
        with translate_errors(self._database.where):
            connection = self._begin()
            if self._staged:
                self._dialect.flush(connection)
            if not self._marked:
                mark_pending(connection, self._job_id)
                self._marked = True
            write_coverage(connection, coverage)
            gate.check_held(self._database, self._job_id, connection)
            tally.record(connection, self._job_id, items, dt.datetime.now(), advance)
            connection.commit()
        self._began = None
        self._staged = False
        self.committed_rows += self.rows
        self.rows = 0

    def close(self) -> None:
        """Roll back what was not committed and give the connection back."""
        connection, self._connection = self._connection, None
        self._began = None
        self._staged = False
        self.rows = 0
        if connection is None:
            return
        with translate_errors(self._database.where):
            try:
                if connection.in_transaction():
                    connection.rollback()
                self._dialect.end_batch(connection, self._default_cache)
            finally:
                connection.close()

    def _begin(self) -> Connection:
        if self._connection is None:
            self._connection = self._database.connect_writer()
            self._default_cache = self._dialect.begin_batch(self._connection)
        if self._began is None:
            self._connection.begin()
            self._began = time.monotonic()
        return self._connection


class _Dialect(Protocol):
    """How bars reach one kind of database: SQLite here, PostgreSQL in ``pg_writer``."""

    def stage(self, connection: Connection, bars: Sequence[Bar]) -> bool:
        """Write ``bars`` into the open transaction, or stage them and return True:
        :meth:`flush` must then store them before the commit."""

    def flush(self, connection: Connection) -> None:
        """Store what :meth:`stage` held back; called once, just before the commit."""

    def save_securities(self, connection: Connection, securities: Iterable[Security]) -> None:
        """Insert or update ``securities`` by code in the open transaction."""

    def begin_batch(self, connection: Connection) -> int:
        """Tune a batch's new connection; returns what :meth:`end_batch` restores."""

    def end_batch(self, connection: Connection, saved: int) -> None:
        """Undo :meth:`begin_batch` before the connection goes back to the pool."""


def _dialect_of(database: Database) -> _Dialect:
    return PostgresBars() if database.postgresql else SqliteBars()


class SqliteBars:
    """SQLite: the driver's ``executemany`` of an upsert on plain tuples (the measured
    fastest path, see the module doc); a batch's connection gets a larger page cache."""

    def stage(self, connection: Connection, bars: Sequence[Bar]) -> bool:
        connection.exec_driver_sql(UPSERT_BARS, bars)
        return False

    def flush(self, connection: Connection) -> None:
        """Nothing held back: :meth:`stage` wrote the rows."""

    def save_securities(self, connection: Connection, securities: Iterable[Security]) -> None:
        rows = [
            (
                security.code,
                security.name,
                security.type,
                security.status,
                _iso_or_none(security.ipo_date),
                _iso_or_none(security.out_date),
            )
            for security in securities
        ]
        if rows:
            connection.exec_driver_sql(UPSERT_SECURITIES, rows)

    def begin_batch(self, connection: Connection) -> int:
        default = self._pragma(connection, "PRAGMA cache_size")
        self._pragma(connection, f"PRAGMA cache_size={-BATCH_CACHE_KIB}")
        return default

    def end_batch(self, connection: Connection, saved: int) -> None:
        self._pragma(connection, f"PRAGMA cache_size={saved}")

    @staticmethod
    def _pragma(connection: Connection, statement: str) -> int:
        """Run a pragma on the driver connection, outside any transaction."""
        driver = connection.connection.driver_connection
        if driver is None:
            raise RuntimeError("the database connection is closed")
        row = driver.execute(statement).fetchone()
        return int(row[0]) if row else 0


@functools.lru_cache(maxsize=8)
def _spans_query(spans: int, by_day: bool) -> TextualSelect:
    """The rows stored within each of ``spans`` ``(code, first, last)`` spans, grouped by
    day or by code: a ``VALUES`` list joined to the primary key.

    Plain text, built once per size: SQLAlchemy's ``values()`` construct (and typed bind
    parameters too) took 0.13-0.5 s of the job's thread to compile for a market's 4,600
    spans, before the first day was fetched, where the driver's own query took 0.05 s.
    """
    rows = ", ".join(f"(:c{k}, :f{k}, :l{k})" for k in range(spans))
    group = "bar.date" if by_day else "span.code"
    return text(
        f"WITH span(code, first_day, last_day) AS (VALUES {rows}) "
        f"SELECT {group} AS key, count(*) AS stored FROM span JOIN daily_bar AS bar "
        "ON bar.code = span.code AND bar.date BETWEEN span.first_day AND span.last_day "
        f"AND bar.adjustflag = :flag GROUP BY {group}"
    ).columns(key=Date if by_day else String, stored=Integer)


def _iso_or_none(day: dt.date | None) -> str | None:
    """A date as SQLAlchemy's ``Date`` stores it on SQLite (ISO text)."""
    return day.isoformat() if day else None


def _chunks(codes: Iterable[str]) -> Iterator[list[str]]:
    codes = list(dict.fromkeys(codes))
    for first in range(0, len(codes), _IN_CHUNK):
        yield codes[first : first + _IN_CHUNK]
