"""Collecting weekly, monthly and minute bars: stock by stock, checked, then stored.

One request per stock for its range (a few pages; a year of 5-minute bars is six). With
one session it runs in the job's own thread; with more (:mod:`~stockdesk.collect.strategy`)
worker processes of a :class:`~stockdesk.collect.workers.WorkerPool` fetch, convert and
check (:mod:`~stockdesk.collect.frame_fetch`), and this process only writes. Either way
each stock's rows are committed with its job item and its ``frame_coverage`` row in one
transaction, then dropped: memory holds a few stocks' replies at a time, never the job's.
What is planned, skipped and known complete comes from :mod:`~stockdesk.collect.frame_plan`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stockdesk.collect.coverage import KnownCalendar
from stockdesk.collect.frame_fetch import FrameDays, fetch_frames
from stockdesk.collect.frame_plan import FramePlan, FrameTask, merged_span
from stockdesk.collect.frequency_checks import period_dates
from stockdesk.collect.jobcontext import JobContext
from stockdesk.collect.strategy import per_stock_strategy
from stockdesk.collect.workers import WorkerPool
from stockdesk.db.framestore import FinishedStock, FrameStore
from stockdesk.domain.frequency import FIRST_MINUTE_DAY, is_minutes, period_end
from stockdesk.domain.values import ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

FRAMES_AHEAD_PER_WORKER = 2
"""Stocks queued per worker. A year of 5-minute bars is ~12,000 rows a stock: two each
keep every worker busy while the replies waiting in the parent stay a few MB."""


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
    workers = per_stock_strategy(stocks=len(plan.tasks), options=run.options).workers
    if workers:
        source.logout()  # the workers' sessions do the fetching
        _collect_in_pool(run, plan, known, store, today, workers)
        return
    for task in plan.tasks:
        run.check_cancel()
        span = _span(plan, task)
        item, rows = fetch_frames(
            source,
            task.security,
            span,
            plan.frequency,
            plan.adjustflag,
            _expected(task.security, known, plan.frequency, *span, today),
            run.options,
            pause=run.pause,
            say=run.listener.message,
        )
        _record(run, store, plan, task, known, item, rows)


def _collect_in_pool(
    run: JobContext,
    plan: FramePlan,
    known: KnownCalendar,
    store: FrameStore,
    today: dt.date,
    workers: int,
) -> None:
    """Fetch in the pool's workers; commit each stock as it arrives, in the order they
    finish, each in its own transaction (its rows already fill a large one)."""
    tasks = plan.tasks
    with WorkerPool(
        run.options, run.request, run.cancel, workers=workers, on_message=run.listener.message
    ) as pool:
        ahead = pool.workers * FRAMES_AHEAD_PER_WORKER
        queued = 0
        while queued < len(tasks) or pool.pending:
            while queued < len(tasks) and pool.pending < ahead:
                task = tasks[queued]
                span = _span(plan, task)
                expected = _expected(task.security, known, plan.frequency, *span, today)
                pool.submit_frame(
                    queued, task.security, span, expected, (plan.frequency, plan.adjustflag)
                )
                queued += 1
            result = pool.take()
            item, rows = result.payload
            _record(run, store, plan, tasks[result.key], known, item, rows)


def _span(plan: FramePlan, task: FrameTask) -> tuple[dt.date, dt.date]:
    """The days to ask of the task's stock: minute bars exist from 1999-07-26 only."""
    if is_minutes(plan.frequency):
        return max(task.start, FIRST_MINUTE_DAY), task.end
    return task.start, task.end


def _record(
    run: JobContext,
    store: FrameStore,
    plan: FramePlan,
    task: FrameTask,
    known: KnownCalendar,
    item: ItemResult,
    rows: list[Any],
) -> None:
    """Commit a finished stock (its rows, coverage and item in one transaction) and
    count it."""
    complete = None
    last = min(task.end, plan.cutoff)
    if item.status is ItemStatus.SUCCESS and task.start <= last:
        complete = merged_span(plan.stored.get(task.security.code), (task.start, last), known)
    finished = FinishedStock(item, rows, complete)
    for row in store.commit_stocks(run.job.id, plan.frequency, plan.adjustflag, [finished]):
        plan.stored[row.code] = row
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
