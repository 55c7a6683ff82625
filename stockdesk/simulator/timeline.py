"""The trading days of a market's span, numbered, so price paths can be plain arrays."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right

from stockdesk.simulator.calendar import trading_days


class Timeline:
    """Trading days of ``[first_day, last_day]``; day ``i`` is ``days[i]``.

    Price paths are indexed by these numbers, which makes slicing a date range or picking
    one date for thousands of securities an array operation instead of a date lookup.
    """

    def __init__(self, first_day: dt.date, last_day: dt.date) -> None:
        self.first_day = first_day
        self.last_day = last_day
        self.days = trading_days(first_day, last_day)
        self.iso = [day.isoformat() for day in self.days]
        self._ordinals = [day.toordinal() for day in self.days]
        self._position = {day: i for i, day in enumerate(self.days)}

    def __len__(self) -> int:
        return len(self.days)

    def index(self, day: dt.date) -> int | None:
        """The number of ``day``, or None when it is not a trading day of the span."""
        return self._position.get(day)

    def span(self, start: dt.date, end: dt.date) -> tuple[int, int]:
        """Numbers ``[lo, hi)`` of the trading days in ``[start, end]`` (empty when lo >= hi)."""
        lo = bisect_left(self._ordinals, start.toordinal())
        hi = bisect_right(self._ordinals, end.toordinal())
        return lo, hi

    def year_span(self, year: int) -> tuple[int, int]:
        """Numbers ``[lo, hi)`` of the trading days of calendar ``year``."""
        return self.span(dt.date(year, 1, 1), dt.date(year, 12, 31))
