"""``stockdesk status`` on the summaries of a whole market held at every frequency.

``status`` reads only ``bar_coverage`` and ``frame_coverage`` (with ``security``,
``factor_coverage`` and the calendar), never a bar, so the database built here holds
those tables as ten years of ``--stocks`` stocks (plus 30 indices) at every frequency
would leave them, and no bars: 5,000 daily rows and 30,000 frame rows, built in a
second (``--daily-only``: no frame rows, as a database of daily bars only). Prints the
first call and the median of ``--runs`` of ``read_status``, and of the whole command
(``status --json``) in this process.

    python benchmarks/bench_status.py [--stocks 5000] [--runs 21] [--daily-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

FIRST, LAST = dt.date(2016, 1, 4), dt.date(2025, 12, 31)
FRAMES = ("w", "m", "5", "15", "30", "60")
ROWS_PER_DAY = {"w": 0.2, "m": 0.05, "5": 48, "15": 16, "30": 8, "60": 4}
INDICES = 30


def build(path: Path, stocks: int, *, frames: bool = True) -> None:
    """The summary tables of ``stocks`` stocks and :data:`INDICES` indices (``frames``:
    with their weekly, monthly and minute bars' rows)."""
    from stockdesk.db.database import open_database

    open_database(path).close()  # the schema, migrated to head
    days = [
        FIRST + dt.timedelta(days=k)
        for k in range((LAST - FIRST).days + 1)
        if (FIRST + dt.timedelta(days=k)).weekday() < 5
    ]
    codes = [f"sh.{600000 + k}" for k in range(stocks)]
    indices = [f"sh.{k:06d}" for k in range(1, INDICES + 1)]
    first, last, count = FIRST.isoformat(), LAST.isoformat(), len(days)
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO security (code, name, type, status, ipo_date) VALUES (?, ?, ?, '1', ?)",
            [(code, f"股票{code[-4:]}", "1", first) for code in codes]
            + [(code, f"指数{code[-4:]}", "2", first) for code in indices],
        )
        connection.executemany(
            "INSERT INTO bar_coverage VALUES (?, '3', ?, ?, ?, 0)",
            [(code, first, last, count) for code in codes + indices],
        )
        held = [(code, FRAMES) for code in codes] + [(code, ("w", "m")) for code in indices]
        connection.executemany(
            "INSERT INTO frame_coverage VALUES (?, ?, '3', ?, ?, ?, ?, ?)",
            [
                (code, frequency, first, last, round(count * ROWS_PER_DAY[frequency]), first, last)
                for code, frequencies in (held if frames else [])
                for frequency in frequencies
            ],
        )
        connection.executemany(
            "INSERT INTO factor_coverage VALUES (?, ?)", [(code, last) for code in codes + indices]
        )
        connection.executemany(
            "INSERT INTO trade_calendar VALUES (?, 1)", [(day.isoformat(),) for day in days]
        )
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--daily-only", action="store_true", help="no frame_coverage rows")
    args = parser.parse_args(argv)

    from stockdesk import cli
    from stockdesk.data.status import read_status
    from stockdesk.db.database import open_database

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "status.db"
        build(path, args.stocks, frames=not args.daily_only)
        database = open_database(path)
        timings = []
        for _ in range(args.runs):
            began = time.perf_counter()
            status = read_status(database)
            timings.append(time.perf_counter() - began)
        database.close()
        print(
            f"read_status, {args.stocks} stocks and {INDICES} indices"
            f"{', daily only' if args.daily_only else ', every frequency'}: "
            f"{timings[0] * 1000:.1f} ms first, median {statistics.median(timings) * 1000:.1f} ms "
            f"(stocks {status.stocks}, rows {status.rows:,})"
        )
        commands = []
        for _ in range(args.runs):
            began = time.perf_counter()
            parsed = cli.build_parser().parse_args(["status", "--json", "--db", str(path)])
            cli.run(parsed, stdout=io.StringIO(), stderr=io.StringIO())
            commands.append(time.perf_counter() - began)
        print(
            f"status --json (open the database + read + print), in-process: "
            f"{commands[0] * 1000:.1f} ms first, median "
            f"{statistics.median(commands) * 1000:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
