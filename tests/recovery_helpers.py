"""Helpers for the recovery tests: real ``stockdesk`` processes and a row-by-row check.

The checks read the SQLite file with the plain ``sqlite3`` module, as an analyst's tool
would, and compare it with the simulator's own :meth:`Market.bars`: a test that trusted the
app's readers could not catch a bug shared by writer and reader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from stockdesk.simulator.bars import K_FIELDS
from stockdesk.simulator.market import Market

DB_COLUMNS = (
    "code", "date", "adjustflag", "open", "high", "low", "close", "preclose", "volume",
    "amount", "turn", "tradestatus", "pct_chg", "pe_ttm", "pb_mrq", "ps_ttm", "pcf_ncf_ttm",
    "is_st",
)
"""``daily_bar`` columns as DESIGN §4 names them, spelled out here (not imported from the
app) so that a rename in the app fails these tests instead of silently following it."""

_FIELD_OF_COLUMN = {
    "pct_chg": "pctChg", "pe_ttm": "peTTM", "pb_mrq": "pbMRQ", "ps_ttm": "psTTM",
    "pcf_ncf_ttm": "pcfNcfTTM", "is_st": "isST",
}
_TEXT = frozenset({"code", "date", "adjustflag"})
_INTEGER = frozenset({"volume", "tradestatus", "is_st"})
_WIRE_POSITION = [K_FIELDS.index(_FIELD_OF_COLUMN.get(c, c)) for c in DB_COLUMNS]

PROCESS_TIMEOUT = 60.0
"""Longest any ``stockdesk`` process of these tests may run before the test fails."""


def _value(column: str, text: str) -> object:
    """What DESIGN §4 says the database holds for a wire field: NULL for empty."""
    if text == "":
        return None
    if column in _TEXT:
        return text
    if column in _INTEGER:
        return int(text) if text.lstrip("-").isdigit() else int(float(text))
    return float(text)


def expected_rows(market: Market, code: str, start: dt.date, end: dt.date,
                  adjustflag: str = "3") -> list[tuple[object, ...]]:
    """The market's rows of ``code`` as ``daily_bar`` should hold them, by date."""
    return [
        tuple(_value(column, wire[position])
              for column, position in zip(DB_COLUMNS, _WIRE_POSITION, strict=True))
        for wire in market.bars(code, start, end, adjustflag)
    ]


def stored_rows(db_path: Path, code: str, start: dt.date, end: dt.date,
                adjustflag: str = "3") -> list[tuple[object, ...]]:
    """The rows of ``code`` in the file, by date, read with plain ``sqlite3``."""
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        return connection.execute(
            f"SELECT {', '.join(DB_COLUMNS)} FROM daily_bar WHERE code = ? AND adjustflag = ?"
            " AND date BETWEEN ? AND ? ORDER BY date",
            (code, adjustflag, start.isoformat(), end.isoformat()),
        ).fetchall()


def query(db_path: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """Run one read-only query on the file (a fresh connection each time)."""
    with contextlib.closing(sqlite3.connect(db_path, timeout=5)) as connection:
        return connection.execute(sql, args).fetchall()


def item_counts(db_path: Path, job_id: str) -> dict[str, int]:
    """The job's counters recomputed from its ``job_item`` rows."""
    rows = query(db_path, "SELECT status, count(*), coalesce(sum(rows), 0) FROM job_item "
                          "WHERE job_id = ? GROUP BY status", job_id)
    by_status = {status: (count, stored) for status, count, stored in rows}
    return {
        "processed_stocks": sum(count for count, _ in by_status.values()),
        "success_count": by_status.get("success", (0, 0))[0],
        "failed_count": by_status.get("failed", (0, 0))[0],
        "skipped_count": by_status.get("skipped", (0, 0))[0],
        "collected_count": by_status.get("success", (0, 0))[1],
    }


def job_counts(job: dict[str, Any]) -> dict[str, int]:
    """The counters of a job as ``jobs list --json`` prints it."""
    return {key: job[key] for key in ("processed_stocks", "success_count", "failed_count",
                                      "skipped_count", "collected_count")}


def stockdesk_command(*argv: str) -> list[str]:
    """The command line of a real ``stockdesk`` process."""
    return [sys.executable, "-m", "stockdesk", *argv]


def environment() -> dict[str, str]:
    """The child's environment: unbuffered, and no database or server from the caller."""
    env = {k: v for k, v in os.environ.items() if k not in ("STOCKDESK_DB", "STOCKDESK_SERVER")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_stockdesk(*argv: str, timeout: float = PROCESS_TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``stockdesk argv`` to its end; a process that outlives ``timeout`` fails the test."""
    return subprocess.run(stockdesk_command(*argv), capture_output=True, text=True,
                          timeout=timeout, env=environment())


@contextlib.contextmanager
def started(*argv: str) -> Iterator[subprocess.Popen]:
    """A ``stockdesk`` process running in the background; killed if still alive at exit."""
    process = subprocess.Popen(stockdesk_command(*argv), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment())
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
    done = run_stockdesk("jobs", "list", "--json", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def wait_for(condition: Callable[[], object], *, timeout: float, what: str,
             alive: subprocess.Popen | None = None) -> object:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds.

    When ``alive`` is given and that process ends first, fail at once with its output:
    waiting on for a dead process only hides why it died.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(sqlite3.OperationalError):  # file or tables not there yet
            value = condition()
            if value:
                return value
        if alive is not None and alive.poll() is not None:
            out, err = alive.communicate(timeout=PROCESS_TIMEOUT)
            raise AssertionError(f"process ended (exit {alive.returncode}) before {what}:"
                                 f"\n{out}\n{err}")
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def mismatches(db_path: Path, market: Market, codes: Sequence[str], start: dt.date,
               end: dt.date, adjustflag: str = "3") -> dict[str, str]:
    """Codes whose stored rows differ from the market's, with what differs."""
    wrong = {}
    for code in codes:
        want = expected_rows(market, code, start, end, adjustflag)
        got = stored_rows(db_path, code, start, end, adjustflag)
        if got != want:
            bad = next((i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w),
                       min(len(got), len(want)))
            wrong[code] = (f"{len(got)} rows stored, {len(want)} expected; first difference "
                           f"at row {bad}: {got[bad] if bad < len(got) else None} != "
                           f"{want[bad] if bad < len(want) else None}")
    return wrong
