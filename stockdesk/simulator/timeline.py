"""The trading days of a market's span, numbered, so price paths can be plain arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np

from stockdesk.simulator.calendar import holidays

_MONDAY = dt.date(1, 1, 1).toordinal()
"""The ordinal of a Monday: ``(ordinal - _MONDAY) % 7`` is the weekday."""


class Timeline:
    """Trading days of ``[first_day, last_day]``; day ``i`` is ``day(i)``.

    Price paths are indexed by these numbers, which makes slicing a date range or picking
    one date for thousands of securities an array operation instead of a date lookup.
    The days are kept as one array of ordinals (a market's whole history since 1990 is
    ~9,000 of them); dates and their ISO text are made only for the days a reply holds.
    """

    def __init__(self, first_day: dt.date, last_day: dt.date) -> None:
        self.first_day = first_day
        self.last_day = last_day
        ordinals = np.arange(first_day.toordinal(), last_day.toordinal() + 1, dtype=np.int64)
        closed = [
            day.toordinal()
            for year in range(first_day.year, last_day.year + 1)
            for day in holidays(year)
        ]
        open_ = ((ordinals - _MONDAY) % 7 < 5) & ~np.isin(ordinals, closed)
        self._ordinals = ordinals[open_]
        years = np.arange(first_day.year, last_day.year + 2)
        january = np.array([dt.date(int(year), 1, 1).toordinal() for year in years])
        self._year_starts = np.searchsorted(self._ordinals, january)
        """``_year_starts[k]``: number of the first trading day of ``first_day.year + k``."""

    def __len__(self) -> int:
        return len(self._ordinals)

    def day(self, number: int) -> dt.date:
        """The trading day numbered ``number``."""
        return dt.date.fromordinal(int(self._ordinals[number]))

    def iso(self, lo: int, hi: int) -> list[str]:
        """``YYYY-MM-DD`` of the days numbered ``[lo, hi)``."""
        return [dt.date.fromordinal(o).isoformat() for o in self._ordinals[lo:hi].tolist()]

    def index(self, day: dt.date) -> int | None:
        """The number of ``day``, or None when it is not a trading day of the span."""
        ordinal = day.toordinal()
        number = int(np.searchsorted(self._ordinals, ordinal))
        if number < len(self._ordinals) and self._ordinals[number] == ordinal:
            return number
        return None

    def span(self, start: dt.date, end: dt.date) -> tuple[int, int]:
        """Numbers ``[lo, hi)`` of the trading days in ``[start, end]`` (empty when lo >= hi)."""
        lo = int(np.searchsorted(self._ordinals, start.toordinal(), side="left"))
        hi = int(np.searchsorted(self._ordinals, end.toordinal(), side="right"))
        return lo, hi

    def year_span(self, year: int) -> tuple[int, int]:
        """Numbers ``[lo, hi)`` of the trading days of calendar ``year``."""
        k = year - self.first_day.year
        if k < 0 or k >= len(self._year_starts) - 1:
            return (0, 0) if k < 0 else (len(self), len(self))
        return int(self._year_starts[k]), int(self._year_starts[k + 1])

    def year_bounds(self, first_year: int, last_year: int) -> np.ndarray:
        """``bounds[k]``, ``bounds[k + 1]``: :meth:`year_span` of ``first_year + k``, for the
        years ``first_year .. last_year`` of the span."""
        k = first_year - self.first_day.year
        return self._year_starts[k : k + last_year - first_year + 2]
