"""Adjust factors: which stocks need them, fetched the cheapest way, stored as complete
only when complete.

A stock's factors are known up to ``factor_coverage.checked_through``: every event on or
before that day is stored. A job brings every stock it plans to the last trading day
the server has (the target). A stock known up to some day needs only the events after
it, and those of a day for the whole market come in one reply
(``query_daily_adjust_factor``); a stock never seen needs its whole history
(``query_adjust_factor(code, 1990-12-19, target)``; the client's own default start,
2015-01-01, would drop older events). The plan picks the day window that makes the
fewest requests: each day from the window's start to the target, plus one history for
each stock whose knowledge starts before the window. A day or a history that fails all
its attempts marks nothing as known; a stock whose history fails is a failed stock of
the job, and its bars are not fetched.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.coverage import ONE_DAY, KnownCalendar
from stockdesk.collect.fetch import fetch_day_factors, fetch_factors
from stockdesk.collect.jobcontext import JobContext
from stockdesk.collect.workers import WorkerPool
from stockdesk.domain.request import EARLIEST_DATE
from stockdesk.domain.values import Factor, ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

HISTORY_START = EARLIEST_DATE
"""Where every history request starts: the first trading day of the exchange."""
COMMIT_STOCKS = 200
"""Stocks whose histories are stored per transaction."""
POOL_MIN = 100
"""Fewest histories worth starting worker sessions for."""
MESSAGE_INTERVAL = 1.0


@dataclass
class FactorPlan:
    """What a job fetches of the adjust factors."""

    target: dt.date
    window: list[dt.date] = field(default_factory=list)
    """Trading days whose market-wide events are asked, one request each."""
    by_window: dict[str, dt.date] = field(default_factory=dict)
    """Stocks the window brings up to date, and the day each is then known to."""
    by_history: list[tuple[Security, dt.date]] = field(default_factory=list)
    """Stocks whose history is asked, and the day it is asked to."""

    @property
    def requests(self) -> int:
        return len(self.window) + len(self.by_history)


def plan_factors(
    stocks: Sequence[Security],
    checked: dict[str, dt.date],
    calendar: KnownCalendar,
    target: dt.date,
) -> FactorPlan:
    """The fewest requests that make every stock's factors known up to ``target`` (a
    delisted stock: up to its last day)."""
    needs: list[tuple[dt.date, Security, dt.date]] = []
    for security in stocks:
        until = min(target, security.out_date) if security.out_date else target
        known = checked.get(security.code)
        if known is not None and known >= until:
            continue
        start = known + ONE_DAY if known is not None else security.ipo_date or HISTORY_START
        needs.append((start, security, until))
    plan = FactorPlan(target)
    if not needs:
        return plan
    needs.sort(key=lambda need: (need[0], need[1].code))
    best_cost, best_window = len(needs), None
    for index, (start, _security, _until) in enumerate(needs):
        if index and start == needs[index - 1][0]:
            continue
        days = calendar.count(start, target) if start <= target else 0
        if days is None:
            continue
        if days + index < best_cost:
            best_cost, best_window = days + index, index
    if best_window is None:
        plan.by_history = [(security, until) for _start, security, until in needs]
        return plan
    window_start = needs[best_window][0]
    plan.window = calendar.between(window_start, target)
    plan.by_history = [(security, until) for _start, security, until in needs[:best_window]]
    plan.by_window = {security.code: until for _start, security, until in needs[best_window:]}
    return plan


def collect_factors(
    run: JobContext, source: BaostockSource, plan: FactorPlan, *, workers: int
) -> list[ItemResult]:
    """Fetch and store what ``plan`` asks; return failed items of the stocks whose factors
    could not be had (their bars are not to be fetched)."""
    if plan.requests == 0:
        return []
    run.listener.message(
        f"获取复权因子：{len(plan.window)} 个交易日、{len(plan.by_history)} 只股票的历史"
    )
    histories = list(plan.by_history)
    if plan.window and not _window(run, source, plan):
        run.listener.message("按日期获取复权因子失败，改为逐只获取")
        names = {s.code: s for s, _until in histories}
        histories.extend(
            (names.get(code) or Security(code, code), until)
            for code, until in plan.by_window.items()
        )
    if not histories:
        return []
    if workers and len(histories) >= POOL_MIN:
        source.logout()  # the workers' sessions do the fetching
        return _histories_in_pool(run, histories, workers)
    return _histories(run, source, histories)


def _window(run: JobContext, source: BaostockSource, plan: FactorPlan) -> bool:
    """Fetch the window's days; store their events with the stocks they make current,
    in one transaction, only when every day came."""
    events: list[Factor] = []
    for day in plan.window:
        run.check_cancel()
        got = fetch_day_factors(source, day, run.options, pause=run.pause, say=run.listener.message)
        if got is None:
            return False
        events.extend(event for event in got if event[0] in plan.by_window)
    run.coverage_store.save_factors(events, sorted(plan.by_window.items()))
    return True


def _histories(
    run: JobContext, source: BaostockSource, histories: Sequence[tuple[Security, dt.date]]
) -> list[ItemResult]:
    failed: list[ItemResult] = []
    events: list[Factor] = []
    checked: list[tuple[str, dt.date]] = []
    last_message = time.monotonic()
    for done, (security, until) in enumerate(histories, 1):
        run.check_cancel()
        got, error = fetch_factors(
            source,
            security.code,
            HISTORY_START,
            until,
            run.options,
            pause=run.pause,
            say=run.listener.message,
        )
        if error is None:
            events.extend(got)
            checked.append((security.code, until))
        else:
            failed.append(_failed(security, error))
        if len(checked) >= COMMIT_STOCKS:
            run.coverage_store.save_factors(events, checked)
            events, checked = [], []
        last_message = _progress(run, done, len(histories), last_message)
    run.coverage_store.save_factors(events, checked)
    return failed


def _histories_in_pool(
    run: JobContext, histories: Sequence[tuple[Security, dt.date]], workers: int
) -> list[ItemResult]:
    failed: list[ItemResult] = []
    events: list[Factor] = []
    checked: list[tuple[str, dt.date]] = []
    last_message = time.monotonic()
    with WorkerPool(
        run.options, run.request, run.cancel, workers=workers, on_message=run.listener.message
    ) as pool:
        ahead = pool.workers * 4
        queued = done = 0
        try:
            while queued < len(histories) or pool.pending:
                while queued < len(histories) and pool.pending < ahead:
                    security, until = histories[queued]
                    pool.submit_factors(queued, security.code, HISTORY_START, until)
                    queued += 1
                result = pool.take()
                done += 1
                security, until = histories[result.key]
                got, error = result.payload
                if error is None:
                    events.extend(got)
                    checked.append((security.code, until))
                else:
                    failed.append(_failed(security, error))
                if len(checked) >= COMMIT_STOCKS:
                    run.coverage_store.save_factors(events, checked)
                    events, checked = [], []
                last_message = _progress(run, done, len(histories), last_message)
        except JobCancelled:
            run.coverage_store.save_factors(events, checked)
            raise
    run.coverage_store.save_factors(events, checked)
    return failed


def _progress(run: JobContext, done: int, total: int, last: float) -> float:
    run.work_done = None
    if time.monotonic() - last < MESSAGE_INTERVAL:
        return last
    run.listener.message(f"获取复权因子：{done}/{total}")
    return time.monotonic()


def _failed(security: Security, error: tuple[str, str]) -> ItemResult:
    code, message = error
    return ItemResult(
        security.code, security.name, ItemStatus.FAILED, 0, 3, code, message, dt.datetime.now()
    )
