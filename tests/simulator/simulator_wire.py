"""Raw-socket helpers for simulator tests that must not use the baostock client
(it would block or spin forever on a hanging or half-closed connection)."""

from __future__ import annotations

import socket
import zlib

from stockdesk.simulator.protocol import TERMINATOR

TIMEOUT = 5.0


def request(msg_type: str, *fields: str) -> bytes:
    """A request framed exactly as the baostock client frames it."""
    body = "\x01".join(fields)
    head_body = f"00.9.40\x01{msg_type}\x01{len(body):010d}" + body
    return f"{head_body}\x01{zlib.crc32(head_body.encode())}\n".encode()


def login_request(user: str = "anonymous") -> bytes:
    return request("00", "login", user, "123456", "0")


def k_request(
    code: str = "sh.600000",
    fields: str = "date,code,close",
    start: str = "2024-01-01",
    end: str = "2024-03-31",
    page: int = 1,
) -> bytes:
    return request(
        "95",
        "query_history_k_data_plus",
        "anonymous",
        str(page),
        "2000",
        code,
        fields,
        start,
        end,
        "d",
        "3",
    )


def connect(address: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(address, timeout=TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def read_reply(sock: socket.socket) -> bytes:
    """Bytes up to and including the terminator; raises on EOF before it."""
    data = b""
    while not data.endswith(TERMINATOR):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} bytes")
        data += chunk
    return data


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends before closing gracefully."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def fields_of(reply: bytes) -> list[str]:
    """Body fields of a reply, decompressing like the client does."""
    header = reply[:21].decode()
    kind, length = header.split("\x01")[1:]
    body = reply[21 : -len(TERMINATOR)]
    if kind in ("96", "99", "9B", "9D"):
        body = zlib.decompress(body[: int(length)])
    return body.decode().rstrip("\n").split("\x01")[:-1]


def logged_in(address: tuple[str, int]) -> socket.socket:
    sock = connect(address)
    sock.sendall(login_request())
    assert fields_of(read_reply(sock))[0] == "0"
    return sock
