"""Who runs a job, and whether that process is still there.

A job row records its owner's pid, host and process create time. When the app starts
again after a crash, a ``running`` job whose owner is gone is really ``interrupted``;
one whose owner lives blocks a second job on the same database.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

import psutil

HEARTBEAT_STALE = dt.timedelta(minutes=10)
"""A job on another host counts as alive while its heartbeat is younger than this."""

_SAME_START = 1.0
"""Seconds of slack when comparing process create times (float rounding, clock steps)."""


@dataclass(frozen=True, slots=True)
class Owner:
    """The process that runs a job."""

    pid: int
    host: str
    started: float
    """``psutil.Process.create_time()``: tells a live owner from a reused pid."""

    @classmethod
    def current(cls) -> Owner:
        """This process (looked up per call, so a forked child is itself)."""
        return cls(os.getpid(), socket.gethostname(), psutil.Process().create_time())


def is_alive(
    pid: int | None,
    host: str | None,
    started: float | None,
    heartbeat_at: dt.datetime | None,
    now: dt.datetime,
) -> bool:
    """Whether the owner recorded in a job row may still be running that job.

    On this host the process must exist with the recorded create time. Another host's
    processes cannot be seen, so there the heartbeat decides.
    """
    if pid is not None and host == socket.gethostname():
        try:
            process = psutil.Process(pid)
            created = process.create_time()
            if process.status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied:
            return True
        return started is None or abs(created - started) <= _SAME_START
    return heartbeat_at is not None and now - heartbeat_at < HEARTBEAT_STALE
