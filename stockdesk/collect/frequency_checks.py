"""Checks of weekly, monthly and minute replies before they are stored as complete.

The same rule as :func:`~stockdesk.collect.checks.check_bars` for daily bars: a stock's
rows are stored as complete only when they are exactly what the calendar says they must
be. A week or month is complete when its bar, dated the last trading day the stock was
listed in it, is there; a stock-day of minute bars when all its bars are there (48 of 5
minutes, 16/8/4 of 15/30/60), a suspended day having none. A reply cut off mid-page
fails in the source adapter; a page lost where a page boundary falls inside a day leaves
that day short, and one lost on a day boundary leaves traded days without bars: both
fail here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

from stockdesk.collect.checks import MISSING_DAYS_ERROR, DataCheckError
from stockdesk.domain.frequency import BARS_PER_DAY, period_end, period_over


def period_dates(
    listed_days: Sequence[dt.date], frequency: str, today: dt.date
) -> tuple[list[dt.date], list[dt.date]]:
    """The bar dates of the periods in ``listed_days`` (a security's listed trading days,
    whole periods, none after today): ``(required, allowed)``.

    Each period's bar is dated its last listed day. It is required once the period has
    certainly ended (its last calendar day is past, or only a weekend is left of it);
    the current period's bar may or may not be out yet, so it is only allowed.
    """
    required, allowed = [], []
    for _end, days in itertools.groupby(listed_days, key=lambda d: period_end(d, frequency)):
        last = list(days)[-1]
        allowed.append(last)
        if period_over(last, frequency, today):
            required.append(last)
    return required, allowed


def check_period_bars(
    bars: Sequence[tuple[Any, ...]],
    code: str,
    required: Sequence[dt.date],
    allowed: Sequence[dt.date],
) -> None:
    """Raise :class:`DataCheckError` unless ``bars`` (``period_bar`` order) are ``code``'s,
    ascending, dated only on ``allowed`` days and on every ``required`` one."""
    _same_code(bars, code)
    dates = [bar[3] for bar in bars]
    _ascending(dates)
    allowed_text = {day.isoformat() for day in allowed}
    unexpected = [day for day in dates if day not in allowed_text]
    if unexpected:
        raise DataCheckError(
            f"数据校验失败：{len(unexpected)} 根K线的日期不是其周期的最后交易日"
            f"（如 {unexpected[0]}）"
        )
    missing = sorted({day.isoformat() for day in required}.difference(dates))
    if missing:
        raise DataCheckError(
            f"数据校验失败：缺少 {len(missing)} 个周期的K线（如 {missing[0]}）",
            code=MISSING_DAYS_ERROR,
        )


def check_minute_bars(
    bars: Sequence[tuple[Any, ...]], code: str, frequency: str, traded_days: Sequence[dt.date]
) -> None:
    """Raise :class:`DataCheckError` unless ``bars`` (``minute_bar`` order) are ``code``'s,
    ascending in time, and hold exactly a full day of bars for each of ``traded_days``
    (the stock's days with trading in the range, from 1999-07-26) and none for others."""
    _same_code(bars, code)
    _ascending([bar[3] for bar in bars])
    if any(bar[3][:10] != bar[4] for bar in bars):
        raise DataCheckError("数据校验失败：K线时间与交易日不符")
    per_day = Counter(bar[4] for bar in bars)
    wanted = {day.isoformat() for day in traded_days}
    unexpected = sorted(set(per_day).difference(wanted))
    if unexpected:
        raise DataCheckError(
            f"数据校验失败：{len(unexpected)} 天不是该股的交易日却有分钟线（如 {unexpected[0]}）"
        )
    full = BARS_PER_DAY[frequency]
    short = sorted(day for day, count in per_day.items() if count != full)
    if short:
        raise DataCheckError(
            f"数据校验失败：{short[0]} 有 {per_day[short[0]]} 根 {frequency} 分钟线，应为 {full} 根"
            f"（共 {len(short)} 天不完整），回复可能丢失了分页"
        )
    missing = sorted(wanted.difference(per_day))
    if missing:
        raise DataCheckError(
            f"数据校验失败：缺少 {len(missing)} 个交易日的分钟线（如 {missing[0]}）",
            code=MISSING_DAYS_ERROR,
        )


def _same_code(bars: Sequence[tuple[Any, ...]], code: str) -> None:
    foreign = next((bar[0] for bar in bars if bar[0] != code), None)
    if foreign is not None:
        raise DataCheckError(f"数据校验失败：回复中含有其他股票 {foreign} 的数据")


def _ascending(keys: Sequence[str]) -> None:
    if any(later <= earlier for earlier, later in itertools.pairwise(keys)):
        raise DataCheckError("数据校验失败：时间重复或顺序错乱")
