"""Soak: a big job on a hostile network, killed and resumed, then checked row by row.

Why: unit tests each prove one fault; an analyst's laptop meets all of them in one evening.
This script runs a whole-market job (``--universe all``, 2,000 stocks by default) of the
real ``stockdesk collect`` command against the simulator while

* the simulator answers a share of requests badly (every :class:`FaultKind`: hangs,
  replies cut mid-way, resets, error codes, malformed and undecodable replies),
* the server now and then goes away (every connection dropped, new ones refused) and
  comes back a moment later,
* the command is killed with SIGKILL at random moments, several times (a power cut: no
  handler runs), and each time continued with ``stockdesk collect --resume ID`` (the id
  found with ``stockdesk jobs list --json``, where the killed job must show as
  ``interrupted``).

It repeats until a run completes with no failed stock, then compares the database row by
row (every column, NULLs included) with the simulator's own :meth:`Market.bars`, looks
for duplicate rows, and checks that the job log tells the truth: no job left
``running``, every job's counters equal its ``job_item`` rows, every stored stock's item
holds its real row count. It prints the figures and exits 1 if anything is wrong.

Bounded: every process wait has a timeout, and the whole run has a deadline.

    .venv/bin/python benchmarks/soak.py --stocks 2000 --start 2023-01-01 --end 2023-12-31
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import random
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from support.audit import (
    DB_COLUMNS,
    JOB_COUNTERS,
    expected_rows,
    item_counts,
)
from support.processes import (
    child_environment,
    kill_hard,
    list_jobs,
    stockdesk_command,
)

from stockdesk.simulator import FaultKind, FaultPlan, Market, SimulatorServer

JOBS_TIMEOUT = 60.0
"""Seconds ``stockdesk jobs list`` may take."""
WORKER_GRACE = 10.0
"""Seconds the worker processes of a killed job get to notice and end on their own."""


@dataclass
class Figures:
    """What the soak counts and prints."""

    runs: int = 0
    new_runs: int = 0
    resumes: int = 0
    kills: int = 0
    kills_before_job: int = 0
    outages: int = 0
    exit_codes: Counter[int] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    orphans: int = 0
    problems: list[str] = field(default_factory=list)


# -- the expected data ------------------------------------------------------------------


def universe(market: Market, start: dt.date, end: dt.date) -> list[str]:
    """``--universe all``: the stocks listed on the range's last trading day
    (docs/contracts.md, "Database")."""
    last = market.trading_days(start, end)[-1]
    return sorted(s.code for s in market.stocks() if s.listed_between(last, last))


# -- the processes ----------------------------------------------------------------------


class Outages(threading.Thread):
    """The server goes away now and then (every connection dropped, new ones refused) and
    comes back after a moment, until stopped."""

    def __init__(
        self,
        server: SimulatorServer,
        rng: random.Random,
        every: float,
        longest: float,
        figures: Figures,
    ) -> None:
        super().__init__(name="soak-outages", daemon=True)
        self.server, self.rng, self.every, self.longest = server, rng, every, longest
        self.figures = figures
        self.stopping = threading.Event()

    def run(self) -> None:
        if self.every == float("inf"):
            return
        while not self.stopping.wait(self.rng.expovariate(1.0 / self.every)):
            self.server.pause()
            self.figures.outages += 1
            self.stopping.wait(self.rng.uniform(0.2, self.longest))
            self.server.resume()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.longest + 5)
        self.server.resume()


# -- the soak ---------------------------------------------------------------------------


def soak(args: argparse.Namespace, work: Path) -> int:
    began = time.monotonic()
    deadline = began + args.deadline
    rng = random.Random(args.seed)
    figures = Figures()
    db = work / "soak.db"
    print(
        f"market: {args.stocks} stocks, seed {args.seed}; range {args.start}..{args.end}; "
        f"database {db}",
        flush=True,
    )
    market = Market(seed=args.seed, stocks=args.stocks)
    faults = FaultPlan()
    server = SimulatorServer(market, faults=faults)
    server.start()
    faults.randomize(args.rate, seed=args.seed, kinds=tuple(FaultKind))
    outages = Outages(server, rng, args.outage_every, args.outage_longest, figures)
    outages.start()
    try:
        finished = run_until_clean(args, db, server, rng, figures, deadline)
    finally:
        outages.stop()
        server.stop()
    collected = time.monotonic() - began
    print(f"collection done in {collected:.1f} s; checking the database ...", flush=True)
    checked = check_database(db, market, args.start, args.end, figures)
    if not finished:
        figures.problems.append("no run completed without failed stocks before the deadline")
    report(figures, faults.injected, checked, time.monotonic() - began, collected)
    return 0 if not figures.problems else 1


def run_until_clean(
    args: argparse.Namespace,
    db: Path,
    server: SimulatorServer,
    rng: random.Random,
    figures: Figures,
    deadline: float,
) -> bool:
    """Run, kill and resume until a run completes with no failed stock; False on deadline."""
    known: set[str] = set()
    resume: str | None = None
    for number in itertools.count(1):
        if time.monotonic() > deadline or number > args.max_runs:
            return False
        argv = [
            "collect",
            "--db",
            str(db),
            "--server",
            server.address,
            "--json",
            "--timeout",
            str(args.timeout),
        ]
        if resume:
            argv += ["--resume", resume]
            figures.resumes += 1
        else:
            argv += [
                "--start",
                args.start.isoformat(),
                "--end",
                args.end.isoformat(),
                "--universe",
                "all",
            ]
            figures.new_runs += 1
        figures.runs += 1
        log = work_file(db, f"run{number:02d}")
        with log.with_suffix(".out").open("w") as out, log.with_suffix(".err").open("w") as err:
            process = subprocess.Popen(
                stockdesk_command(*argv), stdout=out, stderr=err, env=child_environment()
            )
            killed = False
            limit = max(1.0, min(args.run_timeout, deadline - time.monotonic()))
            kill_at = rng.uniform(0.3, args.kill_window) if figures.kills < args.kills else None
            try:
                process.wait(timeout=min(kill_at, limit) if kill_at else limit)
            except subprocess.TimeoutExpired:
                killed = True
                figures.orphans += len(kill_hard(process, workers_grace=WORKER_GRACE))
                if kill_at is None or kill_at > limit:
                    figures.problems.append(
                        f"run {number} did not end within {limit:.0f} s (log {log}.err)"
                    )
                    return False
                figures.kills += 1
        code = process.returncode
        # The next start: marks the killed job interrupted.
        listing = list_jobs(db, timeout=JOBS_TIMEOUT)
        new = [job for job in listing if job["id"] not in known]
        known.update(job["id"] for job in listing)
        job = new[0] if new else None
        what = "killed" if killed else f"exit {code}"
        figures.exit_codes[code if not killed else -9] += 1
        if job is None:
            if killed:
                figures.kills_before_job += 1
            else:
                figures.problems.append(f"run {number} ({what}) logged no job (log {log}.err)")
            print(f"run {number:2d}: {what:8s} before a job was logged", flush=True)
            continue
        figures.statuses[job["status"]] += 1
        if killed and job["status"] != "interrupted":
            figures.problems.append(f"killed job {job['id']} shows as {job['status']}")
        counts = item_counts(db, job["id"])
        if {k: job[k] for k in JOB_COUNTERS} != counts:
            figures.problems.append(
                f"job {job['id']} ({job['status']}) counters "
                f"{ {k: job[k] for k in JOB_COUNTERS} } != its items {counts}"
            )
        print(
            f"run {number:2d}: {what:8s} {job['id']} {job['status']:<11} "
            f"{job['processed_stocks']}/{job['total_stocks']} ok {job['success_count']} "
            f"failed {job['failed_count']} skipped {job['skipped_count']} "
            f"rows {job['collected_count']}"
            + (f" resumes {job['resumes']}" if job["resumes"] else "")
            + (f" — {job['error_message'][:60]}" if job["error_message"] and not killed else ""),
            flush=True,
        )
        if job["status"] == "completed" and job["failed_count"] == 0:
            if code != 0:
                figures.problems.append(f"clean job {job['id']} exited {code}")
            return True
        resume = job["id"]
    return False


def work_file(db: Path, name: str) -> Path:
    return db.parent / name


@dataclass
class Checked:
    """Outcome of the row-by-row comparison."""

    stocks: int = 0
    rows_checked: int = 0
    rows_wrong: int = 0
    rows_missing: int = 0
    rows_extra: int = 0
    duplicates: int = 0
    jobs: int = 0


def check_database(
    db: Path, market: Market, start: dt.date, end: dt.date, figures: Figures
) -> Checked:
    """Compare every stored row with the market; check duplicates and the job log."""
    checked = Checked()
    codes = universe(market, start, end)
    checked.stocks = len(codes)
    wanted = set(codes)
    examples: list[str] = []
    with contextlib.closing(sqlite3.connect(db)) as connection:
        stored = connection.execute(
            f"SELECT {', '.join(DB_COLUMNS)} FROM daily_bar ORDER BY code, date, adjustflag"
        )
        by_code = {code: list(rows) for code, rows in itertools.groupby(stored, lambda r: r[0])}
        checked.duplicates = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM daily_bar GROUP BY code, date, adjustflag "
            "HAVING count(*) > 1)"
        ).fetchone()[0]
        job_rows = connection.execute(
            f"SELECT id, status, {', '.join(JOB_COUNTERS)} FROM collection_job"
        ).fetchall()
        success_rows = dict(
            connection.execute(
                "SELECT code || ' ' || job_id, rows FROM job_item WHERE status = 'success'"
            ).fetchall()
        )
    for code in codes:
        want = expected_rows(market, code, start, end)
        got = by_code.pop(code, [])
        got_by_date = {row[1]: row for row in got}
        for row in want:
            checked.rows_checked += 1
            have = got_by_date.pop(row[1], None)
            if have is None:
                checked.rows_missing += 1
            elif have != row:
                checked.rows_wrong += 1
                if len(examples) < 5:
                    examples.append(f"{code} {row[1]}: stored {have} expected {row}")
        checked.rows_extra += len(got_by_date)
    checked.rows_extra += sum(len(rows) for rows in by_code.values())  # codes not wanted
    for example in examples:
        figures.problems.append(f"wrong row: {example}")
    if checked.rows_wrong or checked.rows_missing or checked.rows_extra or checked.duplicates:
        figures.problems.append(
            f"rows wrong {checked.rows_wrong}, missing {checked.rows_missing}, extra "
            f"{checked.rows_extra}, duplicate keys {checked.duplicates}"
        )
    checked.jobs = len(job_rows)
    for job_id, status, *counters in job_rows:
        if status == "running":
            figures.problems.append(f"job {job_id} is still running")
        counts = item_counts(db, job_id)
        if dict(zip(JOB_COUNTERS, counters, strict=True)) != counts:
            figures.problems.append(f"job {job_id} ({status}) counters disagree with its items")
    for key, rows in success_rows.items():
        code = key.split(" ")[0]
        if code in wanted and rows != len(market.bars(code, start, end, "3")):
            figures.problems.append(
                f"item {key} says {rows} rows, the stock has "
                f"{len(market.bars(code, start, end, '3'))}"
            )
    return checked


def report(
    figures: Figures,
    injected: Counter[FaultKind],
    checked: Checked,
    seconds: float,
    collected: float,
) -> None:
    faults = ", ".join(f"{kind.value} {injected.get(kind, 0)}" for kind in FaultKind)
    lines = [
        "",
        "== soak figures ==",
        f"faults injected:      {sum(injected.values())} ({faults})",
        f"server outages:       {figures.outages} (went away and came back)",
        f"jobs run:             {checked.jobs} in the log, from {figures.runs} processes "
        f"({figures.new_runs} new, {figures.resumes} --resume)",
        f"kills (SIGKILL):      {figures.kills} ({figures.kills_before_job} before the job "
        f"was logged); worker processes left behind: {figures.orphans}",
        f"resumes:              {figures.resumes}",
        f"job statuses:         {dict(figures.statuses)}; exits {dict(figures.exit_codes)}"
        " (-9 = killed)",
        f"stocks checked:       {checked.stocks}",
        f"rows checked:         {checked.rows_checked}",
        f"rows wrong / missing: {checked.rows_wrong} / {checked.rows_missing} "
        f"(extra {checked.rows_extra}, duplicate keys {checked.duplicates})",
        f"seconds:              {seconds:.1f} ({collected:.1f} collecting)",
        "result:               " + ("OK" if not figures.problems else "PROBLEMS"),
    ]
    lines += [f"  - {problem}" for problem in figures.problems]
    print("\n".join(lines), flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stocks", type=int, default=2000, help="stocks in the market")
    parser.add_argument(
        "--years",
        type=int,
        default=1,
        help="range length when --start is not given (ends on --end)",
    )
    parser.add_argument("--start", type=dt.date.fromisoformat)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2023, 12, 31))
    parser.add_argument("--kills", type=int, default=4, help="SIGKILLs at random moments")
    parser.add_argument(
        "--kill-window",
        type=float,
        default=20.0,
        help="a kill lands 0.3 to this many seconds into a run",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.05,
        help="share of data requests answered with a random fault",
    )
    parser.add_argument(
        "--outage-every",
        type=float,
        default=8.0,
        help="mean seconds between server outages (0: none)",
    )
    parser.add_argument("--outage-longest", type=float, default=2.0, help="longest outage, seconds")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-runs", type=int, default=40)
    parser.add_argument(
        "--run-timeout",
        type=float,
        default=900.0,
        help="longest one run may take before the soak gives up on it",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=1800.0,
        help="seconds after which the soak stops running jobs",
    )
    parser.add_argument("--workdir", type=Path, help="keep the database and logs here")
    args = parser.parse_args(argv)
    if args.start is None:
        args.start = dt.date(args.end.year - args.years + 1, 1, 1)
    if args.start > args.end:
        parser.error("--start is after --end")
    if args.outage_every <= 0:
        args.outage_every = float("inf")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return soak(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="stockdesk-soak-") as folder:
        return soak(args, Path(folder))


if __name__ == "__main__":
    raise SystemExit(main())
