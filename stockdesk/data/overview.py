"""Every stored security at a glance, and the trading days missing from one stock's bars.

The overview reads the coverage summaries (``bar_coverage``, one row per stock, and
``frame_coverage``, one per stock and frequency) joined with ``security``,
``factor_coverage`` and each stock's latest ``adjust_factor`` event, never the bars:
5,000 stocks are a few thousand rows, read in ~35 ms. A security with weekly, monthly or
minute bars but no daily ones is listed too, its daily columns empty. Each name's
pinyin initials (``pfyh`` for 浦发银行) are computed here too, in the caller's thread (the
window's background pool), and remembered for the next load; the first time in a process
that costs more than the read (~0.15 s to load pypinyin's dictionaries, ~20 us a name),
so the window reads without them first and adds them in a second step
(:func:`with_initials`).

Gaps are the trading days of the stored ``trade_calendar`` between a stock's first and
last stored day that have no unadjusted bar.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import bindparam, func, select

from stockdesk.db.database import Database
from stockdesk.db.models import (
    AdjustFactorRow,
    BarCoverageRow,
    FactorCoverageRow,
    FrameCoverageRow,
    SecurityRow,
    TradeCalendarRow,
)
from stockdesk.domain.frequency import DAILY, FREQUENCIES
from stockdesk.domain.values import AdjustFlag

_LATEST_EVENT = (
    select(
        AdjustFactorRow.code.label("code"),
        func.max(AdjustFactorRow.divid_operate_date).label("last_event"),
    )
    .group_by(AdjustFactorRow.code)
    .subquery()
)
_OVERVIEW = (
    select(
        BarCoverageRow.code,
        SecurityRow.name,
        SecurityRow.type,
        BarCoverageRow.first_day,
        BarCoverageRow.last_day,
        BarCoverageRow.rows,
        BarCoverageRow.missing_days,
        _LATEST_EVENT.c.last_event,
        FactorCoverageRow.checked_through,
    )
    .outerjoin(SecurityRow, SecurityRow.code == BarCoverageRow.code)
    .outerjoin(_LATEST_EVENT, _LATEST_EVENT.c.code == BarCoverageRow.code)
    .outerjoin(FactorCoverageRow, FactorCoverageRow.code == BarCoverageRow.code)
    .where(BarCoverageRow.adjustflag == AdjustFlag.NONE.value)
    .order_by(BarCoverageRow.code)
)
_FRAME = FrameCoverageRow.__table__
_HELD = (
    select(_FRAME.c.code, func.aggregate_strings(_FRAME.c.frequency, ","))
    .where(_FRAME.c.adjustflag == AdjustFlag.NONE.value)
    .group_by(_FRAME.c.code)
)
"""Each security's frequencies other than daily, one row per security (30,000 coverage
rows of 5,000 stocks at six frequencies come back as 5,000 rows, in ~8 ms)."""
_NAMED = (
    select(
        SecurityRow.code,
        SecurityRow.name,
        SecurityRow.type,
        select(func.max(AdjustFactorRow.divid_operate_date))
        .where(AdjustFactorRow.code == SecurityRow.code)
        .scalar_subquery(),
        FactorCoverageRow.checked_through,
    )
    .outerjoin(FactorCoverageRow, FactorCoverageRow.code == SecurityRow.code)
    .where(SecurityRow.code.in_(bindparam("codes", expanding=True)))
)
"""What the overview shows of securities with weekly, monthly or minute bars but no daily
ones (usually none, so usually not asked)."""
_CHUNK = 500
"""Codes per ``IN (...)``: far below SQLite's bound-parameter limit on any build."""
_PINYIN_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class SecurityOverview:
    """One stored security: what the coverage summaries and ``security`` say about it."""

    code: str
    name: str
    type: str
    """baostock's type: 1 stock, 2 index, 3 other, 4 convertible bond, 5 ETF."""
    first_day: dt.date | None
    last_day: dt.date | None
    rows: int | None
    """The unadjusted daily bars' first and last day and rows; None: it has none."""
    missing_days: int | None
    """Trading days missing between first and last day; None: not counted yet."""
    last_event: dt.date | None
    """The latest ex-rights day stored (``adjust_factor``); None: none."""
    factors_through: dt.date | None
    """The stock's events are known up to this day (``factor_coverage``)."""
    initials: str
    """The name's pinyin initials, lower case (``pfyh`` for 浦发银行)."""
    frequencies: tuple[str, ...] = (DAILY,)
    """The frequencies of its unadjusted bars, in :data:`FREQUENCIES` order."""

    def matches(self, needle: str) -> bool:
        """Whether a search text (lower case, stripped) finds this security: part of its
        code (``sh.600000`` or just ``600000``), its name or its pinyin initials."""
        return needle in self.code or needle in self.name.lower() or needle in self.initials


@dataclass(frozen=True, slots=True)
class Gap:
    """Consecutive trading days missing from a stock's stored bars."""

    first: dt.date
    last: dt.date
    days: int
    before: int
    """Index of the stored bar right after the gap (the chart marks it there)."""


def read_overview(database: Database, *, initials: bool = True) -> list[SecurityOverview]:
    """Every security with unadjusted bars of any frequency, by code, with its pinyin
    initials (or, with ``initials=False``, none yet: see :func:`with_initials`)."""
    with database.reading() as session:
        rows = session.execute(_OVERVIEW).all()
        held: dict[str, str] = {code: others for code, others in session.execute(_HELD)}
        only = sorted(held.keys() - {row.code for row in rows})
        named = {
            row.code: row
            for first in range(0, len(only), _CHUNK)
            for row in session.execute(_NAMED, {"codes": only[first : first + _CHUNK]})
        }
    found = [
        SecurityOverview(
            code=code,
            name=name or "",
            type=kind or "",
            first_day=first,
            last_day=last,
            rows=int(count),
            missing_days=missing,
            last_event=event,
            factors_through=checked,
            initials=pinyin_initials(name or "") if initials else "",
            frequencies=_in_order(held.get(code, ""), daily=True),
        )
        for code, name, kind, first, last, count, missing, event, checked in rows
    ]
    for code in only:
        _code, name, kind, event, checked = named.get(code) or (code, "", "", None, None)
        found.append(
            SecurityOverview(
                code=code,
                name=name or "",
                type=kind or "",
                first_day=None,
                last_day=None,
                rows=None,
                missing_days=None,
                last_event=_date(event),
                factors_through=checked,
                initials=pinyin_initials(name or "") if initials else "",
                frequencies=_in_order(held[code], daily=False),
            )
        )
    if only:
        found.sort(key=lambda security: security.code)
    return found


@lru_cache(maxsize=256)
def _in_order(others: str, *, daily: bool) -> tuple[str, ...]:
    """The frequencies of a security, in :data:`FREQUENCIES` order, from its daily bars
    and its other frequencies as ``_HELD`` joins them (``w,5``); cached, since most
    securities hold the same few combinations."""
    held = {*others.split(","), DAILY} if daily else set(others.split(","))
    return tuple(frequency for frequency in FREQUENCIES if frequency in held)


def _date(value: dt.date | str | None) -> dt.date | None:
    """A max of a date column: a date, or ISO text where SQLite's aggregate in a
    subquery returns the stored text untyped."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def with_initials(rows: Iterable[SecurityOverview]) -> list[SecurityOverview]:
    """``rows`` with their names' pinyin initials filled in."""
    return [replace(row, initials=pinyin_initials(row.name)) for row in rows]


def trading_days(database: Database, first: dt.date, last: dt.date) -> list[dt.date]:
    """The stored calendar's trading days in ``[first, last]``, in order."""
    query = (
        select(TradeCalendarRow.calendar_date)
        .where(
            TradeCalendarRow.is_trading_day == 1,
            TradeCalendarRow.calendar_date >= first,
            TradeCalendarRow.calendar_date <= last,
        )
        .order_by(TradeCalendarRow.calendar_date)
    )
    with database.reading() as session:
        return list(session.scalars(query))


def find_gaps(stored: Sequence[dt.date], trading: Iterable[dt.date]) -> list[Gap]:
    """Runs of ``trading`` days between the first and last of ``stored`` (ascending) that
    ``stored`` lacks. A calendar that does not cover the stored range finds nothing there:
    a day is missing only when the calendar says it was a trading day."""
    if not stored:
        return []
    have = set(stored)
    first, last = stored[0], stored[-1]
    gaps: list[Gap] = []
    run: list[dt.date] = []
    index = 0  # stored bars before the day being looked at
    for day in trading:
        if day < first or day > last:
            continue
        if day in have:
            if run:
                gaps.append(Gap(run[0], run[-1], len(run), index))
                run = []
            index += 1
        else:
            run.append(day)
    return gaps


def pinyin_initials(name: str) -> str:
    """The first letter of each character's reading, lower case; other characters (Latin
    letters, digits) as they are, lower case; spaces and ``*`` dropped (``*ST``)."""
    return _initials(name)


@lru_cache(maxsize=20_000)
def _initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    # pypinyin loads its dictionaries on first use; one thread at a time does that.
    with _PINYIN_LOCK:
        letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(letters).replace(" ", "").replace("*", "").lower()
