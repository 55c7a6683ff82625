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
from sqlalchemy import String, Table, cast, func, select

from stockdesk.data.bars import price_factors, scaled_rows
from stockdesk.db.database import Database
from stockdesk.db.models import MinuteBarRow, PeriodBarRow
from stockdesk.domain.frequency import check_securities, columns_of, is_minutes
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
    check_securities(frequency)
    minutes = is_minutes(frequency)
    table: Table = (MinuteBarRow if minutes else PeriodBarRow).__table__  # type: ignore[assignment]
    names = frame_columns(frequency)
    day = table.c.trading_day if minutes else table.c.date
    # Dates and times as text from the database itself: SQLAlchemy's parsing of SQLite's
    # DATETIME text into datetimes (and back) was a third of reading 117,000 minute bars.
    index = func.substr(cast(table.c.bar_time, String), 1, 19) if minutes else cast(day, String)
    query = (
        select(
            index,
            *(cast(day, String) if name == "trading_day" else table.c[name] for name in names),
        )
        .where(
            table.c.code == code,
            table.c.frequency == frequency,
            table.c.adjustflag == AdjustFlag.NONE.value,
            day >= (start or _FIRST),
            day <= (end or _LAST),
        )
        .order_by(table.c.bar_time if minutes else table.c.date)
    )
    at_day = 1 + names.index("trading_day") if minutes else 0
    with database.reading() as session:
        rows = session.execute(query).all()
        scale = (
            price_factors(session, code, [row[at_day] for row in rows], flag)
            if rows and flag != AdjustFlag.NONE
            else None
        )
    prices = [1 + names.index(name) for name in _PRICES]
    return scaled_rows(rows, scale, flag, 1 + names.index("adjustflag"), prices)


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
