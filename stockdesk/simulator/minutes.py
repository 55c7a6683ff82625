"""Minute bars (5, 15, 30 and 60 minutes) that add up exactly to the daily bars.

Each traded day is split into 48 five-minute bars, 09:35 to 11:30 and 13:05 to 15:00, the
bar's ``time`` marking its end as baostock's do. The split is exact in the units the wire
carries: the first open is the day's open, the last close its close, the highest high and
lowest low its high and low (prices in fen), volumes (in lots) and amounts (in fen) sum to
the day's. Longer bars group 3, 6 or 12 five-minute bars. Suspended days have none; nor
has any day before 1999-07-26, where baostock's minute data begin, nor any index.

A security's five-minute bars are drawn a calendar year at a time from their own seed, so
they do not depend on which range a request asks for. Replies are long (a year of one
stock is 11,664 five-minute bars, six pages), so a :class:`MinuteBlock` keeps numbers and
formats only the page asked for.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

from stockdesk.domain.frequency import BARS_PER_DAY
from stockdesk.simulator.paths import CLOSE, HIGH, LOTS, LOW, OPEN

FIVE_MINUTE_BARS = BARS_PER_DAY["5"]
"""Five-minute bars in a trading day."""

GROUPS = {frequency: FIVE_MINUTE_BARS // bars for frequency, bars in BARS_PER_DAY.items()}
"""Five-minute bars per bar of each minute frequency."""

_TAG = 1_000_000
"""Added to the year in a minute path's seed, apart from the daily paths' tags."""

_ENDS = [
    f"{hour:02d}{minute:02d}"
    for start in (9 * 60 + 30, 13 * 60)
    for end in range(start + 5, start + 121, 5)
    for hour, minute in [divmod(end, 60)]
]
"""``HHMM`` at which each five-minute bar ends."""


@dataclass(frozen=True, slots=True)
class FiveMinutes:
    """One security's five-minute bars for the days of one :class:`YearPath`, in fen and
    lots; rows of suspended days are zero and never served."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    lots: np.ndarray
    fen: np.ndarray
    """Amount in fen."""

    def take(self, rows: np.ndarray) -> FiveMinutes:
        """The bars of the days numbered ``rows``."""
        return FiveMinutes(*(getattr(self, name)[rows] for name in _COLUMNS))

    @staticmethod
    def join(parts: list[FiveMinutes]) -> FiveMinutes:
        """The bars of ``parts`` one after another (no days when there are none)."""
        if not parts:
            return FiveMinutes(*(np.zeros((0, FIVE_MINUTE_BARS)) for _ in _COLUMNS))
        return FiveMinutes(
            *(np.concatenate([getattr(part, name) for part in parts]) for name in _COLUMNS)
        )


_COLUMNS = ("open", "high", "low", "close", "lots", "fen")


def five_minutes(
    seed: int, code: str, year: int, data: np.ndarray, amount_scale: float
) -> FiveMinutes:
    """Split the daily bars ``data`` (one year of one security) into five-minute bars."""
    rng = np.random.default_rng([seed, zlib.crc32(code.encode()), _TAG + year])
    days = len(data)
    o, h, lo, c = (data[:, k].astype(np.float64)[:, None] for k in (OPEN, HIGH, LOW, CLOSE))
    share = np.arange(1, FIVE_MINUTE_BARS + 1) / FIVE_MINUTE_BARS
    walk = rng.normal(0.0, 1.0, (days, FIVE_MINUTE_BARS)).cumsum(axis=1)
    bridge = walk - share * walk[:, -1:]
    path = np.clip(np.rint(o + (c - o) * share + bridge * (h - lo) * 0.12), lo, h)
    path[:, -1] = c[:, 0]
    opens = np.concatenate([o, path[:, :-1]], axis=1)
    top, bottom = np.maximum(opens, path), np.minimum(opens, path)
    wicks = np.abs(rng.normal(0.0, 0.04, (2, days, FIVE_MINUTE_BARS))) * (h - lo)
    highs = np.minimum(np.rint(top + wicks[0]), h)
    lows = np.maximum(np.rint(bottom - wicks[1]), lo)
    rows = np.arange(days)
    highs[rows, rng.integers(0, FIVE_MINUTE_BARS, days)] = h[:, 0]
    lows[rows, rng.integers(0, FIVE_MINUTE_BARS, days)] = lo[:, 0]

    slot = np.arange(FIVE_MINUTE_BARS) % 24
    shape = 1 + np.exp(-slot / 4) + 0.6 * np.exp(-(23 - slot) / 4)
    lots = rng.multinomial(data[:, LOTS].astype(np.int64), shape / shape.sum())
    fen = _split_amount(data, lots, (opens + highs + lows + path) / 4, amount_scale)
    return FiveMinutes(opens, highs, lows, path, lots, fen)


def _split_amount(
    data: np.ndarray, lots: np.ndarray, mean: np.ndarray, amount_scale: float
) -> np.ndarray:
    """Each bar's amount in fen, in proportion to lots times mean price, summing exactly to
    the day's amount as the daily bar rounds it."""
    raw = data[:, :4].astype(np.float64) / 100
    vwap = raw.sum(axis=1) / 4
    day = np.rint(np.round(data[:, LOTS] * 100 * vwap * amount_scale, 2) * 100)
    weight = lots * mean
    total = weight.sum(axis=1, keepdims=True)
    fen: np.ndarray = np.floor(day[:, None] * weight / np.where(total > 0, total, 1))
    biggest = weight.argmax(axis=1)
    fen[np.arange(len(day)), biggest] += day - fen.sum(axis=1)
    return fen


class MinuteBlock:
    """The minute bars of one reply: numbers for every row, text only for a page."""

    def __init__(
        self,
        code: str,
        days: list[dt.date],
        bars: FiveMinutes,
        factors: np.ndarray,
        frequency: str,
        adjustflag: str,
    ) -> None:
        group = GROUPS[frequency]
        per_day = FIVE_MINUTE_BARS // group

        def fold(values: np.ndarray, how: str) -> np.ndarray:
            grouped = values.reshape(len(days), per_day, group)
            if how == "first":
                return grouped[:, :, 0]
            if how == "last":
                return grouped[:, :, -1]
            folded: np.ndarray = getattr(grouped, how)(axis=2)
            return folded

        scale = factors[:, None] / 100
        self._open = fold(bars.open, "first") * scale
        self._high = fold(bars.high, "max") * scale
        self._low = fold(bars.low, "min") * scale
        self._close = fold(bars.close, "last") * scale
        self._lots = fold(bars.lots, "sum")
        self._fen = fold(bars.fen, "sum")
        self._ends = _ENDS[group - 1 :: group]
        self._code = code
        self._days = [day.isoformat() for day in days]
        self._stamps = [day.strftime("%Y%m%d") for day in days]
        self._per_day = per_day
        self._adjustflag = adjustflag
        self._price = "%.4f" if adjustflag == "3" else "%.10f"

    def __len__(self) -> int:
        return len(self._days) * self._per_day

    def rows(self, lo: int, hi: int) -> list[list[str]]:
        """Wire rows (:data:`MINUTE_FIELDS`) numbered ``[lo, hi)``."""
        price, out = self._price, []
        for number in range(max(lo, 0), min(hi, len(self))):
            day, slot = divmod(number, self._per_day)
            out.append(
                [
                    self._days[day],
                    f"{self._stamps[day]}{self._ends[slot]}00000",
                    self._code,
                    price % self._open[day, slot],
                    price % self._high[day, slot],
                    price % self._low[day, slot],
                    price % self._close[day, slot],
                    str(int(self._lots[day, slot]) * 100),
                    "%.4f" % (self._fen[day, slot] / 100),
                    self._adjustflag,
                ]
            )
        return out
