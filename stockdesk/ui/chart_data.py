"""The chart's numbers: the bars as float arrays and their candles at each merge level.

numpy only (no Qt, no pyqtgraph, no pandas), so the data view builds it in its
background pool, and the installer, which leaves pandas out, builds it from plain rows.
Each bar's time is kept to the day (daily, weekly, monthly bars) or to the minute
(minute bars), which is what the axis and the readout print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from stockdesk.data.frames import frame_columns
from stockdesk.domain.frequency import is_minutes
from stockdesk.domain.values import BAR_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("open", "high", "low", "close", "preclose", "volume", "amount", "turn", "pct_chg")
"""The columns the chart reads."""


@dataclass(frozen=True, slots=True)
class Candles:
    """Bars merged ``level`` at a time: x is each candle's centre (a bar index)."""

    level: int
    x: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


class ChartData:
    """The bars' columns as float arrays, and their candles at each merge level.

    Bars without a ``preclose`` (weekly, monthly and minute bars) take the previous
    bar's close, so the readout's change is the change from the bar before.
    """

    def __init__(self, columns: dict[str, np.ndarray], dates: np.ndarray) -> None:
        count = len(dates)

        def column(name: str) -> np.ndarray:
            found = columns.get(name)
            return np.full(count, np.nan) if found is None else found

        self.open, self.high, self.low = column("open"), column("high"), column("low")
        self.close = column("close")
        previous = np.concatenate(([np.nan], self.close[:-1])) if count else self.close
        self.preclose = columns.get("preclose", previous)
        self.volume, self.amount = column("volume"), column("amount")
        self.turn, self.pct_chg = column("turn"), column("pct_chg")
        self.dates = dates
        self._levels: dict[int, Candles] = {}

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | None) -> ChartData:
        """The arrays of a ``load_bars`` frame (None: no bars)."""
        if frame is None:
            return cls({}, np.zeros(0, dtype="datetime64[D]"))
        columns = {
            name: np.asarray(frame[name].to_numpy(dtype=float, na_value=np.nan))
            for name in COLUMNS
            if name in frame
        }
        unit = "datetime64[m]" if frame.index.name == "time" else "datetime64[D]"
        return cls(columns, np.asarray(frame.index.values).astype(unit))

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> ChartData:
        """The arrays of rows in ``BAR_COLUMNS`` order (``read_rows``: no pandas)."""
        if not rows:
            return cls.from_frame(None)
        values = list(zip(*rows, strict=True))
        columns = {
            name: np.array(
                [np.nan if value is None else value for value in values[BAR_COLUMNS.index(name)]],
                dtype=float,
            )
            for name in COLUMNS
        }
        return cls(columns, np.array(values[BAR_COLUMNS.index("date")], dtype="datetime64[D]"))

    @classmethod
    def from_frame_rows(cls, rows: Sequence[Sequence[Any]], frequency: str) -> ChartData:
        """The arrays of weekly, monthly or minute rows as ``read_frame_rows`` gives
        them (no pandas): the bar's date or time first, then ``frame_columns``."""
        if not rows:
            return cls.from_frame(None)
        names = ("time", *frame_columns(frequency))
        values = list(zip(*rows, strict=True))
        columns = {
            name: np.array(
                [np.nan if value is None else value for value in values[names.index(name)]],
                dtype=float,
            )
            for name in COLUMNS
            if name in names
        }
        unit = "datetime64[m]" if is_minutes(frequency) else "datetime64[D]"
        return cls(columns, np.array(values[0], dtype="datetime64[s]").astype(unit))

    def __len__(self) -> int:
        return len(self.close)

    def date_text(self, index: int) -> str:
        """The bar's day, ``YYYY-MM-DD``, or for a minute bar its end, ``YYYY-MM-DD HH:MM``."""
        return str(self.dates[index]).replace("T", " ") if 0 <= index < len(self.dates) else ""

    def candles(self, level: int) -> Candles:
        """The bars merged ``level`` at a time (computed once per level)."""
        found = self._levels.get(level)
        if found is not None:
            return found
        count = len(self)
        starts = np.arange(0, count, level)
        ends = np.minimum(starts + level, count) - 1
        if level == 1:
            candles = Candles(
                1,
                starts.astype(float),
                self.open,
                self.high,
                self.low,
                self.close,
                self.volume,
            )
        else:
            candles = Candles(
                level,
                (starts + ends) / 2.0,
                self.open[starts],
                np.fmax.reduceat(self.high, starts) if count else np.zeros(0),
                np.fmin.reduceat(self.low, starts) if count else np.zeros(0),
                self.close[ends],
                np.add.reduceat(np.nan_to_num(self.volume), starts) if count else np.zeros(0),
            )
        self._levels[level] = candles
        return candles

    def moving_average(self, period: int) -> np.ndarray:
        """The mean close of the last ``period`` bars; NaN for the first ``period - 1``."""
        result = np.full(len(self), np.nan)
        if len(self) >= period:
            sums = np.cumsum(np.concatenate(([0.0], self.close)))
            result[period - 1 :] = (sums[period:] - sums[:-period]) / period
        return result
