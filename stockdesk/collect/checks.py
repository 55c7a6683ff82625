"""Checks a stock's rows pass before they are stored as complete.

A reply without some days, or rows of another stock, would otherwise be stored as a
finished stock and skipped by every later run. The trading calendar says exactly which
days a listed stock must have (baostock returns suspended days too, with
``tradestatus = 0``), so anything else is a fault of the reply.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Sequence

from stockdesk.domain.errors import SourceError
from stockdesk.domain.values import Bar, Security

DATA_CHECK_ERROR = "DATA_CHECK"
"""``error_code`` of a stock whose rows were mixed up (another stock, bad dates)."""
MISSING_DAYS_ERROR = "MISSING_DAYS"
"""``error_code`` of a stock whose reply ended normally but lacked trading days."""


class TradingCalendar:
    """The trading days of one job's range, for counting a stock's expected days."""

    def __init__(self, days: Sequence[dt.date]) -> None:
        self.days = sorted(days)

    def expected_days(self, security: Security, start: dt.date, end: dt.date) -> list[dt.date]:
        """The trading days in ``[start, end]`` during which ``security`` was listed."""
        listed = security.listed_between(start, end)
        if listed is None:
            return []
        first, last = listed
        low = bisect.bisect_left(self.days, first)
        high = bisect.bisect_right(self.days, last)
        return self.days[low:high]

    @property
    def last_day(self) -> dt.date | None:
        """The last trading day of the range, None when the range has none."""
        return self.days[-1] if self.days else None


class DataCheckError(SourceError):
    """The rows of a stock are not what the calendar says they must be."""

    def __init__(self, message: str, *, code: str = DATA_CHECK_ERROR) -> None:
        super().__init__(message, code=code, retryable=True)


def check_bars(bars: Sequence[Bar], code: str, expected: Sequence[dt.date]) -> None:
    """Raise :class:`DataCheckError` unless ``bars`` are exactly ``code`` on ``expected``.

    Checks, in order of what they reveal: rows of another stock (a mixed-up reply),
    dates out of order or repeated, dates outside the range or not trading days, and
    missing trading days. ``bars`` come from a reply that ended normally: a reply the
    network cut off, or whose pages stopped early, fails in the source adapter with its
    own message (``分页数据在中途中断`` ...), so missing days here mean the server
    answered without them, and the message says so instead of blaming the transfer.
    """
    foreign = next((bar[0] for bar in bars if bar[0] != code), None)
    if foreign is not None:
        raise DataCheckError(f"数据校验失败：回复中含有其他股票 {foreign} 的数据")
    dates = [bar[1] for bar in bars]
    if any(later <= earlier for earlier, later in itertools.pairwise(dates)):
        raise DataCheckError("数据校验失败：日期重复或顺序错乱")
    wanted = {day.isoformat() for day in expected}
    unexpected = [day for day in dates if day not in wanted]
    if unexpected:
        raise DataCheckError(
            f"数据校验失败：{len(unexpected)} 行的日期不在范围内或不是交易日（如 {unexpected[0]}）"
        )
    if len(dates) < len(wanted):
        missing = sorted(wanted.difference(dates))
        raise DataCheckError(
            f"数据校验失败：服务器的回复正常结束，但缺少 {len(missing)} 个交易日的数据"
            f"（如 {missing[0]}），服务器可能没有这段日期的数据",
            code=MISSING_DAYS_ERROR,
        )
