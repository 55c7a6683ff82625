"""Stock codes as users type them, turned into baostock's ``sh.600000`` form.

Analysts copy codes from Excel, Wind or a chat, so the same stock arrives as
``sh.600000``, ``SH600000``, ``600000.SH`` or plain ``600000``. The command line and the
window read them with these functions, so both accept exactly the same codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from stockdesk.domain.errors import InputError

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


@dataclass(frozen=True, slots=True)
class ParsedCodes:
    """The outcome of :func:`split_codes`.

    Attributes:
        codes: normalised codes (``sh.600000``), repeats dropped, in the order given.
        invalid: the tokens that are not codes, as typed (without surrounding blanks).
    """

    codes: tuple[str, ...]
    invalid: tuple[str, ...]


def split_codes(text: str | Iterable[str]) -> ParsedCodes:
    """Split a pasted list of codes, normalise each one and drop repeats (order kept).

    Nothing is refused here: the tokens that are not codes are handed back, so each caller
    words its own message (the window in the user's language, :func:`parse_codes` for the
    command line).
    """
    tokens = _SEPARATORS.split(text) if isinstance(text, str) else list(text)
    codes: dict[str, None] = {}
    invalid: list[str] = []
    for token in tokens:
        if not token.strip():
            continue
        code = normalize_code(token)
        if code is None:
            invalid.append(token.strip())
        else:
            codes[code] = None
    return ParsedCodes(tuple(codes), tuple(invalid))


def parse_codes(text: str | Iterable[str]) -> tuple[str, ...]:
    """The codes of :func:`split_codes`, refusing bad or missing ones.

    Raises:
        InputError: naming every token that is not a code, or when there is none at all.
    """
    parsed = split_codes(text)
    if parsed.invalid:
        raise InputError(
            f"股票代码格式错误：{'、'.join(parsed.invalid)}（示例：sh.600000、600000）"
        )
    if not parsed.codes:
        raise InputError("请至少输入一个股票代码")
    return parsed.codes
