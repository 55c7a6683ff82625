"""A socket for the baostock client that can neither block nor spin forever.

baostock 0.9.4 keeps one module-global socket with no timeout and reads replies with
``while True: recv(8192)`` until a terminator arrives (docs/baostock.md). A silent server
blocks that loop forever; a server that closes the connection mid-reply makes ``recv`` return
``b""`` forever, and the loop spins at 100% CPU. A plain socket timeout fixes only the
first. :class:`GuardedSocket` gives every request one deadline, turns an empty read into
an error and checks for cancellation while it waits. The client catches the exception,
prints it and reports a receive error (``10002007``), which the source adapter turns
into a reconnect.

The client creates its sockets with ``socket.socket(...)`` inside
``baostock.util.socketutil``; :func:`install` points that module's ``socket`` name at a
shim whose ``socket`` is :class:`GuardedSocket`. Nothing else of the library is changed.
"""

from __future__ import annotations

import errno
import importlib
import logging
import os
import select
import socket
import time
import types
from typing import TYPE_CHECKING, Any

from stockdesk.domain.cancel import CancelFlag

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

log = logging.getLogger(__name__)

_POLL = 0.2
"""Longest single wait inside ``connect`` or ``recv``, so that a cancel is seen within this
time."""
_CONNECTING = frozenset(
    {
        errno.EINPROGRESS,
        errno.EALREADY,
        errno.EWOULDBLOCK,
        getattr(errno, "WSAEWOULDBLOCK", errno.EWOULDBLOCK),
    }
)
"""``connect_ex`` results that mean "still connecting" (Windows says WSAEWOULDBLOCK)."""


class RequestFailure(OSError):
    """Raised inside the client's receive loop; ``kind`` says what went wrong."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Guard:
    """What every guarded socket obeys: the request timeout and a cancel flag.

    One per process, like the client's socket; the source adapter sets it.
    """

    def __init__(self) -> None:
        self.timeout = 10.0
        self.cancel: CancelFlag | None = None
        self.last_failure: RequestFailure | None = None
        """The failure of the latest request, cleared when a request is sent."""


GUARD = Guard()


class GuardedSocket(socket.socket):
    """A TCP socket whose ``recv`` obeys :data:`GUARD` (deadline, EOF, cancel)."""

    _deadline = 0.0
    _refused: RequestFailure | None = None

    def connect(self, address: Any) -> None:  # any address socket.connect takes
        """Connect within the request timeout instead of the OS's minutes, and give up
        within ~0.2 s of a cancel: a server gone dark mid-job is reconnected to in a loop
        (a silent network can hold every attempt for the whole timeout).

        The client ignores a failed connect and sends on the socket anyway; the failure
        is kept so that :meth:`send` reports it instead of a broken pipe.
        """
        GUARD.last_failure = self._refused = None
        deadline = time.monotonic() + GUARD.timeout
        self.setblocking(False)
        try:
            result = self.connect_ex(address)
            while result in _CONNECTING:
                cancel = GUARD.cancel
                if cancel is not None and cancel.is_set():
                    self._refuse("cancelled", "已取消")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._refuse("connect", f"{GUARD.timeout:g} 秒内连不上服务器")
                _, writable, broken = select.select([], [self], [self], min(remaining, _POLL))
                if writable or broken:
                    result = self.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if result == errno.ECONNREFUSED:
                self._refuse("connect", "服务器拒绝连接")
            if result:
                self._refuse("connect", f"连接失败：{OSError(result, os.strerror(result))}")
        finally:
            self.settimeout(GUARD.timeout)

    def send(self, data: ReadableBuffer, flags: int = 0) -> int:
        """Send the whole request and start its deadline."""
        if self._refused is not None:
            GUARD.last_failure = self._refused
            raise self._refused
        GUARD.last_failure = None
        self._deadline = time.monotonic() + GUARD.timeout
        self.settimeout(GUARD.timeout)
        try:
            self.sendall(data, flags)
        except OSError as error:
            self._fail("send", f"发送失败：{error}")
        return memoryview(data).nbytes

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        """Wait for bytes until the request's deadline; an empty read is an error."""
        while True:
            cancel = GUARD.cancel
            if cancel is not None and cancel.is_set():
                self._fail("cancelled", "已取消")
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                self._fail("timeout", f"服务器 {GUARD.timeout:g} 秒内没有响应")
            self.settimeout(min(remaining, _POLL))
            try:
                chunk = super().recv(bufsize, flags)
            except TimeoutError:
                continue
            except OSError as error:
                self._fail("reset", f"网络连接被重置：{error}")
            if not chunk:
                self._fail("closed", "服务器在回复中途关闭了连接")
            return chunk

    def _fail(self, kind: str, message: str) -> None:
        failure = RequestFailure(kind, message)
        GUARD.last_failure = failure
        raise failure

    def _refuse(self, kind: str, message: str) -> None:
        """Fail the connect, and every later send on this socket, with the same reason."""
        self._refused = RequestFailure(kind, message)
        GUARD.last_failure = self._refused
        raise self._refused


def install() -> None:
    """Make the baostock client create :class:`GuardedSocket` s and log its prints.

    Idempotent. The client prints progress and errors to stdout, which would corrupt
    ``--json`` output; its modules get a module-level ``print`` that logs instead.
    """
    from baostock.util import socketutil

    if isinstance(socketutil.socket, types.SimpleNamespace):
        return
    shim = types.SimpleNamespace(
        **{name: getattr(socket, name) for name in dir(socket) if not name.startswith("__")}
    )
    shim.socket = GuardedSocket
    socketutil.socket = shim
    _silence_prints()


def _silence_prints() -> None:
    def log_print(*args: object, **_kwargs: object) -> None:
        log.debug("baostock: %s", " ".join(str(arg) for arg in args))

    # By name: ``baostock.login`` is shadowed by the function the package re-exports.
    for name in (
        "baostock.data.resultset",
        "baostock.login.loginout",
        "baostock.metadata.stock_metadata",
        "baostock.security.history",
        "baostock.security.sectorinfo",
        "baostock.util.socketutil",
    ):
        setattr(importlib.import_module(name), "print", log_print)  # noqa: B010
