"""Reading the stock codes a user pastes into the window.

Analysts copy codes from Excel, Wind or a chat, so the same stock arrives as
``sh.600000``, ``SH600000``, ``600000.SH`` or plain ``600000``. Each token is normalised
by the engine's own rule (:func:`stockdesk.core.codes.normalize_code`, so the window and
the command line accept the same codes); what cannot be read is handed back verbatim so
the window can name it in the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stockdesk.core.codes import normalize_code

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


def parse_codes(text: str) -> ParsedCodes:
    """Split pasted text on whitespace, commas or semicolons and normalise every code."""
    codes: dict[str, None] = {}
    invalid: list[str] = []
    for token in _SEPARATORS.split(text.strip()):
        if not token:
            continue
        code = normalize_code(token)
        if code is None:
            invalid.append(token)
        else:
            codes.setdefault(code)
    return ParsedCodes(tuple(codes), tuple(invalid))
