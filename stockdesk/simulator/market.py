"""A synthetic, deterministic A-share market: securities, calendar, bars and index members.

The same seed always gives the same market, and a bar for ``(code, day)`` is the same
whichever query returns it (a per-stock range or a per-date snapshot), so tests can compare
what a collector stored against :meth:`Market.bars`.

By default the market's history is baostock's: from the exchange's first trading day
(1990-12-19), each security with bars for every trading day from its listing day on. Bars
are made a year of one security at a time, only when asked for, so the span costs next to
nothing until it is queried.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

import numpy as np

from stockdesk.domain.frequency import FIRST_MINUTE_DAY, period_end, period_start
from stockdesk.domain.values import Security
from stockdesk.simulator import calendar
from stockdesk.simulator.bars import K_FIELDS, BarBlock, format_rows
from stockdesk.simulator.factors import position_through, price_factors
from stockdesk.simulator.minutes import FiveMinutes, MinuteBlock, five_minutes
from stockdesk.simulator.paths import LOTS, Profile, YearPath, build_profile, build_year
from stockdesk.simulator.periods import period_rows
from stockdesk.simulator.timeline import Timeline
from stockdesk.simulator.universe import build_securities

__all__ = ["K_FIELDS", "Market"]

_INDEX_SIZES = {"hs300": 300, "sz50": 50, "zz500": 500}
_YEAR_CACHE = 12_000
"""Year paths kept (~6 KB each): a 5,000-stock market over two years."""
_MATRIX_CACHE = 2
"""Whole-market years kept for per-date replies (~30 MB each with 5,000 stocks)."""
_MINUTE_CACHE = 16
"""Years of five-minute bars kept (~3.4 MB each): the sessions' current stocks, while a
reply's pages are asked for one after another."""
_STATIC_FIELDS = ("index", "is_st", "float_shares", "eps", "bvps", "sps", "cfps", "amount_scale")


class Market:
    """Securities and daily bars of a made-up market, all derived from ``seed``.

    The market's history spans ``[first_day, last_day]``; a security listed before
    ``first_day`` is listed on its first trading day (see
    :func:`~stockdesk.simulator.universe.build_securities`). Thread-safe: the simulator
    serves several connections from one market.
    """

    def __init__(
        self,
        *,
        seed: int = 7,
        stocks: int = 300,
        indices: int = 4,
        first_day: dt.date = calendar.FIRST_TRADING_DAY,
        last_day: dt.date = dt.date(2026, 12, 31),
    ) -> None:
        if first_day > last_day:
            raise ValueError("first_day must not be after last_day")
        self.seed = seed
        self.first_day = first_day
        self.last_day = last_day
        self.today = last_day
        """The server's "now" (:mod:`~stockdesk.simulator.factors`): nothing after it is
        served; tests move it forward to see new days, listings and ex-rights days."""
        rng = np.random.default_rng(seed)
        self.securities: tuple[Security, ...] = build_securities(
            rng, stocks, indices, first_day, last_day
        )
        self._by_code = {security.code: security for security in self.securities}
        self._stocks = [security for security in self.securities if security.type == "1"]
        self._rank = {
            security.code: float(score)
            for security, score in zip(self._stocks, rng.random(len(self._stocks)), strict=True)
        }
        self._timeline = Timeline(first_day, last_day)
        self._lock = threading.Lock()
        self._profiles: dict[str, Profile] = {}
        self._years: OrderedDict[tuple[str, int], YearPath | None] = OrderedDict()
        self._columns: dict[str, np.ndarray] | None = None
        self._matrices: OrderedDict[int, tuple[int, np.ndarray]] = OrderedDict()
        self._minutes: OrderedDict[tuple[str, int], FiveMinutes] = OrderedDict()

    def stocks(self) -> list[Security]:
        """The stocks (type 1), without indices, listed or not."""
        return list(self._stocks)

    def security(self, code: str) -> Security | None:
        """The security with ``code``, or None."""
        return self._by_code.get(code)

    def is_trading_day(self, day: dt.date) -> bool:
        """True when the exchange is open on ``day`` (any year, not only the span)."""
        return calendar.is_trading_day(day)

    def trading_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Trading days in ``[start, end]``: weekdays minus the fixed holidays."""
        return calendar.trading_days(start, end)

    def listed(self, day: dt.date) -> list[Security]:
        """Securities (indices included) listed on ``day``: IPO on or before, not yet out."""
        return [s for s in self.securities if s.listed_between(day, day)]

    def suspended(self, day: dt.date) -> set[str]:
        """Codes of the securities listed but not trading on trading day ``day``."""
        position = self._timeline.index(day)
        if position is None:
            return set()
        year = day.year
        codes = set()
        for security in self.listed(day):
            path = self._year(security, year)
            if path is not None and path.data[position - path.start, LOTS] == 0:
                codes.add(security.code)
        return codes

    def bars(
        self, code: str, start: dt.date, end: dt.date, adjustflag: str = "3"
    ) -> list[list[str]]:
        """Wire rows (:data:`K_FIELDS` order) of ``code`` for its listed trading days in
        ``[start, end]``; empty for an unknown code."""
        if adjustflag not in ("1", "2", "3"):
            raise ValueError(f"adjustflag must be '1', '2' or '3', got {adjustflag!r}")
        history = self._history(code, start, end)
        if history is None:
            return []
        profile, lo, hi, data = history
        rows = len(data)
        block = BarBlock(
            dates=self._timeline.iso(lo, hi),
            codes=[code] * rows,
            data=data,
            factors=price_factors(
                profile, np.arange(lo, hi), adjustflag, position_through(self._timeline, self.today)
            ),
            index=np.full(rows, profile.index),
            is_st=np.full(rows, profile.is_st),
            float_shares=np.full(rows, profile.float_shares),
            eps=np.full(rows, profile.eps),
            bvps=np.full(rows, profile.bvps),
            sps=np.full(rows, profile.sps),
            cfps=np.full(rows, profile.cfps),
            amount_scale=np.full(rows, profile.amount_scale),
        )
        return format_rows(block, adjustflag)

    def period_bars(
        self, code: str, start: dt.date, end: dt.date, frequency: str, adjustflag: str = "3"
    ) -> list[list[str]]:
        """Weekly (``'w'``) or monthly (``'m'``) wire rows (:data:`PERIOD_FIELDS`) of
        ``code`` dated in ``[start, end]``, aggregated from its daily bars."""
        first = period_start(start, frequency)
        history = self._history(code, first, period_end(end, frequency))
        if history is None:
            return []
        profile, lo, hi, data = history
        through = position_through(self._timeline, self.today)
        rows = period_rows(
            code,
            [self._timeline.day(k) for k in range(lo, hi)],
            data,
            price_factors(profile, np.arange(lo, hi), adjustflag, through),
            frequency=frequency,
            adjustflag=adjustflag,
            today=self.today,
            float_shares=None if profile.index else profile.float_shares,
            amount_scale=profile.amount_scale,
        )
        low, high = start.isoformat(), end.isoformat()
        return [row for row in rows if low <= row[0] <= high]

    def minute_bars(
        self, code: str, start: dt.date, end: dt.date, frequency: str, adjustflag: str = "3"
    ) -> MinuteBlock:
        """Minute bars (``frequency`` ``'5'``, ``'15'``, ``'30'`` or ``'60'``) of ``code`` on
        its traded days in ``[start, end]`` from 1999-07-26 on; none for an index."""
        security = self._by_code.get(code)
        history = self._history(code, max(start, FIRST_MINUTE_DAY), end)
        if security is None or security.type != "1" or history is None:
            return MinuteBlock(code, [], FiveMinutes.join([]), np.ones(0), frequency, adjustflag)
        profile, lo, hi, _ = history
        parts, numbers = [], []
        for year in range(self._timeline.day(lo).year, self._timeline.day(hi - 1).year + 1):
            path = self._year(security, year)
            if path is None:
                continue
            span = np.arange(max(lo, path.start), min(hi, path.start + len(path.data)))
            picked = span[path.data[span - path.start, LOTS] > 0]
            parts.append(self._five_minutes(security, year, path).take(picked - path.start))
            numbers.append(picked)
        days = np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.int64)
        through = position_through(self._timeline, self.today)
        return MinuteBlock(
            code,
            [self._timeline.day(k) for k in days.tolist()],
            FiveMinutes.join(parts),
            price_factors(profile, days, adjustflag, through),
            frequency,
            adjustflag,
        )

    def day_bars(self, day: dt.date) -> list[list[str]]:
        """Unadjusted wire rows of every stock (type 1) listed on ``day``, by code."""
        position = self._timeline.index(day)
        if position is None or day > self.today:
            return []
        columns = self._static_columns()
        listed = np.flatnonzero((columns["first"] <= position) & (position <= columns["last"]))
        if len(listed) == 0:
            return []
        start, matrix = self._year_matrix(day.year)
        block = BarBlock(
            dates=[day.isoformat()] * len(listed),
            codes=[self._stocks[i].code for i in listed.tolist()],
            data=matrix[listed, position - start],
            factors=np.ones(len(listed)),
            **{name: columns[name][listed] for name in _STATIC_FIELDS},
        )
        return format_rows(block, "3")

    def members(self, index: str, day: dt.date) -> list[Security]:
        """Constituents of ``'hs300'``, ``'sz50'`` or ``'zz500'`` on ``day``, by code.

        The stocks listed that day are ranked by a fixed per-stock score: hs300 takes the top
        300, sz50 the top 50 Shanghai stocks (so it lies inside hs300 in a big market), zz500
        the 500 after hs300 - or the last 500 when the market is too small for both.
        """
        size = _INDEX_SIZES.get(index)
        if size is None:
            raise ValueError(f"unknown index {index!r}; expected one of {sorted(_INDEX_SIZES)}")
        ranked = sorted(
            (s for s in self._stocks if s.listed_between(day, day)),
            key=lambda s: self._rank[s.code],
            reverse=True,
        )
        if index == "sz50":
            ranked = [s for s in ranked if s.code.startswith("sh.")]
        start = 0
        if index == "zz500":
            start = max(0, min(_INDEX_SIZES["hs300"], len(ranked) - size))
        return sorted(ranked[start : start + size], key=lambda s: s.code)

    def _history(
        self, code: str, start: dt.date, end: dt.date
    ) -> tuple[Profile, int, int, np.ndarray] | None:
        """``code``'s profile, timeline numbers ``[lo, hi)`` of its listed trading days in
        ``[start, end]`` (up to today) and their daily bars; None when there are none."""
        security = self._by_code.get(code)
        end = min(end, self.today)
        if security is None or start > end:
            return None
        profile = self._profile(security)
        lo, hi = self._timeline.span(start, end)
        lo, hi = max(lo, profile.first), min(hi, profile.last + 1)
        if lo >= hi:
            return None
        parts = []
        for year in range(self._timeline.day(lo).year, self._timeline.day(hi - 1).year + 1):
            path = self._year(security, year)
            if path is not None:
                begin = max(lo - path.start, 0)
                parts.append(path.data[begin : max(hi - path.start, 0)])
        return profile, lo, hi, np.concatenate(parts)

    def _five_minutes(self, security: Security, year: int, path: YearPath) -> FiveMinutes:
        """The five-minute bars of one year path, kept for the next pages of a reply."""
        key = (security.code, year)
        with self._lock:
            if key in self._minutes:
                self._minutes.move_to_end(key)
                return self._minutes[key]
        bars = five_minutes(
            self.seed, security.code, year, path.data, self._profile(security).amount_scale
        )
        with self._lock:
            self._minutes[key] = bars
            while len(self._minutes) > _MINUTE_CACHE:
                self._minutes.popitem(last=False)
        return bars

    def _profile(self, security: Security) -> Profile:
        profile = self._profiles.get(security.code)
        if profile is None:
            profile = build_profile(self.seed, security, self._timeline)
            with self._lock:
                self._profiles[security.code] = profile
        return profile

    def _year(self, security: Security, year: int) -> YearPath | None:
        key = (security.code, year)
        with self._lock:
            if key in self._years:
                self._years.move_to_end(key)
                return self._years[key]
        path = build_year(self.seed, security.code, self._profile(security), self._timeline, year)
        with self._lock:
            self._years[key] = path
            while len(self._years) > _YEAR_CACHE:
                self._years.popitem(last=False)
        return path

    def _static_columns(self) -> dict[str, np.ndarray]:
        """Per-stock constants as arrays (in ``_stocks`` order), for per-date replies."""
        if self._columns is None:
            profiles = [self._profile(s) for s in self._stocks]
            self._columns = {
                name: np.array([getattr(p, name) for p in profiles])
                for name in (*_STATIC_FIELDS, "first", "last")
            }
        return self._columns

    def _year_matrix(self, year: int) -> tuple[int, np.ndarray]:
        """All stocks' bars of ``year`` as one (stocks, days, 6) array and its first day.

        Per-date replies walk the days of a year in order; picking one day for thousands
        of stocks is then a single fancy index instead of a Python loop over year paths.
        """
        with self._lock:
            if year in self._matrices:
                self._matrices.move_to_end(year)
                return self._matrices[year]
        lo, hi = self._timeline.year_span(year)
        matrix = np.zeros((len(self._stocks), hi - lo, 6), dtype=np.int32)
        for i, security in enumerate(self._stocks):
            path = self._year(security, year)
            if path is not None:
                offset = path.start - lo
                matrix[i, offset : offset + len(path.data)] = path.data
        with self._lock:
            self._matrices[year] = (lo, matrix)
            while len(self._matrices) > _MATRIX_CACHE:
                self._matrices.popitem(last=False)
        return lo, matrix
