"""What the database holds, read from the coverage summaries (never from the bars).

``bar_coverage`` has one row per stock and ``frame_coverage`` one per stock and
frequency, so the whole market over ten years is a few thousand rows to read (summed
per frequency by the database), not ~12 million daily or ~500 million minute bars:
``stockdesk status`` answers in milliseconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from stockdesk.db.database import Database
from stockdesk.db.models import (
    BarCoverageRow,
    CoveragePendingRow,
    FactorCoverageRow,
    FrameCoverageRow,
    SecurityRow,
    TradeCalendarRow,
)
from stockdesk.domain.frequency import FREQUENCIES
from stockdesk.domain.values import AdjustFlag

INDEX_TYPE = "2"
"""``security.type`` of an index; every other stored security counts as a stock."""

_COVERAGE = BarCoverageRow.__table__
_FRAMES = FrameCoverageRow.__table__
_STOCKS = (
    select(
        _COVERAGE.c.code,
        SecurityRow.type,
        _COVERAGE.c.last_day,
        _COVERAGE.c.rows,
        _COVERAGE.c.missing_days,
        SecurityRow.out_date,
        FactorCoverageRow.checked_through,
    )
    .outerjoin(SecurityRow, SecurityRow.code == _COVERAGE.c.code)
    .outerjoin(FactorCoverageRow, FactorCoverageRow.code == _COVERAGE.c.code)
    .where(_COVERAGE.c.adjustflag == AdjustFlag.NONE.value)
)


_DAILY_TOTALS = select(
    _COVERAGE.c.adjustflag,
    func.count(),
    func.sum(_COVERAGE.c.rows),
    func.min(_COVERAGE.c.first_day),
    func.max(_COVERAGE.c.last_day),
).group_by(_COVERAGE.c.adjustflag)
_FRAME_TOTALS = select(
    _FRAMES.c.frequency,
    _FRAMES.c.adjustflag,
    func.count(),
    func.sum(_FRAMES.c.rows),
    func.min(_FRAMES.c.first_day),
    func.max(_FRAMES.c.last_day),
).group_by(_FRAMES.c.frequency, _FRAMES.c.adjustflag)
"""Summed by the database: one row per frequency and adjust type comes back."""


def _indices_of(table: Any, *keys: Any) -> Any:
    """The indices among a summary's securities, per ``keys``: driven from the few
    ``security`` rows of type 2 through the summary's key (code first), not by joining
    every summary row to ``security`` (that doubled the read of 30,000 frame rows)."""
    return (
        select(*keys, func.count())
        .select_from(SecurityRow)
        .join(table, table.c.code == SecurityRow.code)
        .where(SecurityRow.type == INDEX_TYPE)
        .group_by(*keys)
    )


_DAILY_INDICES = _indices_of(_COVERAGE, _COVERAGE.c.adjustflag)
_FRAME_INDICES = _indices_of(_FRAMES, _FRAMES.c.frequency, _FRAMES.c.adjustflag)
_TRADING_DAYS = (
    select(TradeCalendarRow.calendar_date)
    .where(
        TradeCalendarRow.is_trading_day == 1,
        TradeCalendarRow.calendar_date > bindparam("after"),
        TradeCalendarRow.calendar_date <= bindparam("through"),
    )
    .order_by(TradeCalendarRow.calendar_date)
)


@dataclass(frozen=True, slots=True)
class FrequencyStatus:
    """What one frequency and adjust type holds: daily bars from ``bar_coverage``, the
    others from ``frame_coverage``."""

    frequency: str
    """``d``, ``w``, ``m``, ``5``, ``15``, ``30`` or ``60``."""
    adjustflag: str
    stocks: int
    """Securities with such bars that are not indices."""
    indices: int
    """Indices (``security.type`` 2) with such bars."""
    rows: int
    first_day: dt.date | None
    last_day: dt.date | None


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """A summary of the unadjusted bars (the store's truth) and the factors."""

    stocks: int
    """Stocks with unadjusted daily bars (indices not counted: see ``indices``)."""
    rows: int
    """Unadjusted daily rows, of stocks and indices."""
    first_day: dt.date | None
    last_day: dt.date | None
    """The last day any stock has."""
    stocks_behind: int
    """Stocks that were listed after their last stored day but have no row for a later
    trading day up to ``last_day``: what ``update`` would fetch."""
    stocks_with_gaps: int
    """Stocks missing trading days between their first and last stored day."""
    missing_days: int
    """Those missing days, all stocks together."""
    gaps_unknown: int
    """Stocks whose missing days are not counted yet (no calendar since the upgrade)."""
    factors_behind: int
    """Stocks whose adjust factors are not known up to their last stored day."""
    adjusted_rows: dict[str, int] = field(default_factory=dict)
    """Rows of forward (``2``) and backward (``1``) bars stored as fetched, by flag."""
    coverage_pending: bool = False
    """A job that died left stocks to recount; the next job does."""
    indices: int = 0
    """Indices with unadjusted daily bars."""
    frequencies: list[FrequencyStatus] = field(default_factory=list)
    """Every frequency and adjust type stored: daily first, then w, m, 5 ... 60, each
    unadjusted first."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values: dates as ISO text."""
        data = asdict(self)
        for item in (data, *data["frequencies"]):
            for key in ("first_day", "last_day"):
                item[key] = item[key].isoformat() if item[key] else None
        return data


def read_status(database: Database) -> StoreStatus:
    """The summary of ``database``."""
    with database.reading() as session:
        stocks = session.execute(_STOCKS).all()
        pending = session.scalar(select(func.count()).select_from(CoveragePendingRow)) or 0
        groups = [("d", *row) for row in session.execute(_DAILY_TOTALS)]
        groups += [tuple(row) for row in session.execute(_FRAME_TOTALS)]
        indices_by = {("d", *row[:-1]): row[-1] for row in session.execute(_DAILY_INDICES)}
        indices_by.update({tuple(row[:-1]): row[-1] for row in session.execute(_FRAME_INDICES)})
        # adjust flag -> (securities, rows, first day, last day) of daily bars
        by_flag = {row[1]: row[2:] for row in groups if row[0] == "d"}
        unadjusted = by_flag.get(AdjustFlag.NONE.value)
        last_day = _date(unadjusted[3]) if unadjusted else None
        earliest_last = min((row.last_day for row in stocks), default=None)
        trading: list[dt.date] = []
        if last_day is not None and earliest_last is not None:
            bounds = {"after": earliest_last, "through": last_day}
            trading = list(session.scalars(_TRADING_DAYS, bounds))
    behind = gaps = missing = unknown = factors_behind = 0
    for _code, _kind, last, _rows, missing_days, out_date, checked in stocks:
        limit = min(out_date, last_day) if out_date and last_day else last_day
        if limit is not None and last < limit:
            later = bisect.bisect_right(trading, limit) - bisect.bisect_right(trading, last)
            if later > 0 or not trading:
                behind += 1
        if missing_days is None:
            unknown += 1
        elif missing_days > 0:
            gaps += 1
            missing += missing_days
        if checked is None or checked < last:
            factors_behind += 1
    indices = sum(1 for row in stocks if row.type == INDEX_TYPE)
    return StoreStatus(
        stocks=len(stocks) - indices,
        rows=int(unadjusted[1]) if unadjusted else 0,
        first_day=_date(unadjusted[2]) if unadjusted else None,
        last_day=last_day,
        stocks_behind=behind,
        stocks_with_gaps=gaps,
        missing_days=missing,
        gaps_unknown=unknown,
        factors_behind=factors_behind,
        adjusted_rows={
            flag: int(values[1])
            for flag, values in sorted(by_flag.items())
            if flag != AdjustFlag.NONE.value
        },
        coverage_pending=pending > 0,
        indices=indices,
        frequencies=sorted(
            (
                FrequencyStatus(
                    str(frequency),
                    str(flag),
                    int(count) - indices_by.get((frequency, flag), 0),
                    indices_by.get((frequency, flag), 0),
                    int(rows or 0),
                    _date(first),
                    _date(last),
                )
                for frequency, flag, count, rows, first, last in groups
            ),
            key=lambda item: (
                FREQUENCIES.index(item.frequency),
                item.adjustflag != AdjustFlag.NONE.value,
                item.adjustflag,
            ),
        ),
    )


def _date(value: dt.date | str | None) -> dt.date | None:
    """A min/max of a date column: a date, or ISO text where SQLite's aggregate returns
    the stored text untyped."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])
