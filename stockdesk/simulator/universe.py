"""The list of securities of a synthetic market: codes, names, listing and delisting dates.

Codes follow the real boards (Shanghai main 600xxx, STAR 688xxx, Shenzhen main 000xxx, SME
002xxx, ChiNext 300xxx) so code-parsing and sorting code is exercised as in production. Lower
codes list earlier, as on the real exchanges, from the day each board opened.

A market's history begins on its first day: a security listed earlier is listed on the
market's first trading day instead, so what the market lists never claims days it has no
bars for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import product

import numpy as np

from stockdesk.domain.values import Security
from stockdesk.simulator.calendar import (
    FIRST_TRADING_DAY,
    next_trading_day,
    previous_trading_day,
)


@dataclass(frozen=True, slots=True)
class _Board:
    exchange: str
    first_number: int
    capacity: int
    share: float
    opened: dt.date


_BOARDS = (
    _Board("sh", 600000, 6000, 0.36, FIRST_TRADING_DAY),
    _Board("sh", 688001, 999, 0.10, dt.date(2019, 7, 22)),
    _Board("sz", 1, 1999, 0.14, dt.date(1991, 4, 3)),
    _Board("sz", 2001, 1999, 0.18, dt.date(2004, 6, 25)),
    _Board("sz", 300001, 1999, 0.22, dt.date(2009, 10, 30)),
)
MAX_STOCKS = 9000
"""More stocks than this would overflow a board's code range."""

_INDICES = (
    ("sh.000001", "上证综合指数", dt.date(1991, 7, 15)),
    ("sh.000300", "沪深300指数", dt.date(2005, 4, 8)),
    ("sz.399001", "深证成份指数", dt.date(1991, 4, 3)),
    ("sh.000905", "中证500指数", dt.date(2007, 1, 15)),
    ("sh.000016", "上证50指数", dt.date(2004, 1, 2)),
    ("sz.399006", "创业板指数", dt.date(2010, 6, 1)),
    ("sz.399005", "中小板指数", dt.date(2006, 1, 24)),
    ("sh.000688", "科创50指数", dt.date(2020, 7, 23)),
)
MAX_INDICES = len(_INDICES)

_FIRST = "华中东南西北金国长新海天宏恒万鑫亿信瑞嘉通安兴盛永泰康明光大"
_SECOND = "达源丰科联隆发鼎远创润和立晶力凯宇辰德利荣昌鸿威"
_TRADES = (
    "科技",
    "股份",
    "电子",
    "药业",
    "能源",
    "银行",
    "证券",
    "地产",
    "汽车",
    "材料",
    "化工",
    "电气",
    "传媒",
    "食品",
    "环保",
    "智能",
    "重工",
    "物流",
    "医疗",
    "软件",
    "机械",
    "建设",
    "矿业",
    "通信",
)
_DELIST_RATE = 0.03
_DELISTINGS_FROM = dt.date(2001, 1, 1)
"""No earlier delistings: the first A-share companies were delisted in 2001."""
_ST_RATE = 0.02


def build_securities(
    rng: np.random.Generator, stocks: int, indices: int, first_day: dt.date, last_day: dt.date
) -> tuple[Security, ...]:
    """Indices and stocks of one market, sorted by code as baostock lists them; none is
    listed before the first trading day on or after ``first_day``."""
    if not 0 <= stocks <= MAX_STOCKS:
        raise ValueError(f"stocks must be between 0 and {MAX_STOCKS}, got {stocks}")
    if not 0 <= indices <= MAX_INDICES:
        raise ValueError(f"indices must be between 0 and {MAX_INDICES}, got {indices}")
    opened = next_trading_day(first_day)
    result = [
        Security(code, name, "2", "1", max(ipo, opened)) for code, name, ipo in _INDICES[:indices]
    ]
    names = iter(_unique_names(rng, stocks))
    for board, count in zip(_BOARDS, _board_counts(stocks), strict=True):
        for code, ipo in _board_listings(rng, board, count, last_day):
            result.append(_stock(rng, code, next(names), max(ipo, opened), last_day))
    return tuple(sorted(result, key=lambda security: security.code))


def _board_counts(stocks: int) -> list[int]:
    counts = [int(stocks * board.share) for board in _BOARDS]
    counts[0] += stocks - sum(counts)
    return counts


def _board_listings(
    rng: np.random.Generator, board: _Board, count: int, last_day: dt.date
) -> list[tuple[str, dt.date]]:
    if count == 0:
        return []
    offsets = np.sort(rng.choice(np.arange(1, board.capacity), size=count - 1, replace=False))
    numbers = [board.first_number, *(board.first_number + int(k) for k in offsets)]
    low = board.opened.toordinal()
    high = max(low, last_day.toordinal() - 20)
    ipos = np.sort(rng.integers(low, high + 1, size=count))
    return [
        (f"{board.exchange}.{number:06d}", next_trading_day(dt.date.fromordinal(int(ipo))))
        for number, ipo in zip(numbers, ipos, strict=True)
    ]


def _stock(
    rng: np.random.Generator, code: str, name: str, ipo: dt.date, last_day: dt.date
) -> Security:
    listed_from = max(ipo.toordinal() + 60, _DELISTINGS_FROM.toordinal())
    delists = rng.random() < _DELIST_RATE and listed_from < last_day.toordinal()
    if delists:
        out = dt.date.fromordinal(int(rng.integers(listed_from, last_day.toordinal())))
        return Security(code, "*ST" + name, "1", "0", ipo, previous_trading_day(out))
    if rng.random() < _ST_RATE:
        name = "ST" + name
    return Security(code, name, "1", "1", ipo)


def _unique_names(rng: np.random.Generator, count: int) -> list[str]:
    combos = list(product(_FIRST, _SECOND, _TRADES))
    picks = rng.permutation(len(combos))[:count]
    return ["".join(combos[int(k)]) for k in picks]
