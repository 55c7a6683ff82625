"""Fetching stock by stock: one request (a few pages) per stock for its whole range.

The general path: it serves every adjust type and any universe, and it is where the
per-date strategy sends the stocks it could not finish. Without workers it runs in the
collector's thread; with them, :func:`~stockdesk.collect.fetch.fetch_stock` runs in the
worker processes of a :class:`~stockdesk.collect.workers.WorkerPool` and this process
commits what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from stockdesk.collect.checks import TradingCalendar
from stockdesk.collect.fetch import fetch_stock
from stockdesk.collect.jobcontext import JobContext
from stockdesk.collect.workers import WorkerPool
from stockdesk.domain.values import Bar, ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

STOCKS_AHEAD_PER_WORKER = 4
"""Stocks queued per worker, so no worker waits for this process to hand out work."""
COMMIT_STOCKS = 50
"""Most stocks the worker path commits in one transaction (20+ stocks per commit wrote
~300k rows/s against ~180k for one, measured with SQLite)."""


def collect_per_stock(
    run: JobContext,
    source: BaostockSource,
    stocks: Sequence[Security],
    calendar: TradingCalendar,
    *,
    workers: int,
) -> None:
    """Fetch and commit the stocks one after another, each in its own transaction.

    One stock per commit keeps "logged as done" equal to "stored" at every instant, and
    only one stock's rows are in memory at a time. With ``workers`` (see
    :mod:`~stockdesk.collect.strategy`), worker processes fetch instead of this thread.
    """
    if workers:
        source.logout()  # the workers' sessions do the fetching
        _collect_in_pool(run, stocks, calendar, workers)
        return
    request = run.request
    for security in stocks:
        run.check_cancel()
        span = run.span(security)
        expected = calendar.expected_days(security, *span)
        item, bars = fetch_stock(
            source,
            security,
            span,
            request.adjustflag,
            expected,
            run.options,
            pause=run.pause,
            say=run.listener.message,
        )
        record(run, [(item, bars)])


def _collect_in_pool(
    run: JobContext, stocks: Sequence[Security], calendar: TradingCalendar, workers: int
) -> None:
    """Fetch in the pool's workers; commit whatever has arrived, up to
    :data:`COMMIT_STOCKS` stocks per transaction, in the order they finish."""
    request = run.request
    with WorkerPool(
        run.options, request, run.cancel, workers=workers, on_message=run.listener.message
    ) as pool:
        ahead = pool.workers * STOCKS_AHEAD_PER_WORKER
        queued = 0
        while queued < len(stocks) or pool.pending:
            while queued < len(stocks) and pool.pending < ahead:
                security = stocks[queued]
                span = run.span(security)
                pool.submit_stock(queued, security, span, calendar.expected_days(security, *span))
                queued += 1
            finished = [pool.take()]
            for result in pool.drain():
                finished.append(result)
                if len(finished) >= COMMIT_STOCKS:
                    break
            record(run, [result.payload for result in finished])


def record(run: JobContext, results: Sequence[tuple[ItemResult, Sequence[Bar]]]) -> None:
    """Commit finished stocks (rows and items in one transaction) and count them."""
    stored = [(item, bars) for item, bars in results if item.status is ItemStatus.SUCCESS]
    others = [item for item, _bars in results if item.status is not ItemStatus.SUCCESS]
    if stored:
        coverage = [
            run.coverage.complete(
                item.code,
                dt.date.fromisoformat(bars[0][1]),
                dt.date.fromisoformat(bars[-1][1]),
                len(bars),
            )
            for item, bars in stored
            if bars
        ]
        run.store.commit_stocks(run.job.id, stored, coverage)
    if others:
        run.joblog.record_items(run.job.id, others)
    for item, _bars in results:
        run.count(item)
