"""Fetching date by date: one request per trading day returns every A-share's bar.

A market-year is about 243 requests instead of 5,000 (DESIGN §7), but the server only
offers it for unadjusted bars, and each reply carries the whole market, so it pays only
for a large universe. The job still reports per stock: a stock is done when its last
expected day is stored, and its item is committed with that day's rows. Stocks a failed
day or a missing row leaves incomplete are handed back for the per-stock path, so every
stock ends with an exact outcome.

Days are fetched and parsed by the worker processes of a :class:`SessionPool` a few days
ahead of the parent, which meanwhile writes: fetching and storing overlap. Two sessions at
least: while one waits for the server, the other's reply is being parsed. Each day's rows
go into a :class:`~stockdesk.db.barstore.BarBatch` (an open transaction) at once and are
committed every :data:`COMMIT_SECONDS` or :data:`COMMIT_ROWS`: a day touches one index
page per stock, so committing many days at once writes each page once for all of them.
Memory holds a few days' rows, whatever the range.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from stockdesk.core.checks import DataCheckError, TradingCalendar
from stockdesk.core.domain import AdjustFlag, Bar, ItemResult, ItemStatus, JobRequest, Security
from stockdesk.core.errors import ServerGoneError, SourceError
from stockdesk.core.jobcontext import JobCancelled, JobContext
from stockdesk.core.parallel import SessionPool
from stockdesk.core.source import BaostockSource

if TYPE_CHECKING:
    from stockdesk.core.collector import CollectOptions
    from stockdesk.db.barstore import BarBatch

PER_DATE = "per-date"
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
SESSIONS = 2
"""Fewest sessions fetching by date: ~243 requests a year, within the shared ceiling on
requests per second, so the second session costs the server no extra pressure."""
AHEAD_PER_SESSION = 2
"""Days each session may fetch ahead of the day being stored."""


def prefer_per_date(
    request: JobRequest, stocks: int, days: int, options: CollectOptions
) -> bool:
    """Whether fetching by date is the better plan for this job.

    Only unadjusted bars exist per date; the universe must be large, and there must be
    fewer trading days than stocks, or fetching per stock sends fewer requests (and each
    per-date reply carries the whole market, not only the stocks wanted).
    """
    return (
        request.adjustflag == AdjustFlag.NONE
        and stocks >= options.per_date_min_stocks
        and days < stocks
    )


@dataclasses.dataclass(slots=True)
class _Span:
    """A stock's expected days as positions in the calendar, and its rows so far."""

    security: Security
    first: int
    last: int
    rows: int = 0


def collect_per_date(
    run: JobContext,
    source: BaostockSource,
    stocks: Sequence[Security],
    calendar: TradingCalendar,
) -> list[Security]:
    """Fetch ``stocks`` day by day; return the stocks left for the per-stock path."""
    source.logout()  # the pool's sessions do the fetching; keep one connection per session
    sessions = max(SESSIONS, run.options.sessions)
    with (SessionPool(run.options, run.request, run.cancel, sessions=sessions) as pool,
          run.store.batch(run.job.id) as batch):
        pool.on_message = run.listener.message
        return _DayRun(run, pool, batch, stocks, calendar).collect()


class _DayRun:
    """Days in calendar order: fetched ahead by the pool, stored and completed in order."""

    def __init__(self, run: JobContext, pool: SessionPool, batch: BarBatch,
                 stocks: Sequence[Security], calendar: TradingCalendar) -> None:
        self.run = run
        self.pool = pool
        self.batch = batch
        self.days = calendar.days
        self.spans = _spans(stocks, calendar, run.request)
        self.ending: dict[int, list[str]] = {}
        for code, span in self.spans.items():
            self.ending.setdefault(span.last, []).append(code)
        self.leftover: list[Security] = []
        self.done: list[ItemResult] = []
        """Stocks whose rows are all in the open transaction, to commit with it."""
        self.stored = _stored_days(run, self.spans, self.days)
        """Positions of days every stock expecting them has stored already (a resumed or
        re-run job): not fetched again."""

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
                    self._store_day(position, day, ())
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
                    continue
                failed_in_a_row = 0
                self._store_day(position, day, bars)
                run.work_done = self._work_done(position)
                run.report_progress()
                if time.monotonic() - last_message >= MESSAGE_INTERVAL:
                    last_message = time.monotonic()
                    run.listener.message(
                        f"按日期采集：第 {position + 1}/{len(days)} 个交易日 {day}")
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
        return self.pool.sessions * AHEAD_PER_SESSION

    def _store_day(self, position: int, day: dt.date, bars: Sequence[Bar]) -> None:
        """Store a fetched day's rows, or count a stored day's (``bars`` empty), and finish
        the stocks whose last day it is."""
        if position in self.stored:
            for span in self.spans.values():
                span.rows += span.first <= position <= span.last
        self.batch.add(_keep(bars, self.spans, position, day.isoformat()))
        done, incomplete = _finished(self.spans, self.ending.get(position, ()), position)
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
        self.batch.commit(self.done)
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
            spans[security.code] = _Span(security, position[expected[0]],
                                         position[expected[-1]])
    return spans


def _stored_days(run: JobContext, spans: dict[str, _Span], days: Sequence[dt.date]) -> set[int]:
    """Positions of the days on which every stock expecting them has a stored row."""
    if not spans:
        return set()
    counts = run.store.stocks_per_day(
        [(code, days[span.first], days[span.last]) for code, span in spans.items()],
        run.request.adjustflag,
    )
    if not counts:
        return set()
    change = [0] * (len(days) + 1)  # expecting stocks per day, by a running sum
    for span in spans.values():
        change[span.first] += 1
        change[span.last + 1] -= 1
    expecting = list(itertools.accumulate(change))
    return {position for position, day in enumerate(days)
            if expecting[position] and counts.get(day) == expecting[position]}


def fetch_day(
    source: BaostockSource,
    day: dt.date,
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
) -> list[Bar] | None:
    """The day's checked bars, or None when the day failed every attempt.

    Touches no database: the pool's worker processes run it. ``pause`` raises
    :class:`JobCancelled` on cancel; a cancelled request raises it too.
    """
    for attempt in range(1, options.retries + 1):
        try:
            bars = source.day_bars(day)
            _check_day(bars, day.isoformat())
            return bars
        except SourceError as failure:
            if failure.code == "cancelled":
                raise JobCancelled from None
            if not failure.retryable or attempt == options.retries:
                say(f"{day} 的按日期数据获取失败：{failure}")
                return None
            say(f"{day} 第 {attempt} 次失败：{failure}，稍后重试")
            pause(options.backoff * 2 ** (attempt - 1))
    return None


def _check_day(bars: Sequence[Bar], iso_day: str) -> None:
    """A reply holding another day's rows is a mixed-up transfer, not data."""
    other = next((bar[1] for bar in bars if bar[1] != iso_day), None)
    if other is not None:
        raise DataCheckError(f"数据校验失败：{iso_day} 的回复中含有 {other} 的数据")


def _keep(bars: Sequence[Bar], spans: dict[str, _Span], position: int,
          iso_day: str) -> list[Bar]:
    """The rows of stocks still being fetched that expect this day, once per stock."""
    kept = []
    seen = set()
    for bar in bars:
        code = bar[0]
        span = spans.get(code)
        if span is None or code in seen or not span.first <= position <= span.last:
            continue
        seen.add(code)
        span.rows += 1
        kept.append(bar)
    return kept


def _drop_covering(spans: dict[str, _Span], position: int) -> Iterator[Security]:
    """Stop fetching (and yield) the stocks that expected a day that failed."""
    covering = [code for code, span in spans.items() if span.first <= position <= span.last]
    for code in covering:
        yield spans.pop(code).security


def _finished(
    spans: dict[str, _Span], codes: Sequence[str], position: int
) -> tuple[list[ItemResult], list[Security]]:
    """Items of the stocks whose last day this is, and those that missed a day."""
    done: list[ItemResult] = []
    incomplete: list[Security] = []
    now = dt.datetime.now()
    for code in codes:
        span = spans.pop(code, None)
        if span is None:
            continue
        if span.rows == span.last - span.first + 1:
            done.append(ItemResult(code, span.security.name, ItemStatus.SUCCESS, span.rows,
                                   attempts=1, finished_at=now))
        else:
            incomplete.append(span.security)
    return done, incomplete
