"""baostock 0.9.4 wire framing: parsing requests and building replies.

A request is ``header + body + \\x01 + crc32(header + body) + \\n`` where the 21-character
header is ``version \\x01 type(2) \\x01 body length(10)`` and body fields are split by
``\\x01``. The client reads a reply until it ends with ``<![CDATA[]]>\\n``. For the compressed
types the header's length is that of the zlib data after it, which the client inflates and
appends to the header. Most client parsers then drop the LAST character of that text and
split by ``\\x01``, one (the per-date K-line) keeps it. Replies therefore end every body with
an extra ``\\x01`` (and compressed bodies with ``\\x01\\n``), so every parser's last real field
comes out clean and the leftovers land in a field nobody reads.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

VERSION = "00.9.40"
SPLIT = "\x01"
HEADER_LENGTH = 21
TERMINATOR = b"<![CDATA[]]>\n"
COMPRESSED_TYPES = frozenset({"96", "99", "9B", "9D"})
EXCEPTION_TYPE = "04"

METHODS = {
    "00": "login",
    "02": "logout",
    "33": "query_trade_dates",
    "35": "query_all_stock",
    "45": "query_stock_basic",
    "61": "query_hs300_stocks",
    "63": "query_sz50_stocks",
    "65": "query_zz500_stocks",
    "95": "query_history_k_data_plus",
    "98": "query_daily_history_k_AStock",
    "15": "query_adjust_factor",
    "9C": "query_daily_adjust_factor",
}
"""Request message types the simulator serves, and baostock's method names for them."""

ERROR_MESSAGES = {
    "10001001": "用户未登录。",
    "10001011": "黑名单用户。",
    "10004006": "参数错误。",
    "10004007": "起始日期格式不正确。",
    "10004008": "截止日期格式不正确。",
    "10004009": "起始日期大于终止日期。",
    "10004010": "日期格式不正确。",
    "10004011": "无效的证券代码。",
    "10004012": "无效的指标。",
    "10004018": "指标重复。",
    "10004019": "消息格式不正确。",
    "10004020": "错误的消息类型。",
    "10005001": "系统级别错误。",
}


class ProtocolError(ValueError):
    """A request that cannot be parsed; carries the baostock error code to reply with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed request: its message type and body fields."""

    type: str
    fields: list[str]

    @property
    def method(self) -> str:
        """baostock's method name, or ``unknown:<type>`` for types not served."""
        return METHODS.get(self.type, f"unknown:{self.type}")

    def field(self, position: int, default: str = "") -> str:
        """Body field at ``position``, ``default`` when the body is shorter."""
        return self.fields[position] if position < len(self.fields) else default


def parse_request(line: bytes) -> Request:
    """Parse one request line (without its trailing newline); check framing and CRC."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("10004019", "request is not UTF-8") from error
    head, _, crc = text.rpartition(SPLIT)
    header = head[:HEADER_LENGTH].split(SPLIT)
    if len(header) != 3 or len(header[1]) != 2 or not crc.isdigit():
        raise ProtocolError("10004019", "bad request framing")
    if zlib.crc32(head.encode("utf-8")) != int(crc):
        raise ProtocolError("10004019", "request CRC mismatch")
    return Request(type=header[1], fields=head[HEADER_LENGTH:].split(SPLIT))


def response_type(request_type: str) -> str:
    """Reply type for a request type ("95" -> "96", "9A" -> "9B"); the exception type for
    types the simulator does not serve."""
    if request_type not in METHODS:
        return EXCEPTION_TYPE
    if request_type.isdigit():
        return f"{int(request_type) + 1:02d}"
    return f"{int(request_type, 16) + 1:02X}"


def header(msg_type: str, length: int) -> bytes:
    """The 21-byte reply header."""
    return f"{VERSION}{SPLIT}{msg_type}{SPLIT}{length:010d}".encode()


def encode_body(msg_type: str, fields: Sequence[str]) -> bytes:
    """The bytes between header and terminator: UTF-8 text, zlib data for compressed types."""
    text = SPLIT.join(fields) + SPLIT
    if msg_type in COMPRESSED_TYPES:
        # Level 1: a fifth of the default level's time on a per-date reply, ~15% larger.
        return zlib.compress((text + "\n").encode("utf-8"), 1)
    return text.encode("utf-8")


def frame(msg_type: str, body: bytes) -> bytes:
    """A complete reply around already encoded ``body``."""
    return header(msg_type, len(body)) + body + TERMINATOR


def reply(msg_type: str, fields: Sequence[str]) -> bytes:
    """A complete reply carrying ``fields``."""
    return frame(msg_type, encode_body(msg_type, fields))


def error_fields(code: str, message: str | None, method: str, user: str) -> list[str]:
    """Body fields of an error reply (the client reads the first two)."""
    return [code, message or ERROR_MESSAGES.get(code, "错误。"), method, user]
