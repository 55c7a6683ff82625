"""Turning what a user typed into a valid :class:`JobRequest`, with messages for the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stockdesk.domain.codes import parse_codes
from stockdesk.domain.errors import DATE_FORMAT_MESSAGE, InputError
from stockdesk.domain.frequency import DAILY, check_frequency
from stockdesk.domain.values import UNIVERSES, UPDATE, AdjustFlag, JobRequest

EARLIEST_DATE = dt.date(1990, 12, 19)
"""The first trading day of the Shanghai exchange: nothing older exists."""


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` strictly (``2024-1-5`` and ``20240105`` are refused)."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{DATE_FORMAT_MESSAGE}：{text}") from None


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """A valid request and the notes the user should read about how it was adjusted."""

    request: JobRequest
    notes: tuple[str, ...] = ()


def build_request(
    start: dt.date,
    end: dt.date,
    *,
    adjustflag: str = AdjustFlag.NONE,
    universe: str = "all",
    codes: str | tuple[str, ...] = (),
    frequency: str = DAILY,
    today: dt.date | None = None,
) -> CheckedRequest:
    """Validate a request; an end date in the future is moved back to today, with a note.

    Raises:
        InputError: start after end, a start in the future or before 1990-12-19, an unknown
            universe or adjust type, malformed codes, or a frequency baostock cannot serve
            for them (:func:`~stockdesk.domain.frequency.check_frequency`).
    """
    today = today or dt.date.today()
    notes: list[str] = []
    if start > end:
        raise InputError(f"开始日期 {start} 晚于结束日期 {end}，请调整日期范围")
    if start > today:
        raise InputError(f"开始日期 {start} 在未来，没有可采集的数据")
    if start < EARLIEST_DATE:
        raise InputError(f"开始日期 {start} 早于 A 股最早交易日 {EARLIEST_DATE}")
    if end > today:
        notes.append(f"结束日期 {end} 在未来，已改为今天 {today}")
        end = today
    try:
        flag = AdjustFlag(str(adjustflag))
    except ValueError:
        raise InputError(f"复权类型错误：{adjustflag}（1 后复权、2 前复权、3 不复权）") from None
    if universe not in UNIVERSES:
        raise InputError(f"股票范围错误：{universe}（可选 all、hs300、sz50、zz500、index）")
    parsed: tuple[str, ...] = ()
    if codes:
        parsed = parse_codes(codes)
        universe = "codes"
    elif universe == "codes":
        raise InputError("请至少输入一个股票代码")
    check_frequency(frequency, start=start, universe=universe, codes=parsed)
    request = JobRequest(start, end, flag, universe, parsed, frequency=frequency)
    return CheckedRequest(request, tuple(notes))


def update_request(today: dt.date) -> JobRequest:
    """The request of an update job (``stockdesk update``, the window's Update button,
    ``POST /update``): the collector finds its stocks and days when it plans, so the
    range is only a placeholder until then."""
    return JobRequest(start_date=today, end_date=today, universe=UPDATE)
