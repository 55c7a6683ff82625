"""``update`` of one new trading day on a database holding ten years of the whole market,
and the reads that summarise it: ``status`` and ``load_bars`` of one stock.

The ten-year database is built fast, without the network: the simulator's market is
rendered day by day, parsed as the collector parses replies and written through the
bar store's batch, then the coverage summary, the calendar, the security list and the
adjust factors are filled as a job leaves them. It is kept (``--keep``) and reused by
later runs with the same arguments. Each timed update runs on a fresh copy of it,
against the simulator in its own process, answering with ``--latency`` per request,
whose "today" is one trading day after the database's last day. A first, untimed
update asks every question once, and the simulator keeps its replies: rendering a
whole-market day costs it ~0.8 s of CPU on these cores the first time (building a
year of 5,000 price paths), which a real server spends on its own machine
(benchmarks/bench_collect.py does the same).

    python benchmarks/bench_update.py --stocks 5000 --years 10 --latency 0.02
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LAST_DAY = dt.date(2025, 12, 30)
"""The database's last day; the server's today is the next trading day."""


def _simulator(stocks: int, first: dt.date, today: dt.date, pipe: Any) -> None:
    from stockdesk.simulator.faults import FaultPlan
    from stockdesk.simulator.market import Market
    from stockdesk.simulator.server import SimulatorServer

    market = Market(stocks=stocks, first_day=first)
    market.today = today
    with SimulatorServer(market, faults=FaultPlan(), keep_replies=True) as server:
        pipe.send(server.address)
        while (command := pipe.recv()) != "stop":
            if command == "stats":
                pipe.send(dict(server.requests))
                server.requests.clear()
            else:
                _, server.faults.latency = command


def build(path: Path, stocks: int, first: dt.date, last: dt.date) -> None:
    """The whole market from ``first`` to ``last`` as a job would have left it."""
    from stockdesk.collect.coverage import KnownCalendar, recounted
    from stockdesk.db.coverage import CoverageStore
    from stockdesk.db.database import open_database
    from stockdesk.db.joblog import JobLog
    from stockdesk.domain.values import JobRequest, JobStatus
    from stockdesk.simulator.bars import K_FIELDS
    from stockdesk.simulator.factors import event_rows, position_through, securities_as_of
    from stockdesk.simulator.market import Market
    from stockdesk.source.bars import BarParser

    began = time.perf_counter()
    market = Market(stocks=stocks, first_day=first)
    market.today = last
    database = open_database(path)
    store = CoverageStore(database)
    from stockdesk.db.barstore import BarStore

    bars = BarStore(database)
    bars.save_securities(securities_as_of(market.securities, last))
    dates = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    calendar = [(day, market.is_trading_day(day)) for day in dates]
    store.save_calendar(calendar)
    days = market.trading_days(first, last)
    log = JobLog(database)
    job = log.start_job(JobRequest(first, last))
    parser = BarParser(list(K_FIELDS), adjustflag="3")
    rows = 0
    with bars.batch(job.id) as batch:
        for number, day in enumerate(days):
            parsed = parser.parse_all(market.day_bars(day))
            batch.add(parsed)
            rows += len(parsed)
            if batch.rows >= 150_000:
                batch.commit()
            if number % 250 == 0:
                print(
                    f"  building: {day} ({rows:,} rows, {time.perf_counter() - began:.0f} s)",
                    file=sys.stderr,
                )
        batch.commit()
    log.finish_job(job.id, JobStatus.COMPLETED)
    known = KnownCalendar(calendar)
    store.replace_coverage(recounted(store.recount_all(), known), clear=[job.id])
    timeline = market._timeline
    through = position_through(timeline, last)
    events: list[Any] = []
    checked = []
    for security in market.stocks():
        if security.ipo_date and security.ipo_date > last:
            continue
        profile = market._profile(security)
        for row in event_rows(security.code, profile, timeline, 0, through + 1, through):
            events.append((row[0], row[1], *(float(value) for value in row[2:])))
        until = min(last, security.out_date) if security.out_date else last
        checked.append((security.code, until))
    store.save_factors(events, checked)
    database.close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"built {rows:,} rows of {stocks} stocks, {first} .. {last}, in "
        f"{time.perf_counter() - began:.0f} s ({path.stat().st_size / 1e9:.2f} GB)"
    )


def time_update(path: Path, address: str) -> tuple[float, Any]:
    from stockdesk.collect.collector import UPDATE, Collector
    from stockdesk.collect.options import CollectOptions
    from stockdesk.db.database import open_database
    from stockdesk.domain.values import JobRequest

    began = time.perf_counter()
    database = open_database(path)
    today = dt.date.today()
    job = Collector(database, CollectOptions(server=address)).run(
        JobRequest(today, today, universe=UPDATE)
    )
    seconds = time.perf_counter() - began
    database.close()
    return seconds, job


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="folder where the built database is kept for later runs",
    )
    args = parser.parse_args(argv)

    from stockdesk.simulator.calendar import next_trading_day

    first = dt.date(LAST_DAY.year - args.years + 1, 1, 1)
    today = next_trading_day(LAST_DAY + dt.timedelta(days=1))
    built = args.keep / f"stockdesk-bench-update-{args.stocks}-{args.years}y.db"
    if not built.exists():
        partial = built.with_suffix(".building")
        partial.unlink(missing_ok=True)
        build(partial, args.stocks, first, LAST_DAY)
        partial.rename(built)
    else:
        print(f"reusing {built} ({built.stat().st_size / 1e9:.2f} GB)")

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(
        target=_simulator, daemon=True, args=(args.stocks, first, today, theirs)
    )
    server.start()
    address = ours.recv()
    ours.send(("latency", args.latency))
    print(
        f"update of one trading day ({today}) at {args.latency * 1000:.0f} ms per request, "
        f"{multiprocessing.cpu_count()} cores:"
    )
    with tempfile.TemporaryDirectory(dir=args.keep) as folder:
        warm = Path(folder) / "warm-up.db"
        shutil.copyfile(built, warm)
        took, job = time_update(warm, address)
        warm.unlink()
        print(f"  warm-up (the simulator renders its replies, not counted): {took:.2f} s")
        seconds = []
        for run in range(args.repeat):
            copy = Path(folder) / f"update-{run}.db"
            shutil.copyfile(built, copy)
            ours.send("stats")
            ours.recv()
            took, job = time_update(copy, address)
            ours.send("stats")
            requests = ours.recv()
            seconds.append(took)
            print(
                f"  run {run + 1}: {took:.2f} s, {job.status}, {job.strategy}, "
                f"{job.success_count} stocks, {job.collected_count} rows, "
                f"requests {sum(requests.values())} "
                f"({', '.join(f'{k} {v}' for k, v in sorted(requests.items()))})"
            )
        print(f"update: median {statistics.median(seconds):.2f} s (target: under 2 s)")
        last_copy = Path(folder) / f"update-{args.repeat - 1}.db"
        reads(last_copy)
    ours.send("stop")
    server.join(10)
    return 0


def reads(path: Path) -> None:
    """``status`` and ``load_bars`` on the updated database: first call and warm median."""
    from stockdesk.data.status import read_status
    from stockdesk.db.database import open_database

    database = open_database(path)
    timings = []
    for _ in range(10):
        began = time.perf_counter()
        status = read_status(database)
        timings.append(time.perf_counter() - began)
    median = statistics.median(timings) * 1000
    print(
        f"status: {timings[0] * 1000:.1f} ms first, median {median:.1f} ms "
        f"({status.stocks} stocks, {status.rows:,} rows, last day {status.last_day}, "
        f"behind {status.stocks_behind}, gaps {status.stocks_with_gaps})"
    )
    database.close()
    from stockdesk import data

    code = "sh.600000"
    for number, adjust in enumerate(("none", "qfq", "hfq")):
        timings = []
        for _ in range(10):
            began = time.perf_counter()
            frame = data.load_bars(code, adjust=adjust, db=path)
            timings.append(time.perf_counter() - began)
        first = " (imports pandas, opens the database)" if number == 0 else ""
        print(
            f"load_bars({code!r}, adjust={adjust!r}): {len(frame):,} rows, "
            f"{timings[0] * 1000:.1f} ms first{first}, median "
            f"{statistics.median(timings) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    raise SystemExit(main())
