"""The simulator's TCP server: a listener thread and one thread per connection.

The baostock client keeps one connection per process, so a thread per connection is plenty.
Every blocking call can be interrupted: the listener polls a short accept timeout and
connections are shut down from outside, so :meth:`SimulatorServer.stop` returns promptly
even while a fault keeps a connection hanging.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from types import TracebackType

from stockdesk.simulator.connection import ClientConnection
from stockdesk.simulator.faults import FaultPlan
from stockdesk.simulator.handlers import Handlers
from stockdesk.simulator.market import Market

_ACCEPT_POLL = 0.05
_JOIN_TIMEOUT = 1.0


class SimulatorServer:
    """A baostock-protocol server on the loopback interface.

    Attributes:
        market: the data served.
        faults: the fault plan; change it while the server runs.
        requests: method name -> number of requests received.

    With ``keep_replies``, every data reply is kept, encoded, under its request line and
    sent again as is when the same line comes back: a benchmark asks each question once
    before timing, so that serving costs about what a remote server costs the client's
    machine, nothing (a whole-market day takes ~25 ms of CPU to render and compress).
    Replies are never evicted: for benchmarks, not for the app's demo.
    """

    def __init__(
        self,
        market: Market | None = None,
        *,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        keep_replies: bool = False,
    ) -> None:
        self.market = market if market is not None else Market()
        self.faults = faults if faults is not None else FaultPlan()
        self.host = host
        self.port = port
        self.requests: Counter[str] = Counter()
        self._handlers = Handlers(self.market)
        self._replies: dict[bytes, bytes] | None = {} if keep_replies else None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._connections: dict[socket.socket, threading.Thread] = {}

    @property
    def address(self) -> str:
        """``host:port`` as the app's ``--server`` option takes it."""
        return f"{self.host}:{self.port}"

    def start(self) -> str:
        """Listen and serve in background threads; returns :attr:`address`."""
        self._stopping.clear()
        self._listen()
        return self.address

    def stop(self) -> None:
        """Close the listener and every connection, and wait for the threads."""
        self._stopping.set()
        self._close_all()

    def pause(self) -> None:
        """Act as if the server went away: drop every connection and refuse new ones."""
        self._close_all()

    def resume(self) -> None:
        """Listen again on the same port after :meth:`pause`."""
        if self._listener is None:
            self._listen()

    def __enter__(self) -> SimulatorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _count(self, method: str) -> None:
        with self._lock:
            self.requests[method] += 1

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        listener.settimeout(_ACCEPT_POLL)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(
            target=self._accept, args=(listener,), name=f"simulator-accept-{self.port}", daemon=True
        )
        self._acceptor.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener and not self._stopping.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = ClientConnection(
                sock,
                handlers=self._handlers,
                faults=self.faults,
                stopping=self._stopping,
                count=self._count,
                replies=self._replies,
            )
            thread = threading.Thread(
                target=self._run, args=(connection,), name="simulator-connection", daemon=True
            )
            with self._lock:
                self._connections[sock] = thread
            thread.start()

    def _run(self, connection: ClientConnection) -> None:
        try:
            connection.run()
        finally:
            with self._lock:
                self._connections.pop(connection.sock, None)
            connection.sock.close()

    def _close_all(self) -> None:
        listener, acceptor = self._listener, self._acceptor
        self._listener = self._acceptor = None
        if listener is not None:
            listener.close()
        if acceptor is not None:
            acceptor.join(_JOIN_TIMEOUT)
        with self._lock:
            connections = list(self._connections.items())
        for sock, _ in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            thread.join(_JOIN_TIMEOUT)
