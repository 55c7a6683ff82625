"""The one place that decides how a job is fetched: by date or stock by stock, and by
how many worker sessions.

Fetching by date asks one request per trading day for the whole market (about 243 a year
instead of one per stock), but baostock serves it for unadjusted bars only, and each
reply carries every stock, so it pays only for a large universe over fewer days than
stocks. Everything else, and the stocks a by-date run could not finish, goes stock by
stock: in the collector's own thread with one session, or in worker processes with more.
"""

from __future__ import annotations

from dataclasses import dataclass

from stockdesk.collect.options import MAX_SESSIONS, CollectOptions
from stockdesk.domain.values import AdjustFlag, JobRequest

PER_DATE = "per-date"
PER_STOCK = "per-stock"
"""Names of the strategies, as the job log's ``strategy`` column stores them."""

PER_DATE_WORKERS = 2
"""Fewest worker sessions fetching by date: ~243 requests a year, within the shared
ceiling on requests per second, so the second session costs the server no extra
pressure, and while one waits for the server the other's reply is being parsed."""


@dataclass(frozen=True, slots=True)
class Strategy:
    """How to fetch: ``name`` is :data:`PER_DATE` or :data:`PER_STOCK`; ``workers`` the
    worker processes that fetch (0: the collector's thread fetches itself)."""

    name: str
    workers: int


INLINE_DAYS = 10
"""Most days an update fetches by date in the job's own thread: starting worker sessions
(~0.5 s each) would take longer than asking a few days."""


def choose_strategy(
    request: JobRequest, *, stocks: int, days: int, options: CollectOptions
) -> Strategy:
    """The strategy for ``stocks`` stocks to fetch over ``days`` trading days.

    An update asks by date whenever that is no more requests than asking by stock,
    whatever the number of stocks, and a few days in the job's own thread.
    """
    if (
        request.universe == "update"
        and request.adjustflag == AdjustFlag.NONE
        and 0 < days <= stocks
    ):
        if days <= INLINE_DAYS:
            return Strategy(PER_DATE, 0)
        return Strategy(PER_DATE, max(PER_DATE_WORKERS, _sessions(options)))
    if (
        request.adjustflag == AdjustFlag.NONE
        and stocks >= options.per_date_min_stocks
        and days < stocks
    ):
        return Strategy(PER_DATE, max(PER_DATE_WORKERS, _sessions(options)))
    return per_stock_strategy(stocks=stocks, options=options)


def per_stock_strategy(*, stocks: int, options: CollectOptions) -> Strategy:
    """Stock by stock: worker processes only when more than one session and one stock."""
    sessions = _sessions(options)
    return Strategy(PER_STOCK, sessions if sessions > 1 and stocks > 1 else 0)


def _sessions(options: CollectOptions) -> int:
    return max(1, min(options.sessions, MAX_SESSIONS))
