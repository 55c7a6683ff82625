"""Weekly and monthly bars, aggregated from the daily bars the market already serves.

A weekly or monthly bar is derived, never drawn: its open is the period's first traded
open, its high and low the extremes of the traded days, its close the last close, its
volume and amount the sums. So a collector's weekly history can be checked against the
daily one, and the two always agree. As baostock does, a bar exists only once its period
has ended (its last trading day is on or before the server's today), and it is dated the
last day of the period the security was listed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from stockdesk.domain.frequency import period_end
from stockdesk.simulator.calendar import previous_trading_day
from stockdesk.simulator.paths import CLOSE, HIGH, LOTS, LOW, OPEN, PRECLOSE


def period_rows(
    code: str,
    days: list[dt.date],
    data: np.ndarray,
    factors: np.ndarray,
    *,
    frequency: str,
    adjustflag: str,
    today: dt.date,
    float_shares: float | None,
    amount_scale: float,
) -> list[list[str]]:
    """Wire rows (:data:`PERIOD_FIELDS`) of the ended periods among ``days``.

    ``data`` holds the daily bars of ``days`` (:class:`~stockdesk.simulator.paths.YearPath`
    columns), ``factors`` their price multipliers; each period must be whole in ``days``
    from the security's first listed day in it. ``float_shares`` is None for an index,
    which has no turnover.
    """
    prices = data[:, : PRECLOSE + 1].astype(np.float64) / 100 * factors[:, None]
    lots = data[:, LOTS].astype(np.int64)
    raw = data[:, : PRECLOSE + 1].astype(np.float64) / 100
    vwap = (raw[:, OPEN] + raw[:, HIGH] + raw[:, LOW] + raw[:, CLOSE]) / 4
    amounts = np.round(lots * 100 * vwap * amount_scale, 2)
    price = "%.4f" if adjustflag == "3" else "%.10f"
    keys = [period_end(day, frequency) for day in days]
    rows = []
    lo = 0
    while lo < len(days):
        hi = lo + 1
        while hi < len(days) and keys[hi] == keys[lo]:
            hi += 1
        if previous_trading_day(keys[lo]) <= today:
            rows.append(
                _row(code, days[hi - 1], prices[lo:hi], lots[lo:hi], amounts[lo:hi], price)
                + _ratios(lots[lo:hi], prices[lo:hi], float_shares, adjustflag)
            )
        lo = hi
    return rows


def _row(
    code: str, day: dt.date, prices: np.ndarray, lots: np.ndarray, amounts: np.ndarray, price: str
) -> list[str]:
    traded = prices[lots > 0] if lots.any() else prices
    return [
        day.isoformat(),
        code,
        price % traded[0, OPEN],
        price % traded[:, HIGH].max(),
        price % traded[:, LOW].min(),
        price % prices[-1, CLOSE],
        str(int(lots.sum()) * 100),
        f"{round(float(amounts.sum()), 2):.4f}",
    ]


def _ratios(
    lots: np.ndarray, prices: np.ndarray, float_shares: float | None, adjustflag: str
) -> list[str]:
    """``adjustflag, turn, pctChg``: blank turnover for an index, blank ratios for a
    period without a trade (as for a suspended day)."""
    volume = int(lots.sum()) * 100
    if volume == 0:
        return [adjustflag, "", ""]
    turn = "" if float_shares is None else f"{volume / float_shares * 100:.6f}"
    change = (prices[-1, CLOSE] / prices[0, PRECLOSE] - 1) * 100
    return [adjustflag, turn, f"{change:.6f}"]
