"""One client connection: read requests, answer them, and misbehave when the plan says so."""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Callable

from stockdesk.simulator.faults import Fault, FaultKind, FaultPlan, Probe
from stockdesk.simulator.handlers import SUCCESS, Handlers
from stockdesk.simulator.protocol import (
    EXCEPTION_TYPE,
    METHODS,
    TERMINATOR,
    ProtocolError,
    Request,
    error_fields,
    frame,
    parse_request,
    reply,
    response_type,
)

log = logging.getLogger(__name__)

_PAGED = frozenset(
    {
        "query_trade_dates",
        "query_all_stock",
        "query_stock_basic",
        "query_hs300_stocks",
        "query_sz50_stocks",
        "query_zz500_stocks",
        "query_history_k_data_plus",
        "query_adjust_factor",
    }
)
_DATED = {
    "query_daily_history_k_AStock": 2,
    "query_all_stock": 4,
    "query_hs300_stocks": 4,
    "query_sz50_stocks": 4,
    "query_zz500_stocks": 4,
    "query_daily_adjust_factor": 2,
}
_CODED = frozenset({"query_history_k_data_plus", "query_stock_basic", "query_adjust_factor"})
_UNDECODABLE = b"\xff\xfe\xfd\xfc not zlib, not utf-8 \x80\x81"
"""Fails both ``zlib.decompress`` and UTF-8 decoding, whatever the reply type."""
_NO_RECORDS = '{"record":[]}'


def probe(request: Request) -> Probe:
    """The parts of ``request`` a fault rule can match."""
    method = request.method
    page = request.field(2) if method in _PAGED else ""
    return Probe(
        method=method,
        code=(request.field(4) or None) if method in _CODED else None,
        page=int(page) if page.isdigit() else None,
        date=request.field(_DATED[method]) if method in _DATED else None,
    )


def _malformed(fields: list[str]) -> list[str]:
    """Break the JSON payload, or drop the fields a parser needs when there is none."""
    for i, field in enumerate(fields):
        if field.startswith('{"record"'):
            return [*fields[:i], field[: len(field) // 2], *fields[i + 1 :]]
    return fields[:1]


def _emptied(fields: list[str]) -> list[str]:
    """The same successful reply with its rows taken out."""
    return [_NO_RECORDS if field.startswith('{"record"') else field for field in fields]


class ClientConnection:
    """Serves one connection until the client closes it, a fault ends it, or ``stopping``.

    The server unblocks a connection by shutting its socket down, which makes ``recv`` return.
    """

    def __init__(
        self,
        sock: socket.socket,
        *,
        handlers: Handlers,
        faults: FaultPlan,
        stopping: threading.Event,
        count: Callable[[str], None],
        replies: dict[bytes, bytes] | None = None,
    ) -> None:
        """``replies``, when given, keeps each data request's encoded reply by its request
        line, shared by all connections (see ``SimulatorServer(keep_replies=...)``)."""
        self.sock = sock
        self._handlers = handlers
        self._faults = faults
        self._stopping = stopping
        self._count = count
        self._replies = replies
        self._logged_in = False

    def run(self) -> None:
        """Serve requests; returns when the connection is over (the caller closes it)."""
        buffer = b""
        try:
            while not self._stopping.is_set():
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, _, buffer = buffer.partition(b"\n")
                    if not self._serve(line):
                        return
        except OSError:
            return

    def _serve(self, line: bytes) -> bool:
        """Answer one request; False when the connection must end."""
        try:
            request = parse_request(line)
        except ProtocolError as error:
            self._count("malformed_request")
            self.sock.sendall(reply(EXCEPTION_TYPE, error_fields(error.code, None, "", "")))
            return True
        self._count(request.method)
        fault = self._faults.take(probe(request))
        if self._faults.latency > 0 and self._stopping.wait(self._faults.latency):
            return False
        msg_type = response_type(request.type)
        kept = (
            self._replies
            if (fault is None and self._logged_in and self._handlers.serves(request.method))
            else None
        )
        if kept is not None and line in kept:
            self.sock.sendall(kept[line])
            return True
        fields = self._answer(request)
        if fault is None:
            data = reply(msg_type, fields)
            if kept is not None:
                kept[line] = data
            self.sock.sendall(data)
            return True
        return self._misbehave(fault, request, msg_type, fields)

    def _answer(self, request: Request) -> list[str]:
        method, user = request.method, request.field(1)
        if request.type not in METHODS:
            return error_fields("10004020", None, method, user)
        if method == "login":
            refusal = self._faults.login_error
            if refusal:
                return error_fields(refusal, None, method, user)
            self._logged_in = True
            return [*SUCCESS, method, user]
        if method == "logout":
            self._logged_in = False
            return [*SUCCESS, method, user]
        if not self._logged_in:
            return error_fields("10001001", None, method, user)
        try:
            return self._handlers.handle(request)
        except ProtocolError as error:
            return error_fields(error.code, None, method, user)
        except Exception:
            log.exception("simulator failed to answer %s", method)
            return error_fields("10005001", None, method, user)

    def _misbehave(self, fault: Fault, request: Request, msg_type: str, fields: list[str]) -> bool:
        kind = fault.kind
        if kind is FaultKind.HANG:
            while self.sock.recv(65536):  # until the client gives up or the server stops
                pass
            return False
        if kind is FaultKind.RESET:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if kind is FaultKind.CLOSE_MID_REPLY:
            data = reply(msg_type, fields)
            cut = min(len(data) - len(TERMINATOR) - 1, max(len(data) // 2, 24))
            self.sock.sendall(data[:cut])
            self.sock.shutdown(socket.SHUT_WR)
            return False
        if kind is FaultKind.ERROR:
            error = error_fields(
                fault.error_code, fault.error_msg, request.method, request.field(1)
            )
            self.sock.sendall(reply(msg_type, error))
        elif kind is FaultKind.MALFORMED:
            self.sock.sendall(reply(msg_type, _malformed(fields)))
        elif kind is FaultKind.EMPTY:
            self.sock.sendall(reply(msg_type, _emptied(fields)))
        else:
            self.sock.sendall(frame(msg_type, _UNDECODABLE))
        return True
