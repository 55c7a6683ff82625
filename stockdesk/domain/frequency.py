"""The bar frequencies baostock serves, their fields, and what a request may ask of them.

baostock answers a frequency it does not have, a field a frequency lacks, or minute bars
of an index or of a day before its minute data begin with an error or an empty reply, after
the request was sent. Checking here, on plain values, lets the command line, the window
and the HTTP API refuse such a request with a clear message (exit code 2) before any
request goes out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from stockdesk.domain.errors import InputError

DAILY = "d"
PERIODS = ("w", "m")
"""Weekly and monthly: one bar per ended week or month, dated its last trading day."""
BARS_PER_DAY = {"5": 48, "15": 16, "30": 8, "60": 4}
"""Minute frequencies and the bars of one full trading day."""
FREQUENCIES = (DAILY, *PERIODS, *BARS_PER_DAY)
"""Every frequency of ``query_history_k_data_plus``, as baostock spells them."""

FIRST_MINUTE_DAY = dt.date(1999, 7, 26)
"""The first day baostock has minute bars for."""

PERIOD_FIELDS = (
    "date",
    "code",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "amount",
    "adjustflag",
    "turn",
    "pctChg",
)
"""The fields baostock serves for weekly and monthly bars."""
MINUTE_FIELDS = (
    "date",
    "time",
    "code",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "amount",
    "adjustflag",
)
"""The fields baostock serves for minute bars; ``time`` (``YYYYMMDDHHMMSSmmm``) marks the
bar's end."""

_INDEX_CODE = re.compile(r"^(sh\.000|sz\.399)\d{3}$")
"""Index codes: Shanghai's 000xxx and Shenzhen's 399xxx (a Shenzhen stock's 000xxx is not)."""

_SATURDAY = 5

_NAMES = "d（日）、w（周）、m（月）、5、15、30、60（分钟）"


_CHINESE = {"d": "日线", "w": "周线", "m": "月线"}


def chinese_name(frequency: str) -> str:
    """The frequency as the command line names it: 日线, 周线, 月线, 5 分钟线 ..."""
    return _CHINESE.get(frequency, f"{frequency} 分钟线")


def item_label(name: str, frequency: str) -> str:
    """A stock's name as the command line prints an item: an update logs a stock once
    per frequency it extends, so an item not of daily bars names its frequency too."""
    if frequency == DAILY:
        return name
    return f"{name}（{chinese_name(frequency)}）"


def period_end(day: dt.date, frequency: str) -> dt.date:
    """The last calendar day of the week (``w``, its Sunday) or month (``m``) of ``day``."""
    if frequency == "w":
        return day + dt.timedelta(days=6 - day.weekday())
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_start(day: dt.date, frequency: str) -> dt.date:
    """The first calendar day of the week (its Monday) or month of ``day``."""
    return day - dt.timedelta(days=day.weekday()) if frequency == "w" else day.replace(day=1)


def period_over(day: dt.date, frequency: str, today: dt.date) -> bool:
    """Whether the week or month of ``day`` has ended by ``today``: its last day is past,
    or only a weekend is left of it (its bar is then out)."""
    end = period_end(day, frequency)
    rest = (today + dt.timedelta(days=k) for k in range(1, (end - today).days + 1))
    return all(later.weekday() >= _SATURDAY for later in rest)


def is_minutes(frequency: str) -> bool:
    """True for the 5/15/30/60-minute frequencies."""
    return frequency in BARS_PER_DAY


def is_index_code(code: str) -> bool:
    """True when ``code`` (baostock form) is an index's."""
    return bool(_INDEX_CODE.match(code))


def check_frequency(
    frequency: str, *, start: dt.date, universe: str, codes: Iterable[str] = ()
) -> None:
    """Refuse what baostock cannot serve for ``frequency``.

    Raises:
        InputError: an unknown frequency; minute bars of the index universe, of an index
            code, or from before 1999-07-26.
    """
    check_securities(frequency, universe=universe, codes=codes)
    if is_minutes(frequency) and start < FIRST_MINUTE_DAY:
        raise InputError(
            f"分钟线数据从 {FIRST_MINUTE_DAY} 开始，开始日期 {start} 太早，请改为该日或之后"
        )


def check_securities(frequency: str, *, universe: str = "codes", codes: Iterable[str] = ()) -> None:
    """Refuse an unknown frequency, and minute bars of indices (they have none): what
    collecting and exporting share.

    Raises:
        InputError: an unknown frequency; minute bars of the index universe or of an
            index code.
    """
    if frequency not in FREQUENCIES:
        raise InputError(f"K 线周期错误：{frequency}（可选 {_NAMES}）")
    if not is_minutes(frequency):
        return
    if universe == "index":
        raise InputError("指数没有分钟线数据：分钟线只能采集股票")
    indices = [code for code in codes if is_index_code(code)]
    if indices:
        raise InputError(f"指数没有分钟线数据：{'、'.join(indices)}")


PERIOD_COLUMNS = (
    "code",
    "frequency",
    "adjustflag",
    "date",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "amount",
    "turn",
    "pct_chg",
)
"""Column order of a weekly/monthly bar tuple and of the ``period_bar`` table."""
MINUTE_COLUMNS = (
    "code",
    "frequency",
    "adjustflag",
    "bar_time",
    "trading_day",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "amount",
)
"""Column order of a minute bar tuple and of the ``minute_bar`` table. ``bar_time`` is
text ``YYYY-MM-DD HH:MM:SS.000000`` (how SQLAlchemy stores a DATETIME on SQLite),
``trading_day`` and ``date`` ISO text, as the daily bars' dates are."""


def columns_of(frequency: str) -> tuple[str, ...]:
    """The stored columns of a non-daily ``frequency``'s bars."""
    return MINUTE_COLUMNS if is_minutes(frequency) else PERIOD_COLUMNS


def fields_of(frequency: str) -> tuple[str, ...]:
    """The fields to ask baostock for a non-daily ``frequency``: every one it serves."""
    return MINUTE_FIELDS if is_minutes(frequency) else PERIOD_FIELDS
