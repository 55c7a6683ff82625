"""Collecting weekly, monthly and minute bars: stock by stock, checked, then stored.

One request per stock for its range (a few pages; a year of 5-minute bars is six), in
the job's own thread and session, so the polite request ceiling holds trivially. Each
stock's rows are checked (:mod:`~stockdesk.collect.frequency_checks`) and committed with
its job item in one transaction, then dropped: memory holds one stock's reply at a time.
Minute bars need the stock's traded days to know which days must have bars; they come
from one daily request (``tradestatus``) for the same range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.coverage import KnownCalendar
from stockdesk.collect.frequency_checks import (
    check_minute_bars,
    check_period_bars,
    period_dates,
)
from stockdesk.collect.jobcontext import JobContext
from stockdesk.db.framestore import FrameStore
from stockdesk.domain.errors import SourceError
from stockdesk.domain.frequency import FIRST_MINUTE_DAY, is_minutes, period_end
from stockdesk.domain.values import BAR_COLUMNS, ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

_STATUS = BAR_COLUMNS.index("tradestatus")
_DATE = BAR_COLUMNS.index("date")


def collect_frames(
    run: JobContext,
    source: BaostockSource,
    stocks: Sequence[Security],
    known: KnownCalendar,
    store: FrameStore,
) -> None:
    """Fetch, check and commit each stock's bars of the job's frequency."""
    today = dt.date.today()
    for security in stocks:
        run.check_cancel()
        item, rows = _one_stock(run, source, security, known, today)
        if item.status is ItemStatus.SUCCESS:
            store.commit_stock(run.job.id, run.request.frequency, rows, item)
        else:
            run.joblog.record_items(run.job.id, [item])
        run.count(item)


def _one_stock(
    run: JobContext,
    source: BaostockSource,
    security: Security,
    known: KnownCalendar,
    today: dt.date,
) -> tuple[ItemResult, list[tuple[Any, ...]]]:
    """One stock's checked rows and its item, or its failed item and no rows."""
    request = run.request
    frequency, adjustflag = request.frequency, request.adjustflag
    start, end = request.start_date, request.end_date
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

    return _fetch(fetch, check, security, run)


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
            security.code, security.name, ItemStatus.SUCCESS, len(rows), attempts, finished_at=now
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
    )
    return failed, []
