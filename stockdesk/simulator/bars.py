"""Turning numeric bars into baostock's wire strings, many rows at a time.

baostock sends every value as text: prices with 4 decimals, volume as an integer, amount with
4 decimals, ratios with 6, and an empty string where a value does not apply (turnover and
change on a suspended day; valuation ratios of an index; peTTM of a loss-making company).
Formatting works column-wise over numpy arrays because a per-date reply holds ~5,000 rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from stockdesk.simulator.paths import CLOSE, HIGH, LOTS, LOW, OPEN, PRECLOSE

K_FIELDS = (
    "date",
    "code",
    "open",
    "high",
    "low",
    "close",
    "preclose",
    "volume",
    "amount",
    "adjustflag",
    "turn",
    "tradestatus",
    "pctChg",
    "peTTM",
    "pbMRQ",
    "psTTM",
    "pcfNcfTTM",
    "isST",
)
"""The daily fields of ``query_history_k_data_plus``, in the order bars are produced."""


@dataclass(frozen=True, slots=True)
class BarBlock:
    """Rows to format: one entry per row in every array."""

    dates: Sequence[str]
    codes: Sequence[str]
    data: np.ndarray
    """int32 (rows, 6) as in :class:`~stockdesk.simulator.paths.YearPath`."""
    factors: np.ndarray
    index: np.ndarray
    is_st: np.ndarray
    float_shares: np.ndarray
    eps: np.ndarray
    bvps: np.ndarray
    sps: np.ndarray
    cfps: np.ndarray
    amount_scale: np.ndarray
    """Yuan traded per share per unit of price: 1 for stocks, small for index points."""


def _fmt(spec: str, values: np.ndarray) -> list[str]:
    # printf-style formatting measured ~30% faster than str.format for these columns.
    return list(map(spec.__mod__, values.tolist()))


def _blank(column: list[str], mask: np.ndarray) -> list[str]:
    for i in np.flatnonzero(mask).tolist():
        column[i] = ""
    return column


def format_rows(block: BarBlock, adjustflag: str) -> list[list[str]]:
    """Wire rows in :data:`K_FIELDS` order."""
    if len(block.data) == 0:
        return []
    raw = block.data[:, : PRECLOSE + 1].astype(np.float64) / 100
    prices = raw * block.factors[:, None]
    lots = block.data[:, LOTS].astype(np.int64)
    volume = lots * 100
    suspended = lots == 0
    close, preclose = raw[:, CLOSE], raw[:, PRECLOSE]
    vwap = (raw[:, OPEN] + raw[:, HIGH] + raw[:, LOW] + close) / 4
    amount = np.round(volume * vwap * block.amount_scale, 2)
    no_ratio = block.index
    # Adjusted prices carry ten decimals, as baostock's do: a price rebuilt from the
    # unadjusted one and the adjust factors then matches to ~1e-10, not to 4 decimals.
    price = "%.4f" if adjustflag == "3" else "%.10f"
    columns = [
        block.dates,
        block.codes,
        *(_fmt(price, prices[:, k]) for k in (OPEN, HIGH, LOW, CLOSE, PRECLOSE)),
        list(map(str, volume.tolist())),
        _fmt("%.4f", amount),
        repeat(adjustflag),
        _blank(_fmt("%.6f", volume / block.float_shares * 100), suspended | no_ratio),
        np.where(suspended, "0", "1").tolist(),
        _blank(_fmt("%.6f", (close / preclose - 1) * 100), suspended),
        _blank(_fmt("%.6f", close / block.eps), no_ratio | (block.eps < 0)),
        _blank(_fmt("%.6f", close / block.bvps), no_ratio),
        _blank(_fmt("%.6f", close / block.sps), no_ratio),
        _blank(_fmt("%.6f", close / block.cfps), no_ratio),
        np.where(block.is_st, "1", "0").tolist(),
    ]
    return [list(row) for row in zip(*columns, strict=False)]
