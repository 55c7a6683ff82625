"""Collecting weekly, monthly and minute bars: stock by stock, checked, then stored.

One request per stock for its range (a few pages; a year of 5-minute bars is six). With
one session it runs in the job's own thread; with more (:mod:`~stockdesk.collect.strategy`)
worker processes of a :class:`~stockdesk.collect.workers.WorkerPool` fetch, convert and
check (:mod:`~stockdesk.collect.frame_fetch`), and this process only writes. Either way
each stock's rows are committed with its job item in one transaction, then dropped:
memory holds a few stocks' replies at a time, never the job's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from stockdesk.collect.coverage import KnownCalendar
from stockdesk.collect.frame_fetch import FrameDays, fetch_frames
from stockdesk.collect.frequency_checks import period_dates
from stockdesk.collect.jobcontext import JobContext
from stockdesk.collect.strategy import per_stock_strategy
from stockdesk.collect.workers import WorkerPool
from stockdesk.db.framestore import FrameStore
from stockdesk.domain.frequency import FIRST_MINUTE_DAY, is_minutes, period_end
from stockdesk.domain.values import ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

FRAMES_AHEAD_PER_WORKER = 2
"""Stocks queued per worker. A year of 5-minute bars is ~12,000 rows a stock: two each
keep every worker busy while the replies waiting in the parent stay a few MB."""


def collect_frames(
    run: JobContext,
    source: BaostockSource,
    stocks: Sequence[Security],
    known: KnownCalendar,
    store: FrameStore,
) -> None:
    """Fetch, check and commit each stock's bars of the job's frequency."""
    today = dt.date.today()
    request = run.request
    frequency, adjustflag = request.frequency, request.adjustflag
    start, end = request.start_date, request.end_date
    if is_minutes(frequency):
        start = max(start, FIRST_MINUTE_DAY)
    workers = per_stock_strategy(stocks=len(stocks), options=run.options).workers
    if workers:
        source.logout()  # the workers' sessions do the fetching
        _collect_in_pool(run, stocks, known, store, (start, end), today, workers)
        return
    for security in stocks:
        run.check_cancel()
        expected = _expected(security, known, frequency, start, end, today)
        item, rows = fetch_frames(
            source,
            security,
            (start, end),
            frequency,
            adjustflag,
            expected,
            run.options,
            pause=run.pause,
            say=run.listener.message,
        )
        _record(run, store, item, rows)


def _collect_in_pool(
    run: JobContext,
    stocks: Sequence[Security],
    known: KnownCalendar,
    store: FrameStore,
    span: tuple[dt.date, dt.date],
    today: dt.date,
    workers: int,
) -> None:
    """Fetch in the pool's workers; commit each stock as it arrives, in the order they
    finish, each in its own transaction (its rows already fill a large one)."""
    frequency = run.request.frequency
    with WorkerPool(
        run.options, run.request, run.cancel, workers=workers, on_message=run.listener.message
    ) as pool:
        ahead = pool.workers * FRAMES_AHEAD_PER_WORKER
        queued = 0
        while queued < len(stocks) or pool.pending:
            while queued < len(stocks) and pool.pending < ahead:
                security = stocks[queued]
                expected = _expected(security, known, frequency, *span, today)
                pool.submit_frame(queued, security, span, expected)
                queued += 1
            item, rows = pool.take().payload
            _record(run, store, item, rows)


def _record(run: JobContext, store: FrameStore, item: ItemResult, rows: list[Any]) -> None:
    """Commit a finished stock (its rows and item in one transaction) and count it."""
    if item.status is ItemStatus.SUCCESS:
        store.commit_stock(run.job.id, run.request.frequency, rows, item)
    else:
        run.joblog.record_items(run.job.id, [item])
    run.count(item)


def _expected(
    security: Security,
    known: KnownCalendar,
    frequency: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> FrameDays:
    """What the calendar expects of ``security``'s reply (see :data:`FrameDays`)."""
    if is_minutes(frequency):
        listed = security.listed_between(start, end)
        days = known.between(*listed) if listed else []
        return days, days
    listed = security.listed_between(start, min(period_end(end, frequency), today))
    days = known.between(*listed) if listed else []
    required, allowed = period_dates(days, frequency, today)
    return [d for d in required if d <= end], [d for d in allowed if d <= end]
