"""Stock codes as users type them, turned into baostock's ``sh.600000`` form."""

from __future__ import annotations

import re
from collections.abc import Iterable

from stockdesk.core.errors import InputError

_BAOSTOCK = re.compile(r"^(sh|sz|bj)\.(\d{6})$")
_SUFFIXED = re.compile(r"^(\d{6})\.(sh|sz|bj)$")
_PREFIXED = re.compile(r"^(sh|sz|bj)(\d{6})$")
_BARE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s,，;；、]+")


def _exchange_of(number: str) -> str:
    """The exchange of a bare six-digit code, by the ranges the exchanges assign."""
    if number.startswith(("6", "9")):
        return "sh"
    if number.startswith(("4", "8")):
        return "bj"
    return "sz"


def normalize_code(text: str) -> str | None:
    """``600000``, ``600000.SH``, ``SH600000`` or ``sh.600000`` → ``sh.600000``; else None."""
    token = text.strip().lower()
    if match := _BAOSTOCK.match(token):
        return token
    if match := _SUFFIXED.match(token):
        return f"{match[2]}.{match[1]}"
    if match := _PREFIXED.match(token):
        return f"{match[1]}.{match[2]}"
    if _BARE.match(token):
        return f"{_exchange_of(token)}.{token}"
    return None


def parse_codes(text: str | Iterable[str]) -> tuple[str, ...]:
    """Split a pasted list of codes, normalise each one and drop repeats (order kept).

    Raises:
        InputError: naming every token that is not a code, or when there is none at all.
    """
    tokens = _SEPARATORS.split(text) if isinstance(text, str) else list(text)
    tokens = [token for token in tokens if token.strip()]
    codes: dict[str, None] = {}
    invalid: list[str] = []
    for token in tokens:
        code = normalize_code(token)
        if code is None:
            invalid.append(token.strip())
        else:
            codes[code] = None
    if invalid:
        raise InputError(f"股票代码格式错误：{'、'.join(invalid)}（示例：sh.600000、600000）")
    if not codes:
        raise InputError("请至少输入一个股票代码")
    return tuple(codes)
