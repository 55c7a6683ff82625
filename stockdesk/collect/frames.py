"""Collecting weekly, monthly and minute bars: stock by stock, checked, then stored.

One request per stock for its range (a few pages; a year of 5-minute bars is six), in
the job's own thread and session, so the polite request ceiling holds trivially. Each
stock's rows are checked (:mod:`~stockdesk.collect.frequency_checks`) and committed with
its job item in one transaction, then dropped: memory holds one stock's reply at a time.
Minute bars need the stock's traded days to know which days must have bars; they come
from one daily request (``tradestatus``) for the same range. What is planned, skipped
and known complete comes from :mod:`~stockdesk.collect.frame_plan`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.coverage import KnownCalendar
from stockdesk.collect.frame_plan import FramePlan, FrameTask, merged_span
from stockdesk.collect.frequency_checks import (
    check_minute_bars,
    check_period_bars,
    period_dates,
)
from stockdesk.collect.jobcontext import JobContext
from stockdesk.db.framestore import FinishedStock, FrameStore
from stockdesk.domain.errors import SourceError
from stockdesk.domain.frequency import FIRST_MINUTE_DAY, is_minutes, period_end
from stockdesk.domain.values import BAR_COLUMNS, ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

_STATUS = BAR_COLUMNS.index("tradestatus")
_DATE = BAR_COLUMNS.index("date")


def collect_frames(
    run: JobContext,
    source: BaostockSource,
    plan: FramePlan,
    known: KnownCalendar,
    store: FrameStore,
) -> None:
    """Fetch, check and commit each planned stock's bars of the plan's frequency, with
    the days it is now known complete over (:mod:`~stockdesk.collect.frame_plan`)."""
    today = dt.date.today()
    for task in plan.tasks:
        run.check_cancel()
        item, rows = _one_stock(run, source, plan, task, known, today)
        complete = None
        if item.status is ItemStatus.SUCCESS and task.start <= min(task.end, plan.cutoff):
            checked = (task.start, min(task.end, plan.cutoff))
            complete = merged_span(plan.stored.get(task.security.code), checked, known)
        finished = FinishedStock(item, rows, complete)
        for row in store.commit_stocks(run.job.id, plan.frequency, plan.adjustflag, [finished]):
            plan.stored[row.code] = row
        run.count(item)


def _one_stock(
    run: JobContext,
    source: BaostockSource,
    plan: FramePlan,
    task: FrameTask,
    known: KnownCalendar,
    today: dt.date,
) -> tuple[ItemResult, list[tuple[Any, ...]]]:
    """One stock's checked rows and its item, or its failed item and no rows."""
    frequency, adjustflag, security = plan.frequency, plan.adjustflag, task.security
    start, end = task.start, task.end
    if is_minutes(frequency):
        start = max(start, FIRST_MINUTE_DAY)

    def fetch() -> list[tuple[Any, ...]]:
        return source.frequency_bars(security.code, start, end, frequency, adjustflag)

    def check(rows: list[tuple[Any, ...]]) -> None:
        if is_minutes(frequency):
            traded = _traded_days(source, security.code, start, end, adjustflag)
            check_minute_bars(rows, security.code, frequency, traded)
        else:
            required, allowed = _period_days(security, known, frequency, start, end, today)
            check_period_bars(rows, security.code, required, allowed)

    return _fetch(fetch, check, security, frequency, run)


def _period_days(
    security: Security,
    known: KnownCalendar,
    frequency: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> tuple[list[dt.date], list[dt.date]]:
    """The dates the stock's period bars in ``[start, end]`` must and may have."""
    listed = security.listed_between(start, min(period_end(end, frequency), today))
    days = known.between(*listed) if listed else []
    required, allowed = period_dates(days, frequency, today)
    return [d for d in required if d <= end], [d for d in allowed if d <= end]


def _traded_days(
    source: BaostockSource, code: str, start: dt.date, end: dt.date, adjustflag: str
) -> list[dt.date]:
    """The days ``code`` traded in ``[start, end]``: a suspended day has no minute bars."""
    return [
        dt.date.fromisoformat(bar[_DATE])
        for bar in source.daily_bars(code, start, end, adjustflag)
        if bar[_STATUS] == 1
    ]


def _fetch(
    fetch: Callable[[], list[tuple[Any, ...]]],
    check: Callable[[list[tuple[Any, ...]]], None],
    security: Security,
    frequency: str,
    run: JobContext,
) -> tuple[ItemResult, list[tuple[Any, ...]]]:
    """The checked rows and a success item, or a failed item: retried like daily bars."""
    options = run.options
    error: SourceError | None = None
    attempts = 0
    while attempts < options.retries:
        attempts += 1
        try:
            rows = fetch()
            check(rows)
        except SourceError as failure:
            error = failure
            if failure.code == "cancelled":
                raise JobCancelled from None
            if not failure.retryable or attempts >= options.retries:
                break
            run.listener.message(f"{security.code} 第 {attempts} 次失败：{failure}，稍后重试")
            run.pause(options.backoff * 2 ** (attempts - 1))
            continue
        now = dt.datetime.now()
        return ItemResult(
            security.code,
            security.name,
            ItemStatus.SUCCESS,
            len(rows),
            attempts,
            finished_at=now,
            frequency=frequency,
        ), rows
    assert error is not None, "options.retries must be at least 1"
    failed = ItemResult(
        security.code,
        security.name,
        ItemStatus.FAILED,
        0,
        attempts,
        error.code,
        str(error),
        dt.datetime.now(),
        frequency,
    )
    return failed, []
