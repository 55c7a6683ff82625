"""The exchange calendar a job knows, and the coverage summary it keeps exact.

The collector reads, at the start of a job, each planned stock's ``bar_coverage`` row and
its rows within the job's range (it already counts them to skip stocks stored in full).
When a stock is complete, its rows within its range are exactly its expected trading
days, so its new row count is ``rows - rows_in_range_before + expected`` and its first
and last days extend; the missing days are the trading days between them less its
rows. No GROUP BY over the bars is needed, and the new row is written in the same
transaction as the stock's bars and item.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from stockdesk.domain.values import Coverage

ONE_DAY = dt.timedelta(days=1)


class KnownCalendar:
    """Every trading day the database and the job know, over ``[first, last]``."""

    def __init__(self, days: Iterable[tuple[dt.date, bool]]) -> None:
        ordered = sorted(days)
        self.first = ordered[0][0] if ordered else None
        self.last = ordered[-1][0] if ordered else None
        self.trading = [day for day, is_open in ordered if is_open]

    def count(self, first: dt.date, last: dt.date) -> int | None:
        """Trading days in ``[first, last]``; None when the calendar does not cover it."""
        if self.first is None or self.last is None or first < self.first or last > self.last:
            return None
        return bisect.bisect_right(self.trading, last) - bisect.bisect_left(self.trading, first)

    def between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The trading days in ``[first, last]`` (those the calendar knows)."""
        return self.trading[
            bisect.bisect_left(self.trading, first) : bisect.bisect_right(self.trading, last)
        ]

    def last_trading_day(self, on_or_before: dt.date) -> dt.date | None:
        """The last trading day on or before ``on_or_before``."""
        index = bisect.bisect_right(self.trading, on_or_before)
        return self.trading[index - 1] if index else None

    def gaps(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
        """What to fetch so that this calendar covers ``[start, end]`` without a hole:
        the days before its first (from ``start``) and after its last (up to ``end``)."""
        if self.first is None or self.last is None:
            return [(start, end)] if start <= end else []
        gaps = []
        if start < self.first:
            gaps.append((start, self.first - ONE_DAY))
        if end > self.last:
            gaps.append((self.last + ONE_DAY, end))
        return gaps


def with_missing(row: Coverage, calendar: KnownCalendar) -> Coverage:
    """``row`` with its missing days counted (None where the calendar cannot tell)."""
    days = calendar.count(row.first_day, row.last_day)
    return replace(row, missing_days=None if days is None else max(0, days - row.rows))


class CoverageTracker:
    """The coverage of a job's stocks, kept as they complete.

    Args:
        adjustflag: the job's adjust type.
        stored: the stocks' ``bar_coverage`` rows at the start of the job.
        in_range: each stock's rows within its range at the start of the job.
        calendar: the trading days known, for counting missing days.
    """

    def __init__(
        self,
        adjustflag: str,
        stored: dict[str, Coverage],
        in_range: dict[str, int],
        calendar: KnownCalendar,
    ) -> None:
        self.adjustflag = str(adjustflag)
        self._stored = stored
        self._in_range = in_range
        self._calendar = calendar
        self.partial: set[str] = set()
        """Stocks whose rows the job may commit before they complete (fetching by date):
        recounted when the job ends unless they complete."""

    def complete(self, code: str, first: dt.date, last: dt.date, rows: int) -> Coverage:
        """The stock's coverage now that its range ``[first, last]`` holds ``rows`` rows,
        every expected day (remembered: completing it again changes nothing)."""
        old = self._stored.get(code)
        before = self._in_range.get(code, 0)
        if old is None:
            new = Coverage(code, self.adjustflag, first, last, rows - before)
        else:
            new = Coverage(
                code,
                self.adjustflag,
                min(old.first_day, first),
                max(old.last_day, last),
                old.rows - before + rows,
            )
        new = with_missing(new, self._calendar)
        self.partial.discard(code)
        self._stored[code] = new
        self._in_range[code] = rows
        return new

    @property
    def calendar(self) -> KnownCalendar:
        """The trading days the tracker counts missing days with."""
        return self._calendar

    def stored(self, code: str) -> Coverage | None:
        """The stock's coverage as the job knows it now."""
        return self._stored.get(code)


def recounted(
    rows: Sequence[tuple[str, str, dt.date, dt.date, int]], calendar: KnownCalendar
) -> list[Coverage]:
    """Coverage rows from exact recounts (code, adjustflag, first, last, rows)."""
    return [
        with_missing(Coverage(code, flag, first, last, count), calendar)
        for code, flag, first, last, count in rows
    ]
