"""Weekly, monthly and minute bars as analysts read them, adjusted on read like daily bars.

They are stored unadjusted (``period_bar``, ``minute_bar``); a forward or backward read
multiplies the prices by the factor of the bar's trading day, from the same stored
backward factors :mod:`stockdesk.data.bars` uses, so every frequency of a stock agrees
with its daily bars and none needs fetching again after an ex-rights day.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Table, select

from stockdesk.data.bars import FactorsUnknownError, factors_for
from stockdesk.db.database import Database
from stockdesk.db.models import AdjustFactorRow, FactorCoverageRow, MinuteBarRow, PeriodBarRow
from stockdesk.domain.errors import InputError
from stockdesk.domain.frequency import FREQUENCIES, columns_of, is_minutes
from stockdesk.domain.values import AdjustFlag

if TYPE_CHECKING:
    import pandas as pd

_PRICES = ("open", "high", "low", "close")
_FIRST, _LAST = dt.date(1990, 1, 1), dt.date(9999, 12, 31)


def index_name(frequency: str) -> str:
    """The name of a ``frequency``'s index: ``time`` (minutes, the bar's end) or ``date``."""
    return "time" if is_minutes(frequency) else "date"


def frame_columns(frequency: str) -> tuple[str, ...]:
    """A non-daily frame's columns (its index left out), as ``load_bars`` gives them."""
    return tuple(name for name in columns_of(frequency) if name not in ("date", "bar_time"))


def read_frame_rows(
    database: Database,
    code: str,
    start: dt.date | None,
    end: dt.date | None,
    flag: str,
    frequency: str,
) -> list[tuple[Any, ...]]:
    """One stock's ``frequency`` bars in ``[start, end]`` (by trading day), adjusted to
    ``flag``, as plain tuples without pandas (the installer leaves pandas out): the index
    first (``date`` as ISO text, or ``time`` as ``YYYY-MM-DD HH:MM:SS``), then
    :func:`frame_columns`. What :func:`read_frames` builds its frame from."""
    if frequency not in FREQUENCIES:
        raise InputError(f"K 线周期错误：{frequency}（可选 d、w、m、5、15、30、60）")
    minutes = is_minutes(frequency)
    table: Table = (MinuteBarRow if minutes else PeriodBarRow).__table__  # type: ignore[assignment]
    columns = columns_of(frequency)
    day = table.c.trading_day if minutes else table.c.date
    query = (
        select(*(table.c[name] for name in columns))
        .where(
            table.c.code == code,
            table.c.frequency == frequency,
            table.c.adjustflag == AdjustFlag.NONE.value,
            day >= (start or _FIRST),
            day <= (end or _LAST),
        )
        .order_by(table.c.bar_time if minutes else table.c.date)
    )
    with database.reading() as session:
        rows = session.execute(query).all()
        days = [_iso(row[4] if minutes else row[3]) for row in rows]
        scale = _scale(session, code, days, flag) if rows and flag != AdjustFlag.NONE else None
    factors = scale.tolist() if scale is not None else [1.0] * len(rows)
    prices = {columns.index(name) for name in _PRICES}
    kept = [k for k, name in enumerate(columns) if name not in ("date", "bar_time")]
    at = columns.index("bar_time" if minutes else "date")
    flag_at = columns.index("adjustflag")
    out = []
    for row, factor, bar_day in zip(rows, factors, days, strict=True):
        values: list[Any] = [_time(row[at]) if minutes else bar_day]
        for k in kept:
            value = row[k]
            if k == flag_at:
                value = str(flag)
            elif k in prices and value is not None and scale is not None:
                value = value * factor
            elif minutes and columns[k] == "trading_day":
                value = bar_day
            values.append(value)
        out.append(tuple(values))
    return out


def read_frames(
    database: Database,
    code: str,
    start: dt.date | None,
    end: dt.date | None,
    flag: str,
    frequency: str,
) -> pd.DataFrame:
    """One stock's ``frequency`` bars in ``[start, end]`` (by trading day), adjusted to
    ``flag``: indexed by ``date`` (weekly, monthly) or ``time``, the bar's end (minutes)."""
    return frame_of_rows(read_frame_rows(database, code, start, end, flag, frequency), frequency)


def frame_of_rows(rows: list[tuple[Any, ...]], frequency: str) -> pd.DataFrame:
    """:func:`read_frame_rows`' tuples as the frame ``load_bars`` returns (none: an empty
    frame with the same columns)."""
    import pandas as pd

    names = frame_columns(frequency)
    data: dict[str, Any] = {}
    for k, name in enumerate(names, 1):
        values = [row[k] for row in rows]
        if name in _PRICES or name in ("amount", "turn", "pct_chg"):
            data[name] = np.array(
                [np.nan if value is None else value for value in values], dtype=np.float64
            )
        elif name == "volume":
            data[name] = pd.array(values, dtype="Int64")
        else:
            data[name] = values
    stamps = pd.to_datetime([row[0] for row in rows], format="ISO8601")
    index = pd.DatetimeIndex(stamps, name=index_name(frequency))
    return pd.DataFrame(data, index=index, columns=list(names))


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _time(value: Any) -> str:
    """A bar's end as ``YYYY-MM-DD HH:MM:SS``: a datetime from either store, or the text
    SQLite holds (``… HH:MM:SS.000000``)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value).replace("T", " ")[:19]


def _scale(session: Any, code: str, days: list[str], flag: str) -> np.ndarray:
    """Each row's price factor; refused when the factors are not known that far."""
    checked = session.scalar(
        select(FactorCoverageRow.checked_through).where(FactorCoverageRow.code == code)
    )
    if checked is None or checked.isoformat() < days[-1]:
        through = "从未获取" if checked is None else f"只获取到 {checked}"
        raise FactorsUnknownError(
            f"{code} 的复权因子{through}，无法计算到 {days[-1]} 的复权价格。"
            "请先运行 stockdesk update（或重新采集该股票）"
        )
    events = session.execute(
        select(AdjustFactorRow.divid_operate_date, AdjustFactorRow.back_adjust_factor)
        .where(AdjustFactorRow.code == code)
        .order_by(AdjustFactorRow.divid_operate_date)
    ).all()
    return factors_for(days, events, flag)
