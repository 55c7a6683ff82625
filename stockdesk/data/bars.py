"""Daily bars as analysts read them: unadjusted rows plus adjust factors, adjusted on read.

baostock's forward-adjusted (qfq) history changes at every ex-rights day: every earlier
price is multiplied anew. StockDesk therefore stores unadjusted bars and the backward
factors B (``adjust_factor.back_adjust_factor``, B(day) = that of the latest event on or
before the day, 1 before the first) and computes

* backward (hfq): raw x B(day);
* forward (qfq): raw x B(day) / B(latest stored event),

which is what the server returns for adjustflag 1 and 2 on the day the factors were last
brought up to date. Only prices (open, high, low, close, preclose) are adjusted, as the
server does; volume, amount and the ratios are the day's own.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from stockdesk.db.database import Database
from stockdesk.db.models import (
    AdjustFactorRow,
    BarCoverageRow,
    DailyBarRow,
    FactorCoverageRow,
    SecurityRow,
)
from stockdesk.domain.errors import InputError, StockDeskError
from stockdesk.domain.values import BAR_COLUMNS, AdjustFlag

if TYPE_CHECKING:
    import pandas as pd

ADJUST_NAMES = {
    "none": AdjustFlag.NONE,
    "3": AdjustFlag.NONE,
    "qfq": AdjustFlag.FORWARD,
    "2": AdjustFlag.FORWARD,
    "hfq": AdjustFlag.BACKWARD,
    "1": AdjustFlag.BACKWARD,
}
"""What ``adjust`` may be: a name or baostock's own flag."""
PRICES = ("open", "high", "low", "close", "preclose")
COLUMNS = tuple(name for name in BAR_COLUMNS if name != "date")
"""The frame's columns; ``date`` is its index."""
INTEGERS = ("volume", "tradestatus", "is_st")
TEXTS = ("code", "adjustflag")

_BAR = DailyBarRow.__table__
_SELECT = (
    select(*(_BAR.c[name] for name in BAR_COLUMNS))
    .where(
        _BAR.c.code == bindparam("code"),
        _BAR.c.adjustflag == AdjustFlag.NONE.value,
        _BAR.c.date >= bindparam("low"),
        _BAR.c.date <= bindparam("high"),
    )
    .order_by(_BAR.c.date)
)
_FACTORS = (
    select(AdjustFactorRow.divid_operate_date, AdjustFactorRow.back_adjust_factor)
    .where(AdjustFactorRow.code == bindparam("code"))
    .order_by(AdjustFactorRow.divid_operate_date)
)
_STORED = select(BarCoverageRow.code).where(
    BarCoverageRow.code == bindparam("code"), BarCoverageRow.adjustflag == AdjustFlag.NONE.value
)
_NAME = select(SecurityRow.name).where(SecurityRow.code == bindparam("code"))
_CHECKED = select(FactorCoverageRow.checked_through).where(
    FactorCoverageRow.code == bindparam("code")
)
_FIRST, _LAST = dt.date(1990, 1, 1), dt.date(9999, 12, 31)
_PRICE_AT = [BAR_COLUMNS.index(name) for name in PRICES]


class FactorsUnknownError(StockDeskError):
    """The adjust factors of a stock are not known for the days asked: adjusting them
    would give wrong prices, so none are given."""


class NotStoredWarning(UserWarning):
    """The code asked for has no stored bars."""


def adjust_flag(adjust: str | int) -> AdjustFlag:
    """``none``/``qfq``/``hfq`` (or 3/2/1) as baostock's flag; InputError otherwise."""
    flag = ADJUST_NAMES.get(str(adjust).strip().lower())
    if flag is None:
        raise InputError(f"复权类型错误：{adjust}（none、qfq、hfq，或 3、2、1）")
    return flag


def empty_frame(flag: str = AdjustFlag.NONE) -> pd.DataFrame:
    """A frame with no rows and the right columns, dtypes and index."""
    return frame_of([], flag)


def frame_of(rows: Sequence[Any], flag: str, scale: np.ndarray | None = None) -> pd.DataFrame:
    """Rows in :data:`BAR_COLUMNS` order as the frame ``load_bars`` returns, prices
    multiplied by ``scale`` (one factor per row) when given."""
    import pandas as pd

    columns = list(zip(*rows, strict=True)) if rows else [()] * len(BAR_COLUMNS)
    data: dict[str, Any] = {}
    for name, values in zip(BAR_COLUMNS, columns, strict=True):
        if name == "date":
            continue
        if name in TEXTS:
            data[name] = pd.array(values, dtype="string" if name == "code" else object)
        elif name in INTEGERS:
            data[name] = pd.array(values, dtype="Int64")
        else:
            array = np.array(values, dtype=np.float64)
            if scale is not None and name in PRICES:
                array = array * scale
            data[name] = array
    data["adjustflag"] = pd.array([str(flag)] * len(rows), dtype=object)
    index = pd.DatetimeIndex(pd.to_datetime(list(columns[1]), format="%Y-%m-%d"), name="date")
    return pd.DataFrame(data, index=index, columns=list(COLUMNS))


def read_bars(
    database: Database, code: str, start: dt.date | None, end: dt.date | None, flag: str
) -> pd.DataFrame:
    """One stock's bars in ``[start, end]``, adjusted to ``flag``, from ``database``."""
    rows, scale = _stored(database, code, start, end, flag, stacklevel=4)
    return frame_of(rows, flag, scale)


def read_rows(
    database: Database, code: str, start: dt.date | None, end: dt.date | None, flag: str
) -> list[tuple[Any, ...]]:
    """The same bars as plain tuples in :data:`BAR_COLUMNS` order, without pandas (for
    the CSV export of the installer, which leaves pandas out)."""
    rows, scale = _stored(database, code, start, end, flag, stacklevel=4)
    return scaled_rows(rows, scale, flag, BAR_COLUMNS.index("adjustflag"), _PRICE_AT)


def scaled_rows(
    rows: Sequence[Sequence[Any]],
    scale: np.ndarray | None,
    flag: str,
    flag_at: int,
    prices_at: Sequence[int],
) -> list[tuple[Any, ...]]:
    """``rows`` with their adjust flag (at ``flag_at``) set to ``flag`` and the prices
    (at ``prices_at``) multiplied by each row's factor in ``scale`` (None: unadjusted)."""
    adjusted = []
    factors = [1.0] * len(rows) if scale is None else scale.tolist()
    for row, factor in zip(rows, factors, strict=True):
        values = list(row)
        values[flag_at] = str(flag)
        if scale is not None:
            for index in prices_at:
                if values[index] is not None:
                    values[index] = values[index] * factor
        adjusted.append(tuple(values))
    return adjusted


def _stored(
    database: Database,
    code: str,
    start: dt.date | None,
    end: dt.date | None,
    flag: str,
    *,
    stacklevel: int,
) -> tuple[Sequence[Any], np.ndarray | None]:
    """The stored unadjusted rows and, for an adjusted read, each row's price factor."""
    bounds = {"code": code, "low": start or _FIRST, "high": end or _LAST}
    with database.reading() as session:
        rows = [(row[0], row[1].isoformat(), *row[2:]) for row in session.execute(_SELECT, bounds)]
        if not rows:
            if session.execute(_STORED, {"code": code}).first() is None:
                known = session.execute(_NAME, {"code": code}).first()
                what = "不在证券列表中" if known is None else "还没有保存的不复权日线数据"
                warnings.warn(f"{code} {what}", NotStoredWarning, stacklevel=stacklevel)
            return [], None
        if flag == AdjustFlag.NONE:
            return rows, None
        return rows, price_factors(session, code, [row[1] for row in rows], flag)


def price_factors(session: Session, code: str, days: list[str], flag: str) -> np.ndarray:
    """The price multipliers of ``code`` for ISO ``days`` (ascending), from its stored
    backward factors; every frequency's read uses them.

    Raises:
        FactorsUnknownError: the stock's factors are not known up to the last day.
    """
    checked = session.scalar(_CHECKED, {"code": code})
    if checked is None or checked.isoformat() < days[-1]:
        through = "从未获取" if checked is None else f"只获取到 {checked}"
        raise FactorsUnknownError(
            f"{code} 的复权因子{through}，无法计算到 {days[-1]} 的复权价格。"
            "请先运行 stockdesk update（或重新采集该股票）"
        )
    return factors_for(days, session.execute(_FACTORS, {"code": code}).all(), flag)


def factors_for(days: list[str], events: Sequence[Any], flag: str) -> np.ndarray:
    """Price multipliers for ISO ``days`` from (date, backward factor) ``events``."""
    if not events:
        return np.ones(len(days))
    event_days = np.array([day.isoformat() for day, _back in events])
    backward = np.concatenate(([1.0], np.array([back for _day, back in events], dtype=float)))
    steps: np.ndarray = backward[np.searchsorted(event_days, np.array(days), side="right")]
    if flag == AdjustFlag.BACKWARD:
        return steps
    forward: np.ndarray = steps / backward[-1]
    return forward
