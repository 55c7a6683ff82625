"""Fetching date by date: one request per trading day returns every A-share's bar.

A market-year is about 243 requests instead of 5,000 (docs/baostock.md), but the server only
offers it for unadjusted bars, and each reply carries the whole market, so it pays only
for a large universe. The job still reports per stock: a stock is done when its last
expected day is stored, and its item is committed with that day's rows. Stocks a failed
day or a missing row leaves incomplete are handed back for the per-stock path, so every
stock ends with an exact outcome.

Days are fetched and parsed by the worker processes of a
:class:`~stockdesk.collect.workers.WorkerPool` a few days ahead of the parent, which
meanwhile writes: fetching and storing overlap. Each day's rows
go into a :class:`~stockdesk.db.barstore.BarBatch` (an open transaction) at once and are
committed every :data:`COMMIT_SECONDS` or :data:`COMMIT_ROWS`: a day touches one index
page per stock, so committing many days at once writes each page once for all of them.
Memory holds a few days' rows, whatever the range. Each commit also writes the job's
progress by days and the rows stored so far to the job row (``tally.Advance``), so the job
log moves with the days instead of waiting for the stocks' last day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.checks import TradingCalendar
from stockdesk.collect.jobcontext import JobContext
from stockdesk.collect.workers import WorkerPool
from stockdesk.domain.errors import ServerGoneError
from stockdesk.domain.values import Bar, ItemResult, ItemStatus, JobRequest, Security
from stockdesk.source.baostock_source import BaostockSource

if TYPE_CHECKING:
    from stockdesk.db.barstore import BarBatch

GIVE_UP_AFTER = 3
"""Consecutive failed days after which the server is taken not to serve per-date
queries, and the remaining stocks go to the per-stock path without more tries."""
MESSAGE_INTERVAL = 1.0
"""Seconds between "day k of n" messages."""
COMMIT_ROWS = 150_000
"""Most rows per transaction: ~30 days of the whole market, in SQLite's page cache."""
COMMIT_SECONDS = 1.0
"""Longest a transaction stays open, waiting included: it holds the write lock (another
job's start waits for it) and a crash loses what it holds."""
DAYS_AHEAD_PER_WORKER = 2
"""Days each worker may fetch ahead of the day being stored."""


@dataclasses.dataclass(slots=True)
class _Span:
    """A stock's expected days as positions in the calendar, and whether one was missing
    from its day's reply."""

    security: Security
    first: int
    last: int
    missed: bool = False

    @property
    def days(self) -> int:
        return self.last - self.first + 1


def collect_per_date(
    run: JobContext,
    source: BaostockSource,
    stocks: Sequence[Security],
    calendar: TradingCalendar,
    *,
    workers: int,
) -> list[Security]:
    """Fetch ``stocks`` day by day in ``workers`` worker processes; return the stocks
    left for the per-stock path."""
    source.logout()  # the workers' sessions do the fetching; one connection per session
    spans = _spans(stocks, calendar, run.request)
    plan = {code: (span.first, span.last) for code, span in spans.items()}
    with (
        WorkerPool(
            run.options,
            run.request,
            run.cancel,
            workers=workers,
            on_message=run.listener.message,
            day_plan=plan,
        ) as pool,
        run.store.batch(run.job.id) as batch,
    ):
        return _DayRun(run, pool, batch, spans, calendar).collect()


class _DayRun:
    """Days in calendar order: fetched ahead by the pool, stored and completed in order.

    The workers already keep only the rows of stocks that expect the day, once each
    (:func:`~stockdesk.collect.fetch.planned_rows`), so a reply with as many rows as
    stocks expect the day holds every one of them and goes to the database untouched:
    ~4,600 rows a day get no per-row work in this process, whose writing is what a job
    waits for. Only a short
    reply, or one after stocks were dropped, is checked stock by stock.
    """

    def __init__(
        self,
        run: JobContext,
        pool: WorkerPool,
        batch: BarBatch,
        spans: dict[str, _Span],
        calendar: TradingCalendar,
    ) -> None:
        self.run = run
        self.pool = pool
        self.batch = batch
        self.days = calendar.days
        self.spans = spans
        self.expecting = _expecting(spans, len(self.days))
        """Stocks expecting each day, as the plan the workers filter with has them."""
        self.dropped = False
        """Whether stocks left the plan (a failed day): replies must be filtered again."""
        self.ending: dict[int, list[str]] = {}
        for code, span in self.spans.items():
            self.ending.setdefault(span.last, []).append(code)
        self.leftover: list[Security] = []
        self.done: list[ItemResult] = []
        """Stocks whose rows are all in the open transaction, to commit with it."""
        self.stored = _stored_days(run, self.spans, self.days, self.expecting)
        """Positions of days every stock expecting them has stored already (a resumed or
        re-run job): not fetched again."""
        self.through = -1
        """Position of the last day stored (or found stored)."""

    def collect(self) -> list[Security]:
        run, days = self.run, self.days
        ready: dict[int, list[Bar] | None] = {}
        submitted = failed_in_a_row = 0
        last_message = 0.0
        try:
            for position, day in enumerate(days):
                run.check_cancel()
                if failed_in_a_row >= GIVE_UP_AFTER:
                    run.listener.message("服务器无法按日期提供数据，其余股票改为逐只采集")
                    self.leftover.extend(span.security for span in self.spans.values())
                    self.spans.clear()
                    break
                while submitted < len(days) and submitted - position < self._ahead():
                    if submitted not in self.stored:
                        self.pool.submit_day(submitted, days[submitted])
                    submitted += 1
                if position in self.stored:
                    self._store_day(position, ())
                    continue
                while position not in ready:
                    result = self.pool.next_result(timeout=self._commit_due())
                    if result is None:
                        self._commit()
                    else:
                        ready[result.key] = result.payload
                bars = ready.pop(position)
                if bars is None:
                    failed_in_a_row += 1
                    self.leftover.extend(_drop_covering(self.spans, position))
                    self.dropped = True
                    continue
                failed_in_a_row = 0
                self._store_day(position, bars)
                run.work_done = self._work_done(position)
                run.report_progress()
                if time.monotonic() - last_message >= MESSAGE_INTERVAL:
                    last_message = time.monotonic()
                    run.listener.message(
                        f"按日期采集：第 {position + 1}/{len(days)} 个交易日 {day}"
                    )
            self._commit()
        except (JobCancelled, ServerGoneError):
            self._commit()  # what was fetched is kept, and so are the stocks it completes
            raise
        finally:
            run.work_done = None  # the leftovers, if any, are counted in stocks
        if self.leftover:
            run.listener.message(f"{len(self.leftover)} 只股票的按日期数据不完整，改为逐只采集")
        return sorted(self.leftover, key=lambda security: security.code)

    def _ahead(self) -> int:
        return self.pool.workers * DAYS_AHEAD_PER_WORKER

    def _store_day(self, position: int, bars: Sequence[Bar]) -> None:
        """Store a fetched day's rows (none for a day stored already), and finish the
        stocks whose last day it is."""
        self.through = position
        if position not in self.stored:
            if self.dropped or len(bars) != self.expecting[position]:
                bars = [bar for bar in bars if bar[0] in self.spans]
                _mark_missed(self.spans, position, {bar[0] for bar in bars})
            self.batch.add(bars)
        done, incomplete = _finished(self.spans, self.ending.get(position, ()))
        self.done.extend(done)
        self.leftover.extend(incomplete)
        if self.batch.rows >= COMMIT_ROWS or self._commit_due() == 0.0:
            self._commit()

    def _work_done(self, position: int) -> float:
        """Finished stocks, plus those still fetched by date in proportion to the days
        stored: the bar moves day by day instead of jumping to 100% on the last one."""
        days = (position + 1) / len(self.days)
        done = self.run.processed + len(self.done) + len(self.spans) * days
        return done / max(1, self.run.total)

    def _commit_due(self) -> float | None:
        """Seconds until the open transaction must be committed; None when none is open."""
        age = self.batch.age()
        return None if age is None else max(0.0, COMMIT_SECONDS - age)

    def _commit(self) -> None:
        progress = int(self._work_done(self.through) * 100)
        self.batch.commit(self.done, progress=progress)
        done, self.done = self.done, []
        for item in done:
            self.run.count(item)


def _spans(
    stocks: Sequence[Security], calendar: TradingCalendar, request: JobRequest
) -> dict[str, _Span]:
    position = {day: index for index, day in enumerate(calendar.days)}
    spans = {}
    for security in stocks:
        expected = calendar.expected_days(security, request.start_date, request.end_date)
        if expected:
            spans[security.code] = _Span(security, position[expected[0]], position[expected[-1]])
    return spans


def _stored_days(
    run: JobContext, spans: dict[str, _Span], days: Sequence[dt.date], expecting: Sequence[int]
) -> set[int]:
    """Positions of the days on which every stock expecting them (``expecting`` per
    position) has a stored row."""
    if not spans:
        return set()
    counts = run.store.stocks_per_day(
        [(code, days[span.first], days[span.last]) for code, span in spans.items()],
        run.request.adjustflag,
    )
    if not counts:
        return set()
    return {
        position
        for position, day in enumerate(days)
        if expecting[position] and counts.get(day) == expecting[position]
    }


def _expecting(spans: dict[str, _Span], days: int) -> list[int]:
    """How many stocks expect each day, by position."""
    change = [0] * (days + 1)  # a running sum of stocks starting and ending
    for span in spans.values():
        change[span.first] += 1
        change[span.last + 1] -= 1
    return list(itertools.accumulate(change))[:days]


def _mark_missed(spans: dict[str, _Span], position: int, received: set[str]) -> None:
    """Mark the stocks that expected day ``position`` but are not in ``received``."""
    for code, span in spans.items():
        if span.first <= position <= span.last and code not in received:
            span.missed = True


def _drop_covering(spans: dict[str, _Span], position: int) -> Iterator[Security]:
    """Stop fetching (and yield) the stocks that expected a day that failed."""
    covering = [code for code, span in spans.items() if span.first <= position <= span.last]
    for code in covering:
        yield spans.pop(code).security


def _finished(
    spans: dict[str, _Span], codes: Sequence[str]
) -> tuple[list[ItemResult], list[Security]]:
    """Items of the stocks whose last day this is, and those that missed a day."""
    done: list[ItemResult] = []
    incomplete: list[Security] = []
    now = dt.datetime.now()
    for code in codes:
        span = spans.pop(code, None)
        if span is None:
            continue
        if not span.missed:
            done.append(
                ItemResult(
                    code,
                    span.security.name,
                    ItemStatus.SUCCESS,
                    span.days,
                    attempts=1,
                    finished_at=now,
                )
            )
        else:
            incomplete.append(span.security)
    return done, incomplete
