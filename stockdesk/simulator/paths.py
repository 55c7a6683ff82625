"""Deterministic price paths: a security's static profile and its bars one year at a time.

Everything is drawn from a generator seeded with ``(market seed, crc32(code), tag)``, so a
security's data do not depend on which query asks for them, in which order, or on the other
securities. A path is cut into calendar years that can be generated independently: each
year is a random walk bridged between two yearly anchor prices drawn up front, so the last
close of one year is exactly the previous close of the next. That keeps the cache bounded
(only the years being served) without breaking continuity.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from stockdesk.domain.values import Security
from stockdesk.simulator.timeline import Timeline

OPEN, HIGH, LOW, CLOSE, PRECLOSE, LOTS = range(6)
"""Columns of a :class:`YearPath` (prices in fen, volume in lots of 100 shares)."""

_STATIC_TAG = 0
_LOSS_RATE = 0.12
_DRIFT = 0.02
"""Yearly growth of a security's typical price."""
_PERSISTENCE = 0.85
"""How much of a year's departure from the typical price carries into the next: prices
wander for years but come back, so they stay plausible over a 35-year history. (A plain
random walk of yearly steps took one stock in ten listed since the early 1990s above 500
yuan, a few past 10,000, and left others pinned at the 1.5-yuan floor for years.)"""


@dataclass(frozen=True, slots=True)
class Profile:
    """What stays fixed for a security across its whole path."""

    index: bool
    is_st: bool
    first: int
    """Timeline number of the first listed day in the span."""
    last: int
    """Timeline number of the last listed day in the span (``< first``: never listed)."""
    first_year: int
    anchors: np.ndarray
    """Fen. ``anchors[k]``: previous close of the first listed day of ``first_year + k``;
    ``anchors[k + 1]`` is therefore the last close of that year."""
    sigma: float
    suspend_rate: float
    float_shares: float
    base_lots: float
    eps: float
    """Earnings per share; negative means losses, for which baostock leaves peTTM empty."""
    bvps: float
    sps: float
    cfps: float
    amount_scale: float
    """Turns an index's points into a plausible yuan amount; 1 for stocks."""
    ex_days: np.ndarray
    """Timeline numbers of ex-dividend days, ascending."""
    backward: np.ndarray
    """Backward adjust factor after k ex-dividend days is ``backward[k]``; ``backward[0] = 1``."""


@dataclass(frozen=True, slots=True)
class YearPath:
    """One security's bars for the listed trading days of one calendar year."""

    start: int
    """Timeline number of row 0."""
    data: np.ndarray
    """int32 array (days, 6) with the columns OPEN ... LOTS; LOTS == 0 marks suspension."""


def _rng(seed: int, code: str, tag: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(code.encode()), tag])


def build_profile(seed: int, security: Security, timeline: Timeline) -> Profile:
    """Draw the static profile of ``security``."""
    rng = _rng(seed, security.code, _STATIC_TAG)
    first, hi = timeline.span(
        max(security.ipo_date or timeline.first_day, timeline.first_day),
        min(security.out_date or timeline.last_day, timeline.last_day),
    )
    last = hi - 1
    listed = first <= last
    first_year = timeline.day(first).year if listed else timeline.first_day.year
    last_year = timeline.day(last).year if listed else first_year
    index = security.type != "1"
    if index:
        start_price, yearly_sd, sigma, suspend_rate = rng.uniform(1000, 12000), 0.2, 0.011, 0.0
    else:
        start_price = float(np.clip(np.exp(rng.normal(2.4, 0.7)), 2.0, 900.0))
        yearly_sd, sigma = 0.3, rng.uniform(0.012, 0.03)
        suspend_rate = 0.0 if rng.random() < 0.7 else rng.uniform(0.01, 0.05)
    anchors = np.rint(
        start_price
        * 100
        * np.exp(_log_moves(rng.normal(0.0, yearly_sd, last_year - first_year + 1)))
    )
    anchors = np.clip(anchors, 150, 10_000_000).astype(np.int64)
    float_shares = float(np.exp(rng.normal(26.5, 0.3) if index else rng.normal(20.0, 1.1)))
    base_lots = float_shares * rng.uniform(0.004, 0.03) / 100
    price = start_price
    eps = price / rng.uniform(8, 60) * (-0.3 if rng.random() < _LOSS_RATE else 1.0)
    ex_days, backward = _dividends(rng, timeline, first, last, first_year, last_year, index)
    return Profile(
        index=index,
        is_st="ST" in security.name,
        first=first,
        last=last,
        first_year=first_year,
        anchors=anchors,
        sigma=sigma,
        suspend_rate=suspend_rate,
        float_shares=float_shares,
        base_lots=base_lots,
        eps=eps,
        bvps=price / rng.uniform(0.8, 8),
        sps=price / rng.uniform(0.5, 15),
        cfps=price / rng.uniform(-40, 40),
        amount_scale=12 / price if index else 1.0,
        ex_days=ex_days,
        backward=backward,
    )


def _log_moves(shocks: np.ndarray) -> np.ndarray:
    """Log price relative to the start at each year boundary (``len(shocks) + 1`` values):
    the trend plus a departure from it that decays by :data:`_PERSISTENCE` a year."""
    departure, moves = 0.0, [0.0]
    for year, shock in enumerate(shocks.tolist(), start=1):
        departure = _PERSISTENCE * departure + shock
        moves.append(_DRIFT * year + departure)
    return np.array(moves)


def _dividends(
    rng: np.random.Generator,
    timeline: Timeline,
    first: int,
    last: int,
    first_year: int,
    last_year: int,
    index: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Roughly one ex-dividend day a year in June/July, each raising the backward factor."""
    bounds = timeline.year_bounds(first_year, last_year)
    years = last_year - first_year + 1
    days = bounds[:-1] + rng.integers(95, 145, years)
    paid = rng.random(years) < (0.0 if index else 0.7)
    days = days[paid & (first < days) & (days <= last) & (days < bounds[1:])]
    ratios = 1 + rng.uniform(0.005, 0.04, len(days))
    return days.astype(np.int64), np.concatenate(([1.0], np.cumprod(ratios)))


def build_year(
    seed: int, code: str, profile: Profile, timeline: Timeline, year: int
) -> YearPath | None:
    """The bars of ``year`` (None when the security was not listed in it)."""
    lo, hi = timeline.year_span(year)
    lo, hi = max(lo, profile.first), min(hi, profile.last + 1)
    if lo >= hi:
        return None
    n = hi - lo
    rng = _rng(seed, code, year)
    steps = rng.normal(0.0, profile.sigma, n)
    gaps = rng.normal(0.0, profile.sigma * 0.35, n)
    ups = np.abs(rng.normal(0.0, profile.sigma * 0.5, n))
    downs = np.abs(rng.normal(0.0, profile.sigma * 0.5, n))
    activity = rng.lognormal(0.0, 0.45, n)
    suspended = rng.random(n) < profile.suspend_rate
    suspended[-1] = False
    if lo == profile.first:
        suspended[0] = False
    steps[suspended] = 0.0
    begin = profile.anchors[year - profile.first_year]
    end = profile.anchors[year - profile.first_year + 1]
    active = ~suspended
    steps[active] += (np.log(end / begin) - steps.sum()) / active.sum()

    close = np.maximum(np.rint(begin * np.exp(np.cumsum(steps))), 1)
    close[-1] = end
    preclose = np.concatenate(([begin], close[:-1]))
    open_ = np.where(suspended, preclose, np.maximum(np.rint(preclose * (1 + gaps)), 1))
    high = np.maximum(np.rint(np.maximum(open_, close) * (1 + ups)), np.maximum(open_, close))
    low = np.minimum(
        np.maximum(np.rint(np.minimum(open_, close) * (1 - downs)), 1), np.minimum(open_, close)
    )
    high = np.where(suspended, preclose, high)
    low = np.where(suspended, preclose, low)
    moves = np.abs(close / preclose - 1)
    lots = np.maximum(np.rint(profile.base_lots * activity * (1 + 12 * moves)), 1)
    lots[suspended] = 0
    data = np.column_stack([open_, high, low, close, preclose, lots]).astype(np.int32)
    return YearPath(start=lo, data=data)
