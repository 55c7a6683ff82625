"""Helpers for the recovery tests: real ``stockdesk`` processes and a row-by-row check.

The row checks come from :mod:`support.audit`, shared with the soak: the file
read with plain ``sqlite3`` and compared with the simulator's own :meth:`Market.bars`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
from support.audit import JOB_COUNTERS, expected_rows, stored_rows
from support.processes import child_environment, list_jobs, stockdesk_command

from stockdesk.simulator.market import Market

PROCESS_TIMEOUT = 60.0
"""Longest any ``stockdesk`` process of these tests may run before the test fails."""


def job_counts(job: dict[str, Any]) -> dict[str, int]:
    """The counters of a job as ``jobs list --json`` prints it."""
    return {key: job[key] for key in JOB_COUNTERS}


def run_stockdesk(*argv: str, timeout: float = PROCESS_TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``stockdesk argv`` to its end; a process that outlives ``timeout`` fails the test."""
    return subprocess.run(
        stockdesk_command(*argv),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_environment(),
    )


@contextlib.contextmanager
def started(*argv: str) -> Iterator[subprocess.Popen]:
    """A ``stockdesk`` process running in the background; killed if still alive at exit."""
    process = subprocess.Popen(
        stockdesk_command(*argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_environment(),
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        # wait(), not communicate(): a child the process left behind may hold its pipes.
        process.wait(timeout=PROCESS_TIMEOUT)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def jobs(db_path: Path) -> list[dict[str, Any]]:
    """``stockdesk jobs list --json`` in a new process: the next start after a crash."""
    return list_jobs(db_path, timeout=PROCESS_TIMEOUT)


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    alive: subprocess.Popen | None = None,
) -> object:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds.

    When ``alive`` is given and that process ends first, fail at once with its output:
    waiting on for a dead process only hides why it died.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # The file or its tables not there yet; a server still creating the database.
        with contextlib.suppress(sqlite3.OperationalError, psycopg.Error):
            value = condition()
            if value:
                return value
        if alive is not None and alive.poll() is not None:
            out, err = alive.communicate(timeout=PROCESS_TIMEOUT)
            raise AssertionError(
                f"process ended (exit {alive.returncode}) before {what}:\n{out}\n{err}"
            )
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def mismatches(
    db_path: Path,
    market: Market,
    codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    adjustflag: str = "3",
) -> dict[str, str]:
    """Codes whose stored rows differ from the market's, with what differs."""
    wrong = {}
    for code in codes:
        want = expected_rows(market, code, start, end, adjustflag)
        got = stored_rows(db_path, code, start, end, adjustflag)
        if got != want:
            bad = next(
                (i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w),
                min(len(got), len(want)),
            )
            wrong[code] = (
                f"{len(got)} rows stored, {len(want)} expected; first difference "
                f"at row {bad}: {got[bad] if bad < len(got) else None} != "
                f"{want[bad] if bad < len(want) else None}"
            )
    return wrong
