"""A real ``stockdesk serve`` process for the tests, and an HTTP client to it.

The server is started as users start it (``python -m stockdesk serve --port 0 ...``); its
stderr is read by a thread, so the test can wait for a line with a deadline instead of a
``readline`` that would block forever on a server that says nothing. The URL comes from
the server's own "listening" line, which it prints only once it accepts connections.
"""

from __future__ import annotations

import contextlib
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from support.processes import child_environment, stockdesk_command

START_TIMEOUT = 30.0
"""Longest a server may take to listen."""
STOP_TIMEOUT = 30.0
"""Longest a server may take to exit once asked (it cancels its job first)."""

_LISTENING = re.compile(r"(http://\S+?:\d+) 上运行")


@dataclass
class Served:
    """A running server: its process, URL and every stderr line so far."""

    process: subprocess.Popen
    url: str = ""
    lines: list[str] = field(default_factory=list)
    _incoming: queue.Queue = field(default_factory=queue.Queue)

    def client(self, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10.0, **options)

    def wait_line(self, pattern: str, *, timeout: float) -> re.Match[str]:
        """The first stderr line matching ``pattern``; fails after ``timeout`` seconds or
        when the process ends first."""
        wanted = re.compile(pattern)
        for line in self.lines:
            if found := wanted.search(line):
                return found
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._incoming.get(timeout=min(left, 0.1))
            except queue.Empty:
                if self.process.poll() is not None and self._incoming.empty():
                    break
                continue
            if line is None:
                break
            if found := wanted.search(line):
                return found
        raise AssertionError(
            f"no line matching {pattern!r} within {timeout} s "
            f"(exit {self.process.poll()}):\n{''.join(self.lines)}"
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the process to exit; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def served(*argv: str, env: dict[str, str] | None = None, wait: bool = True) -> Iterator[Served]:
    """``stockdesk serve --port 0 argv`` in the background; with ``wait``, once it
    listens. Killed at the end if it is still running."""
    process = subprocess.Popen(
        stockdesk_command("serve", "--port", "0", *argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**child_environment(), **(env or {})},
    )
    server = Served(process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.lines.append(line)
            server._incoming.put(line)
        server._incoming.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if wait:
            server.url = server.wait_line(_LISTENING.pattern, timeout=START_TIMEOUT)[1]
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=STOP_TIMEOUT)
        reader.join(STOP_TIMEOUT)
        if process.stderr is not None:
            process.stderr.close()


def wait_until(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    alive: subprocess.Popen | None = None,
    every: float = 0.05,
) -> object:
    """Poll ``condition()`` until it returns something truthy; fail after ``timeout``
    seconds, or at once if ``alive`` ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"process ended (exit {alive.returncode}) before {what}")
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
