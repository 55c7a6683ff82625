"""Parsing weekly, monthly and minute replies into tuples of the tables' column order.

Like :mod:`stockdesk.source.bars` for daily bars: the reply's header is mapped once, text
becomes ``float`` / ``int`` and ``""`` becomes ``None``. Dates stay ISO text and a
minute bar's ``time`` (``YYYYMMDDHHMMSSmmm``, the bar's end) becomes the text SQLAlchemy
stores a DATETIME as, so the SQLite writer passes them straight to the driver and the
PostgreSQL writer converts them once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from stockdesk.domain.frequency import columns_of

_INTS = frozenset({"volume"})
_TEXT = frozenset({"code", "date"})


class FrameError(ValueError):
    """A reply lacks a needed field or holds a value that is not a number or time."""


def _number(kind: type) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        return kind(text) if text != "" else None

    return convert


def _timestamp(text: str) -> str:
    """``20240102093500000`` -> ``2024-01-02 09:35:00.000000``."""
    if len(text) != 17 or not text.isdigit():
        raise FrameError(f"时间格式错误：{text!r}")
    return f"{text[:4]}-{text[4:6]}-{text[6:8]} {text[8:10]}:{text[10:12]}:{text[12:14]}.000000"


def parse_frames(
    fields: Sequence[str], rows: Sequence[Sequence[str]], frequency: str
) -> list[tuple[Any, ...]]:
    """The rows of a ``frequency`` reply as tuples in :func:`columns_of` order.

    Raises:
        FrameError: a field of the table is missing from the reply, or a value is malformed.
    """
    position = {name: k for k, name in enumerate(fields)}
    source = {"trading_day": "date", "bar_time": "time", "pct_chg": "pctChg"}
    plan: list[tuple[int, Callable[[str], Any]]] = []
    for column in columns_of(frequency):
        if column == "frequency":
            continue
        name = source.get(column, column)
        if name not in position:
            raise FrameError(f"回复缺少字段 {name}")
        if column == "bar_time":
            convert: Callable[[str], Any] = _timestamp
        elif column in _TEXT or column in ("adjustflag", "trading_day"):
            convert = str
        else:
            convert = _number(int if column in _INTS else float)
        plan.append((position[name], convert))
    out = []
    try:
        for row in rows:
            values = [convert(row[k]) for k, convert in plan]
            out.append((values[0], frequency, *values[1:]))
    except (ValueError, IndexError) as error:
        raise FrameError(f"数值格式错误：{error}") from None
    return out
