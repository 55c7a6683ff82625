"""One stock's weekly, monthly or minute bars: fetched, checked, retried.

What a worker process runs for a frame task, and the job's own thread when it fetches
alone. Like :mod:`~stockdesk.collect.fetch` it touches no database and imports nothing
that does: it gets plain values (the stock, its range, the days the calendar expects)
and returns plain values (its item and its rows), which the job's process stores.

Minute bars must hold a full day for each day the stock traded, and a suspended day has
none; which days it traded only a daily request (``tradestatus``) tells. That request is
asked only when the minute reply lacks some of the stock's listed trading days (the
exchange calendar's days within its listing): a reply holding bars on every one of them
left out no day, suspended or lost. A page lost on a day boundary takes whole days with
it; those days are then missing from the reply, the daily request follows, and the
check fails the stock as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from stockdesk.collect.fetch import fetch_checked
from stockdesk.collect.frequency_checks import check_minute_bars, check_period_bars
from stockdesk.collect.options import CollectOptions
from stockdesk.domain.frequency import is_minutes
from stockdesk.domain.values import BAR_COLUMNS, ItemResult, Security
from stockdesk.source.baostock_source import BaostockSource

FrameDays = tuple[list[dt.date], list[dt.date]]
"""What the calendar expects of a stock's reply, ``(required, allowed)``: for weekly and
monthly bars the bar dates it must and may hold; for minute bars the stock's listed
trading days, twice (each must have a full day of bars unless the stock was suspended)."""

_STATUS = BAR_COLUMNS.index("tradestatus")
_DATE = BAR_COLUMNS.index("date")
_TRADING_DAY = 4
"""Position of ``trading_day`` in a minute row."""


def fetch_frames(
    source: BaostockSource,
    security: Security,
    span: tuple[dt.date, dt.date],
    frequency: str,
    adjustflag: str,
    expected: FrameDays,
    options: CollectOptions,
    *,
    pause: Callable[[float], None],
    say: Callable[[str], None],
) -> tuple[ItemResult, list[tuple[Any, ...]]]:
    """One stock's checked rows and its success item, or its failed item and no rows.

    Retried as :func:`~stockdesk.collect.fetch.fetch_checked` says.
    """
    start, end = span

    def fetch() -> list[tuple[Any, ...]]:
        rows = source.frequency_bars(security.code, start, end, frequency, adjustflag)
        if is_minutes(frequency):
            traded = _traded_days(source, security.code, span, adjustflag, rows, expected[0])
            check_minute_bars(rows, security.code, frequency, traded)
        else:
            check_period_bars(rows, security.code, *expected)
        return rows

    return fetch_checked(fetch, security, options, pause=pause, say=say, frequency=frequency)


def _traded_days(
    source: BaostockSource,
    code: str,
    span: tuple[dt.date, dt.date],
    adjustflag: str,
    rows: Sequence[tuple[Any, ...]],
    listed: Sequence[dt.date],
) -> Sequence[dt.date]:
    """The days ``code`` traded in ``span``: its listed trading days when the minute reply
    has bars on exactly those days, else what a daily request says (``tradestatus``)."""
    replied = {row[_TRADING_DAY] for row in rows}
    if replied == {day.isoformat() for day in listed}:
        return listed
    return [
        dt.date.fromisoformat(bar[_DATE])
        for bar in source.daily_bars(code, *span, adjustflag)
        if bar[_STATUS] == 1
    ]
