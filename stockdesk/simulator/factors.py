"""Adjust factors and the market's movable "today".

The market's price paths know each stock's ex-dividend days and backward factors
(:class:`~stockdesk.simulator.paths.Profile`); this module turns them into what baostock
serves: ``query_adjust_factor`` (one stock's events in a date range) and
``query_daily_adjust_factor`` (one day's events across the market), each row
``code, dividOperateDate, foreAdjustFactor, backAdjustFactor, adjustFactor``.

baostock's forward factors are relative to the latest event the server knows, so they
change whenever a new ex-rights day passes. The simulator's ``Market.today`` is that
"now": nothing after it is served (no trading day, listing, bar or event), and forward
factors and forward-adjusted prices are relative to the latest event on or before it.
Tests move ``today`` forward to see a new trading day, listing or ex-rights day appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from stockdesk.domain.values import Security
from stockdesk.simulator.paths import Profile
from stockdesk.simulator.timeline import Timeline

FACTOR_FIELDS = ("code", "dividOperateDate", "foreAdjustFactor", "backAdjustFactor", "adjustFactor")
"""The fields of both factor queries, in baostock's order."""

_FACTOR = "%.10f"
"""Factors with ten decimals: a price computed from them is exact to ~1e-10."""


def position_through(timeline: Timeline, day: dt.date) -> int:
    """The number of the last trading day on or before ``day`` (-1 before the span)."""
    return timeline.span(timeline.first_day, day)[1] - 1


def price_factors(profile: Profile, days: np.ndarray, adjustflag: str, through: int) -> np.ndarray:
    """Price multipliers for timeline numbers ``days``: 1 for raw prices (flag 3), the
    backward factor B(day) (flag 1), or B(day) / B(latest event on or before ``through``)
    (flag 2, forward, as baostock computes it on the day it is asked)."""
    if adjustflag == "3" or len(profile.ex_days) == 0:
        return np.ones(len(days))
    steps = profile.backward[np.searchsorted(profile.ex_days, days, side="right")]
    if adjustflag == "1":
        return steps
    latest = float(profile.backward[np.searchsorted(profile.ex_days, through, side="right")])
    forward: np.ndarray = steps / latest
    return forward


def event_rows(
    code: str, profile: Profile, timeline: Timeline, lo: int, hi: int, through: int
) -> list[list[str]]:
    """Wire rows of ``code``'s events on timeline numbers ``[lo, hi)`` up to ``through``."""
    latest = profile.backward[np.searchsorted(profile.ex_days, through, side="right")]
    rows = []
    for k, day in enumerate(profile.ex_days.tolist()):
        if lo <= day < hi and day <= through:
            back = float(profile.backward[k + 1])
            rows.append(
                [
                    code,
                    timeline.day(day).isoformat(),
                    _FACTOR % (back / latest),
                    _FACTOR % back,
                    _FACTOR % back,
                ]
            )
    return rows


def securities_as_of(securities: Iterable[Security], today: dt.date) -> list[Security]:
    """What ``query_stock_basic`` says on ``today``: no security listed after it, and one
    delisted after it still listed."""
    known = []
    for security in securities:
        if security.ipo_date is not None and security.ipo_date > today:
            continue
        if security.out_date is not None and security.out_date > today:
            security = replace(security, status="1", out_date=None)
        known.append(security)
    return known
