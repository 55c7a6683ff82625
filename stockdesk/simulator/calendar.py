"""The simulated exchange calendar: weekdays minus a fixed list of public holidays.

The real calendar depends on yearly State Council notices; the simulator only needs one that
is deterministic and has the gaps collectors must cope with (a week closed for the Spring
Festival and for National Day, single days for New Year, Qingming and Labour Day). The same
rule holds for every year, back to the exchange's first day: the 1990s get this calendar too
(with their real Spring Festival dates), not the shorter holidays of the time.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

FIRST_TRADING_DAY = dt.date(1990, 12, 19)
"""The Shanghai exchange's first trading day, where baostock's history begins."""

# Lunar New Year's Day per year; the exchange closes from its eve for a week.
_SPRING_FESTIVAL = {
    1990: (1, 27),
    1991: (2, 15),
    1992: (2, 4),
    1993: (1, 23),
    1994: (2, 10),
    1995: (1, 31),
    1996: (2, 19),
    1997: (2, 7),
    1998: (1, 28),
    1999: (2, 16),
    2000: (2, 5),
    2001: (1, 24),
    2002: (2, 12),
    2003: (2, 1),
    2004: (1, 22),
    2005: (2, 9),
    2006: (1, 29),
    2007: (2, 18),
    2008: (2, 7),
    2009: (1, 26),
    2010: (2, 14),
    2011: (2, 3),
    2012: (1, 23),
    2013: (2, 10),
    2014: (1, 31),
    2015: (2, 19),
    2016: (2, 8),
    2017: (1, 28),
    2018: (2, 16),
    2019: (2, 5),
    2020: (1, 25),
    2021: (2, 12),
    2022: (2, 1),
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
}
_FALLBACK_SPRING_FESTIVAL = (2, 5)


@lru_cache(maxsize=256)
def holidays(year: int) -> frozenset[dt.date]:
    """The days of ``year`` on which the simulated exchange is closed besides weekends."""
    month, day = _SPRING_FESTIVAL.get(year, _FALLBACK_SPRING_FESTIVAL)
    festival = dt.date(year, month, day)
    days = {dt.date(year, 1, 1), dt.date(year, 4, 4), dt.date(year, 4, 5)}
    days.update(festival + dt.timedelta(days=k) for k in range(-1, 6))
    days.update(dt.date(year, 5, k) for k in range(1, 4))
    days.update(dt.date(year, 10, k) for k in range(1, 8))
    return frozenset(days)


def is_trading_day(day: dt.date) -> bool:
    """True when the simulated exchange is open on ``day``."""
    return day.weekday() < 5 and day not in holidays(day.year)


def trading_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every trading day in ``[start, end]``, ascending."""
    count = (end - start).days + 1
    days = (start + dt.timedelta(days=k) for k in range(max(count, 0)))
    return [day for day in days if is_trading_day(day)]


def next_trading_day(day: dt.date) -> dt.date:
    """``day`` itself when the exchange is open, else the first open day after it."""
    while not is_trading_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_trading_day(day: dt.date) -> dt.date:
    """``day`` itself when the exchange is open, else the last open day before it."""
    while not is_trading_day(day):
        day -= dt.timedelta(days=1)
    return day
