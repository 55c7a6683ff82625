"""The default date range the window proposes."""

from __future__ import annotations

import datetime as dt

MARKET_CLOSE_SETTLED = dt.time(17, 0)
"""baostock publishes a day's bars in the late afternoon; before 17:00 today is not done."""


def last_finished_trading_day(now: dt.datetime) -> dt.date:
    """The last weekday whose bars are published: today after 17:00, else the weekday before.

    Holidays are not known offline; a holiday simply yields no bars, which is harmless.
    """
    if now.weekday() < 5 and now.time() >= MARKET_CLOSE_SETTLED:
        return now.date()
    day = now.date() - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def default_range(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """First day of the year up to the last finished trading day.

    On the first days of January the last trading day lies in the previous year; the range
    then starts on that year's first day so it is never empty.
    """
    end = last_finished_trading_day(now)
    return dt.date(end.year, 1, 1), end
