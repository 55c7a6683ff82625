"""Reading the stock codes a user pastes into the window.

Analysts copy codes from Excel, Wind or a chat, so the same stock arrives as
``sh.600000``, ``SH600000``, ``600000.SH`` or plain ``600000``. baostock only knows the
``sh.600000`` form, so everything is normalised to it and whatever cannot be read is
handed back verbatim so the window can name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PREFIXED = re.compile(r"^(sh|sz)\.?(\d{6})$", re.IGNORECASE)
_SUFFIXED = re.compile(r"^(\d{6})\.(sh|sz)$", re.IGNORECASE)
_BARE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s,;，；、]+")


@dataclass(frozen=True, slots=True)
class ParsedCodes:
    """The outcome of :func:`parse_codes`.

    Attributes:
        codes: normalised codes (``sh.600000``), duplicates removed, in pasted order.
        invalid: the tokens that are not codes, exactly as pasted.
    """

    codes: tuple[str, ...]
    invalid: tuple[str, ...]


def exchange_of(digits: str) -> str | None:
    """The baostock exchange prefix for six bare digits, None if neither Shanghai nor Shenzhen.

    Shanghai issues codes starting with 6 (A shares) and 9 (B shares); Shenzhen 0, 2 and 3.
    Beijing (4, 8) is not served by baostock, so it is reported as invalid rather than
    silently collecting nothing.
    """
    if digits[0] in "69":
        return "sh"
    if digits[0] in "023":
        return "sz"
    return None


def normalise_code(token: str) -> str | None:
    """``token`` in baostock form (``sh.600000``), or None when it is not a code."""
    token = token.strip()
    if match := _PREFIXED.match(token):
        return f"{match.group(1).lower()}.{match.group(2)}"
    if match := _SUFFIXED.match(token):
        return f"{match.group(2).lower()}.{match.group(1)}"
    if _BARE.match(token) and (exchange := exchange_of(token)):
        return f"{exchange}.{token}"
    return None


def parse_codes(text: str) -> ParsedCodes:
    """Split pasted text on whitespace, commas or semicolons and normalise every code."""
    codes: dict[str, None] = {}
    invalid: list[str] = []
    for token in _SEPARATORS.split(text.strip()):
        if not token:
            continue
        code = normalise_code(token)
        if code is None:
            invalid.append(token)
        else:
            codes.setdefault(code)
    return ParsedCodes(tuple(codes), tuple(invalid))
