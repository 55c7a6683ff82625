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
from stockdesk.domain.frequency import FREQUENCIES, MINUTE_COLUMNS, PERIOD_COLUMNS, is_minutes
from stockdesk.domain.values import AdjustFlag

if TYPE_CHECKING:
    import pandas as pd

_PRICES = ("open", "high", "low", "close")
_FIRST, _LAST = dt.date(1990, 1, 1), dt.date(9999, 12, 31)


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
    import pandas as pd

    if frequency not in FREQUENCIES:
        raise InputError(f"K 线周期错误：{frequency}（可选 d、w、m、5、15、30、60）")
    minutes = is_minutes(frequency)
    table: Table = (MinuteBarRow if minutes else PeriodBarRow).__table__  # type: ignore[assignment]
    columns = MINUTE_COLUMNS if minutes else PERIOD_COLUMNS
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
    data: dict[str, Any] = {}
    for k, name in enumerate(columns):
        values = [row[k] for row in rows]
        if name in _PRICES or name in ("amount", "turn", "pct_chg"):
            array = np.array(values, dtype=np.float64)
            data[name] = array * scale if scale is not None and name in _PRICES else array
        elif name == "volume":
            data[name] = pd.array(values, dtype="Int64")
        elif name not in ("date", "bar_time"):
            data[name] = values
    data["adjustflag"] = [str(flag)] * len(rows)
    if minutes:
        data["trading_day"] = [_iso(value) for value in data["trading_day"]]
        index = pd.DatetimeIndex(pd.to_datetime([row[3] for row in rows]), name="time")
    else:
        index = pd.DatetimeIndex(pd.to_datetime(days, format="%Y-%m-%d"), name="date")
    kept = [name for name in columns if name not in ("date", "bar_time")]
    return pd.DataFrame(data, index=index, columns=kept)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


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
