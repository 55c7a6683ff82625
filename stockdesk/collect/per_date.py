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
from stockdesk.collect.fetch import DayPlan, fetch_day, planned_rows
from stockdesk.collect.jobcontext import JobContext
from stockdesk.collect.workers import Result, WorkerPool
from stockdesk.domain.errors import ServerGoneError
from stockdesk.domain.request import EARLIEST_DATE as HISTORY_START
from stockdesk.domain.values import Bar, Coverage, ItemResult, ItemStatus, Security
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
    histories: Sequence[tuple[Security, dt.date]] = (),
) -> tuple[list[Security], list[ItemResult]]:
    """Fetch ``stocks`` day by day in ``workers`` worker processes; return the stocks
    left for the per-stock path, and the failed items of stocks whose adjust factors
    could not be had.

    ``histories`` (stocks of ``stocks`` and the day to ask their factor history up to)
    are fetched by the same workers between the days, so that a fresh database's
    one-request-per-stock factor histories overlap the writing instead of preceding it;
    a stock's item waits for its history. Only with workers.
    """
    spans = _spans(stocks, calendar, run)
    plan = {code: (span.first, span.last) for code, span in spans.items()}
    run.coverage.partial.update(spans)  # rows committed before a stock completes
    if workers:
        source.logout()  # the workers' sessions do the fetching; one connection per session
        pool: WorkerPool | InlinePool = WorkerPool(
            run.options,
            run.request,
            run.cancel,
            workers=workers,
            on_message=run.listener.message,
            day_plan=plan,
        )
    else:
        pool = InlinePool(run, source, plan)
    with pool, run.store.batch(run.job.id) as batch:
        day_run = _DayRun(run, pool, batch, spans, calendar, histories if workers else ())
        return day_run.collect(), day_run.factor_failures()


class InlinePool:
    """Days fetched in the job's own thread, for a few days (an update): starting worker
    processes would take longer than fetching them. The same interface as
    :class:`~stockdesk.collect.workers.WorkerPool` for the days."""

    workers = 1

    def __init__(self, run: JobContext, source: BaostockSource, plan: DayPlan) -> None:
        self._run = run
        self._source = source
        self._plan = plan
        self._queue: list[tuple[int, dt.date]] = []

    def __enter__(self) -> InlinePool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._queue.clear()

    def submit_day(self, key: int, day: dt.date) -> None:
        self._queue.append((key, day))

    def next_result(self, block: bool = True, timeout: float | None = None) -> Result | None:
        del block, timeout  # a fetch here is never waited for: it is done at once
        key, day = self._queue.pop(0)
        run = self._run
        bars = fetch_day(self._source, day, run.options, pause=run.pause, say=run.listener.message)
        return Result("day", key, None if bars is None else planned_rows(bars, self._plan, key))


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
        pool: WorkerPool | InlinePool,
        batch: BarBatch,
        spans: dict[str, _Span],
        calendar: TradingCalendar,
        histories: Sequence[tuple[Security, dt.date]] = (),
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
        self.finished: dict[str, tuple[int, int]] = {}
        """First and last day positions of stocks finished by date."""
        self.done: list[ItemResult] = []
        """Stocks whose rows are all in the open transaction, to commit with it."""
        self.stored = _stored_days(run, self.spans, self.days, self.expecting)
        """Positions of days every stock expecting them has stored already (a resumed or
        re-run job): not fetched again."""
        self.histories = list(histories)
        self.next_history = 0
        self.histories_out = 0
        self.history_pending = {security.code for security, _until in self.histories}
        """Stocks whose factor history has not been stored yet."""
        self.waiting: dict[str, ItemResult] = {}
        """Stocks whose days are all stored, waiting for their factor history."""
        self.factor_failed: dict[str, ItemResult] = {}
        self.failed_items: list[ItemResult] = []
        """Failed items to commit with the open transaction."""
        self.logged_failed: set[str] = set()
        self.answered = False
        """Whether a day came: histories are asked between days only from then on."""
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
                    if isinstance(self.pool, WorkerPool):
                        self.pool.skip_days()  # the days queued are not asked any more
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
                self._submit_histories()
                while position not in ready:
                    result = self.pool.next_result(timeout=self._commit_due())
                    if result is None:
                        self._commit()
                    elif result.kind == "factors":
                        self._factor_result(result)
                        self._submit_histories()
                    else:
                        ready[result.key] = result.payload
                bars = ready.pop(position)
                if bars is None:
                    failed_in_a_row += 1
                    self.leftover.extend(_drop_covering(self.spans, position))
                    self.dropped = True
                    continue
                failed_in_a_row = 0
                self.answered = True
                self._store_day(position, bars)
                run.work_done = self._work_done(position)
                run.report_progress()
                if time.monotonic() - last_message >= MESSAGE_INTERVAL:
                    last_message = time.monotonic()
                    run.listener.message(
                        f"按日期采集：第 {position + 1}/{len(days)} 个交易日 {day}"
                    )
            self._finish_histories()
            self._commit()
        except (JobCancelled, ServerGoneError):
            self._commit()  # what was fetched is kept, and so are the stocks it completes
            raise
        finally:
            run.work_done = None  # the leftovers, if any, are counted in stocks
        self.leftover = [s for s in self.leftover if s.code not in self.factor_failed]
        if self.leftover:
            run.listener.message(f"{len(self.leftover)} 只股票的按日期数据不完整，改为逐只采集")
        return sorted(self.leftover, key=lambda security: security.code)

    def factor_failures(self) -> list[ItemResult]:
        """Items of stocks whose factors failed and that were not committed as such (they
        had not finished by date): the caller logs them."""
        committed = {item.code for item in self.failed_items}
        return [
            item
            for code, item in sorted(self.factor_failed.items())
            if code not in committed and code not in self.logged_failed
        ]

    def _submit_histories(self) -> None:
        """Keep two factor histories per worker queued between the days."""
        pool = self.pool
        if not isinstance(pool, WorkerPool) or not self.answered:
            return  # not before the server has answered a day: it may not serve them
        while self.next_history < len(self.histories) and self.histories_out < pool.workers * 2:
            security, until = self.histories[self.next_history]
            pool.submit_factors(self.next_history, security.code, HISTORY_START, until)
            self.next_history += 1
            self.histories_out += 1

    def _factor_result(self, result: Result) -> None:
        """Store a stock's factor history with the open transaction, or note its failure;
        a stock waiting for it is then done (or failed)."""
        self.histories_out -= 1
        security, until = self.histories[result.key]
        code = security.code
        events, error = result.payload
        self.history_pending.discard(code)
        if error is None:
            self.batch.add_factors(events, [(code, until)])
            item = self.waiting.pop(code, None)
            if item is not None:
                self.done.append(item)
            return
        failed = ItemResult(
            code,
            security.name,
            ItemStatus.FAILED,
            0,
            self.run.options.retries,
            error[0],
            error[1],
            dt.datetime.now(),
        )
        self.factor_failed[code] = failed
        if self.waiting.pop(code, None) is not None:
            self.failed_items.append(failed)

    def _finish_histories(self) -> None:
        """After the last day: the histories still to come, committing meanwhile."""
        self.answered = True
        while self.next_history < len(self.histories) or self.histories_out:
            self._submit_histories()
            result = self.pool.next_result(timeout=self._commit_due())
            if result is None:
                self._commit()
            elif result.kind == "factors":
                self._factor_result(result)
            self.run.check_cancel()

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
        for code in self.ending.get(position, ()):
            span = self.spans.get(code)
            if span is not None:
                self.finished[code] = (span.first, span.last)
        done, incomplete = _finished(self.spans, self.ending.get(position, ()))
        for item in done:
            if item.code in self.factor_failed:
                self.failed_items.append(self.factor_failed[item.code])
            elif item.code in self.history_pending:
                self.waiting[item.code] = item
            else:
                self.done.append(item)
        self.leftover.extend(incomplete)
        if self.batch.rows >= COMMIT_ROWS or self._commit_due() == 0.0:
            self._commit()

    def _work_done(self, position: int) -> float:
        """Finished stocks, plus those still fetched by date in proportion to the days
        stored: the bar moves day by day instead of jumping to 100% on the last one."""
        days = (position + 1) / len(self.days)
        done = (
            self.run.processed
            + len(self.done)
            + len(self.waiting)
            + len(self.failed_items)
            + len(self.spans) * days
        )
        return done / max(1, self.run.total)

    def _commit_due(self) -> float | None:
        """Seconds until the open transaction must be committed; None when none is open."""
        age = self.batch.age()
        return None if age is None else max(0.0, COMMIT_SECONDS - age)

    def _commit(self) -> None:
        coverage: list[Coverage] = []
        for item in self.done:
            first, last = self.finished[item.code]
            coverage.append(
                self.run.coverage.complete(item.code, self.days[first], self.days[last], item.rows)
            )
        items = [*self.done, *self.failed_items]
        progress = int(self._work_done(self.through) * 100)
        self.batch.commit(items, coverage, progress=progress)
        self.logged_failed.update(item.code for item in self.failed_items)
        self.done, self.failed_items = [], []
        for item in items:
            self.run.count(item)


def _spans(
    stocks: Sequence[Security], calendar: TradingCalendar, run: JobContext
) -> dict[str, _Span]:
    position = {day: index for index, day in enumerate(calendar.days)}
    spans = {}
    for security in stocks:
        expected = calendar.expected_days(security, *run.span(security))
        if expected:
            spans[security.code] = _Span(security, position[expected[0]], position[expected[-1]])
    return spans


def _stored_days(
    run: JobContext, spans: dict[str, _Span], days: Sequence[dt.date], expecting: Sequence[int]
) -> set[int]:
    """Positions of the days on which every stock expecting them (``expecting`` per
    position) has a stored row."""
    if not spans:
        return set(range(len(days)))
    counts = run.store.stocks_per_day(
        [(code, days[span.first], days[span.last]) for code, span in spans.items()],
        run.request.adjustflag,
    )
    return {
        position for position, day in enumerate(days) if counts.get(day, 0) == expecting[position]
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
