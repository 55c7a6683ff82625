"""baostock's K-line strings turned into typed :data:`Bar` tuples.

baostock sends every value as text and an absent value as ``""``. The database stores
numbers as numbers and an absent value as NULL (DESIGN §4), so parsing happens once,
here, in plain Python (DESIGN §8 measured ~260k rows/s, faster than going via pandas).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from stockdesk.core.domain import BAR_COLUMNS, Bar

K_FIELDS = (
    "date", "code", "open", "high", "low", "close", "preclose", "volume", "amount",
    "adjustflag", "turn", "tradestatus", "pctChg", "peTTM", "pbMRQ", "psTTM", "pcfNcfTTM",
    "isST",
)
"""The fields StockDesk asks ``query_history_k_data_plus`` for."""
K_FIELDS_PARAM = ",".join(K_FIELDS)

_COLUMN_OF_FIELD = {
    "date": "date", "code": "code", "open": "open", "high": "high", "low": "low",
    "close": "close", "preclose": "preclose", "volume": "volume", "amount": "amount",
    "adjustflag": "adjustflag", "turn": "turn", "tradestatus": "tradestatus",
    "pctChg": "pct_chg", "peTTM": "pe_ttm", "pbMRQ": "pb_mrq", "psTTM": "ps_ttm",
    "pcfNcfTTM": "pcf_ncf_ttm", "isST": "is_st",
}


def _text(value: str) -> str | None:
    return value or None


def _real(value: str) -> float | None:
    return float(value) if value else None


def _integer(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return int(float(value))


_PARSER_OF_COLUMN: dict[str, Callable[[str], object]] = {
    "code": _text, "date": _text, "adjustflag": _text, "volume": _integer,
    "tradestatus": _integer, "is_st": _integer,
}


class MalformedRowError(ValueError):
    """A row whose fields do not match the header or whose numbers do not parse."""


class BarParser:
    """Parses rows of one reply, whose field order the reply's header gives."""

    def __init__(self, fields: Sequence[str], *, adjustflag: str | None = None) -> None:
        """Map each of our columns to its position in the reply.

        Args:
            fields: the field names of the reply, in order.
            adjustflag: the value to store when the reply has no ``adjustflag`` field.
        """
        position = {_COLUMN_OF_FIELD.get(name, name): index for index, name in enumerate(fields)}
        missing = [c for c in BAR_COLUMNS if c not in position and c != "adjustflag"]
        if missing or ("adjustflag" not in position and adjustflag is None):
            raise MalformedRowError(f"回复缺少字段：{', '.join(missing) or 'adjustflag'}")
        self._width = len(fields)
        self._steps = [
            (position.get(column), _PARSER_OF_COLUMN.get(column, _real))
            for column in BAR_COLUMNS
        ]
        self._default_adjustflag = adjustflag

    def parse(self, row: Sequence[str]) -> Bar:
        """One row of strings → one typed tuple in ``BAR_COLUMNS`` order."""
        if len(row) != self._width:
            raise MalformedRowError(f"回复的一行有 {len(row)} 个字段，应为 {self._width} 个")
        try:
            return tuple(
                parse(row[index]) if index is not None else self._default_adjustflag
                for index, parse in self._steps
            )
        except (TypeError, ValueError) as error:
            raise MalformedRowError(f"无法解析的数值：{error}") from None

    def parse_all(self, rows: Iterable[Sequence[str]]) -> list[Bar]:
        """Parse many rows; raises :class:`MalformedRowError` on the first bad one."""
        return [self.parse(row) for row in rows]
