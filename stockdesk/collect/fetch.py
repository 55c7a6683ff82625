"""One day of the whole market, or one stock's range: fetched, checked, retried.

What a worker process runs, and the collector's own thread when it fetches alone. It
touches no database and imports nothing that does: the rows it returns are stored by
the process that owns the job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.checks import DataCheckError, check_bars
from stockdesk.collect.options import CollectOptions
from stockdesk.domain.errors import SourceError
from stockdesk.domain.frequency import DAILY
from stockdesk.domain.values import Bar, Factor, ItemResult, ItemStatus, Security
from stockdesk.source.baostock_source import BaostockSource

T = TypeVar("T")

DayPlan = dict[str, tuple[int, int]]
"""Each stock's first and last expected day, as positions in the job's calendar."""


def fetch_day(
    source: BaostockSource,
    day: dt.date,
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
) -> list[Bar] | None:
    """The day's checked bars, or None when the day failed every attempt.

    ``pause`` raises :class:`JobCancelled` on cancel; a cancelled request raises it too.
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


def planned_rows(bars: Sequence[Bar], plan: DayPlan, position: int) -> list[Bar]:
    """The rows of the stocks that expect day ``position``, once per stock.

    Run by the worker that fetched the day, so the parent gets only rows it stores.
    """
    kept = []
    seen = set()
    for bar in bars:
        code = bar[0]
        span = plan.get(code)
        if span is None or code in seen or not span[0] <= position <= span[1]:
            continue
        seen.add(code)
        kept.append(bar)
    return kept


def fetch_factors(
    source: BaostockSource,
    code: str,
    start: dt.date,
    end: dt.date,
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
) -> tuple[list[Factor], tuple[str, str] | None]:
    """A stock's ex-rights events in ``[start, end]`` and None, or no events and the
    (error code, message) of the last attempt: plain values, as they cross processes. A
    reply cut short is an error, never a short history."""
    error: SourceError | None = None
    for attempt in range(1, options.retries + 1):
        try:
            return source.adjust_factors(code, start, end), None
        except SourceError as failure:
            if failure.code == "cancelled":
                raise JobCancelled from None
            error = failure
            if not failure.retryable or attempt == options.retries:
                break
            say(f"{code} 的复权因子第 {attempt} 次获取失败：{failure}，稍后重试")
            pause(options.backoff * 2 ** (attempt - 1))
    assert error is not None, "options.retries must be at least 1"
    return [], (error.code, f"复权因子获取失败：{error}")


def fetch_day_factors(
    source: BaostockSource,
    day: dt.date,
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
) -> list[Factor] | None:
    """The market's ex-rights events of ``day``, or None when every attempt failed."""
    for attempt in range(1, options.retries + 1):
        try:
            return source.day_adjust_factors(day)
        except SourceError as failure:
            if failure.code == "cancelled":
                raise JobCancelled from None
            if not failure.retryable or attempt == options.retries:
                say(f"{day} 的复权因子获取失败：{failure}")
                return None
            pause(options.backoff * 2 ** (attempt - 1))
    return None


def fetch_stock(
    source: BaostockSource,
    security: Security,
    span: tuple[dt.date, dt.date],
    adjustflag: str,
    expected: Sequence[dt.date],
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
) -> tuple[ItemResult, list[Bar]]:
    """One stock's checked bars and its success item, or its failed item and no bars
    (retried as :func:`fetch_checked` says)."""

    def fetch() -> list[Bar]:
        bars = source.daily_bars(security.code, span[0], span[1], adjustflag)
        check_bars(bars, security.code, expected)
        return bars

    return fetch_checked(fetch, security, options, pause=pause, say=say)


def fetch_checked(
    fetch: Callable[[], list[T]],
    security: Security,
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
    frequency: str = DAILY,
) -> tuple[ItemResult, list[T]]:
    """What ``fetch`` (one stock's request and the check of its reply) returns, with a
    success item of ``frequency``'s bars, or a failed item and no rows.

    Retries retryable failures ``options.retries`` times, pausing with ``pause`` (which
    raises :class:`JobCancelled` on cancel); a cancelled request raises it too.
    """
    attempts = 0
    error: SourceError | None = None
    while attempts < options.retries:
        attempts += 1
        try:
            rows = fetch()
        except SourceError as failure:
            error = failure
            if failure.code == "cancelled":
                raise JobCancelled from None
            if not failure.retryable or attempts >= options.retries:
                break
            say(f"{security.code} 第 {attempts} 次失败：{failure}，稍后重试")
            pause(options.backoff * 2 ** (attempts - 1))
            continue
        item = ItemResult(
            security.code,
            security.name,
            ItemStatus.SUCCESS,
            len(rows),
            attempts,
            finished_at=dt.datetime.now(),
            frequency=frequency,
        )
        return item, rows
    assert error is not None, "options.retries must be at least 1"
    item = ItemResult(
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
    return item, []
