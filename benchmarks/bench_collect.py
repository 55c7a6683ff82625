"""A market's daily bars collected two ways against the simulator: naive baseline vs StockDesk.

(a) The baseline works the way the original service did: one stock after another with
the baostock client, each stock's rows into a pandas DataFrame (iterating rows, since
``get_data()`` is broken on pandas 2), ``DataFrame.to_sql`` into its own SQLite file.
(b) StockDesk's collector, universe ``all``, into a fresh database.

The simulator runs in its own process, and so does each side, so the peak memory
printed (``ru_maxrss``) is that side's alone. Unless ``--cold-server``, every question
is asked once before timing and the simulator keeps the replies (:func:`_prime`): the
server's own CPU stays off the cores being measured, as a real server's does. The
baseline is sampled on a subset of stocks when the whole would take too long, and its
time extrapolated; the output says so. Both databases must hold the same (code, date,
close, volume) rows.

With ``--db postgresql://user@host:port/dbname`` StockDesk also collects into that
PostgreSQL server, run for run alternating with SQLite, so both stores are measured in
the same sitting; each run gets a database of its own (``stockdesk_bench_*``, created
through the URL's database and dropped afterwards) and the ratio of the medians is
printed.

    python benchmarks/bench_collect.py --stocks 5000 --years 1 --latency 0.02
    python benchmarks/bench_collect.py --db postgresql://postgres@127.0.0.1:5432/postgres
    python benchmarks/bench_collect.py --frequency 5     # hs300 x 1 year of 5-minute bars
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

END_YEAR = 2025
K_FIELDS = (
    "date,code,open,high,low,close,preclose,volume,amount,adjustflag,turn,"
    "tradestatus,pctChg,peTTM,pbMRQ,psTTM,pcfNcfTTM,isST"
)


def _peak_mb(pid: int | str = "self") -> float:
    """Peak resident memory of a process in MB.

    Linux's ``VmHWM`` where there is one: ``ru_maxrss`` survives fork and exec, so a
    spawned process would report its parent's peak if that was higher (measured: a
    child of a 315 MB parent reported 315 MB). Elsewhere ``ru_maxrss``, of this
    process only.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        if pid != "self":
            return 0.0
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _children() -> list[int]:
    """Pids of this process's children, read from /proc: asking multiprocessing would
    reap them under the pool that owns them. Empty where there is no /proc."""
    me, pids = os.getpid(), []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            pids.append(int(entry.parent.name))
    return pids


class _ChildrenPeak(threading.Thread):
    """The largest peak memory of this process's children (the session workers),
    sampled while they live: a child's own peak cannot be read once it has exited."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.1):
            for pid in _children():
                self.peak_mb = max(self.peak_mb, _peak_mb(pid))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak_mb


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the simulator process ----------------------------------------------------------------


def _simulator(stocks: int, first_year: int, keep_replies: bool, pipe: Any) -> None:
    """Serve until told to stop; answer request counts and this process's CPU time.

    Commands: ``"stats"``, ``("latency", seconds)`` and ``"stop"``. With
    ``keep_replies``, a reply asked for once is sent again from memory (see
    :func:`_prime`).
    """
    from stockdesk.simulator.faults import FaultPlan
    from stockdesk.simulator.market import Market
    from stockdesk.simulator.server import SimulatorServer

    market = Market(stocks=stocks, first_day=dt.date(min(first_year, 2018), 1, 1))
    with SimulatorServer(market, faults=FaultPlan(), keep_replies=keep_replies) as server:
        pipe.send(server.address)
        while (command := pipe.recv()) != "stop":
            if command == "stats":
                pipe.send((sum(server.requests.values()), _cpu_seconds()))
            else:
                _, server.faults.latency = command


def _prime(
    address: str, days: list[dt.date], codes: list[str], start: dt.date, end: dt.date, adjust: str
) -> None:
    """Ask once, before timing, every data question both sides will ask: each day of the
    market for StockDesk, each sampled stock's history for the baseline.

    A real server renders its replies on its own machine; this simulator renders them on
    the cores being measured (~25 ms of CPU for a whole-market day), which would count
    against whichever side runs. Kept replies make serving cost what the limit assumes:
    latency, not CPU. ``--cold-server`` measures without them.
    """
    from stockdesk.source.baostock_source import BaostockSource

    with BaostockSource(address) as source:  # asks exactly as the collector does
        for day in days if adjust == "3" else ():
            source.day_bars(day)
        for code in codes:
            source.daily_bars(code, start, end, adjust)


# -- (a) the baseline ---------------------------------------------------------------------


def _baseline(
    address: str, codes: list[str], start: dt.date, end: dt.date, adjust: str, path: str, out: Any
) -> None:
    """One stock after another, rows into pandas, ``to_sql``: the original service."""
    import baostock as bs
    import baostock.common.contants as constants
    import pandas as pd

    host, port = address.rsplit(":", 1)
    constants.BAOSTOCK_SERVER_IP, constants.BAOSTOCK_SERVER_PORT = host, int(port)
    began = time.perf_counter()
    bs.login()
    connection = sqlite3.connect(path)
    rows_total = 0
    for code in codes:
        result = bs.query_history_k_data_plus(
            code,
            K_FIELDS,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            frequency="d",
            adjustflag=adjust,
        )
        rows = []
        while result.error_code == "0" and result.next():
            rows.append(result.get_row_data())
        frame = pd.DataFrame(rows, columns=result.fields)
        numeric = [name for name in frame.columns if name not in ("date", "code")]
        frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce")
        frame.to_sql("stock_daily", connection, if_exists="append", index=False)
        rows_total += len(frame)
    connection.close()
    bs.logout()
    out.put({"rows": rows_total, "seconds": time.perf_counter() - began, "peak_mb": _peak_mb()})


# -- (b) StockDesk -------------------------------------------------------------------------


def _stockdesk(
    address: str,
    start: dt.date,
    end: dt.date,
    adjust: str,
    path: str,
    sessions: int,
    rate: float,
    factors_of: tuple[int, int] | None,
    out: Any,
) -> None:
    from stockdesk.collect.collector import Collector
    from stockdesk.collect.options import CollectOptions
    from stockdesk.db.database import open_database
    from stockdesk.domain.values import AdjustFlag, JobRequest

    database = open_database(path)
    if factors_of is not None:
        _known_factors(database, *factors_of)
    workers = _ChildrenPeak()
    workers.start()
    began = time.perf_counter()
    job = Collector(
        database, CollectOptions(server=address, sessions=sessions, requests_per_second=rate)
    ).run(JobRequest(start, end, adjustflag=AdjustFlag(adjust)))
    seconds = time.perf_counter() - began
    database.close()
    children = workers.stop()
    out.put(
        {
            "rows": job.collected_count,
            "seconds": seconds,
            "peak_mb": _peak_mb(),
            "workers_peak_mb": children,
            "status": str(job.status),
            "strategy": job.strategy,
            "stocks": job.total_stocks,
            "failed": job.failed_count,
        }
    )


def _known_factors(database: Any, stocks: int, first_year: int) -> None:
    """Store every stock's adjust factors up to yesterday, as earlier jobs would have:
    the job then fetches none, and what is timed is its upkeep of the factor and
    coverage tables (a database's second year, or a new range of known stocks)."""
    from stockdesk.db.coverage import CoverageStore
    from stockdesk.simulator.factors import event_rows, position_through
    from stockdesk.simulator.market import Market

    market = Market(stocks=stocks, first_day=dt.date(min(first_year, 2018), 1, 1))
    last = dt.date.today() - dt.timedelta(days=1)
    timeline = market._timeline
    through = position_through(timeline, min(last, market.today))
    events, checked = [], []
    for security in market.stocks():
        profile = market._profile(security)
        for row in event_rows(security.code, profile, timeline, 0, through + 1, through):
            events.append((row[0], row[1], *(float(value) for value in row[2:])))
        checked.append((security.code, min(last, security.out_date or last)))
    CoverageStore(database).save_factors(events, checked)


def _pg_connect(url: str) -> Any:
    """A psycopg connection (autocommit) to the database of a SQLAlchemy-style URL."""
    import psycopg
    from sqlalchemy import make_url

    parts = make_url(url)
    return psycopg.connect(
        host=parts.host,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname=parts.database,
        autocommit=True,
    )


def _pg_database(url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``url`` (dropped first if left
    over); returns its URL."""
    from sqlalchemy import make_url

    with _pg_connect(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _pg_drop(url: str, name: str) -> None:
    with _pg_connect(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _insert_rate(codes: list[str], days: list[dt.date], target: str | None = None) -> float:
    """Rows per second of StockDesk's fastest write path, on as many rows as the job.

    Day by day across the market, into a fresh database, through the same
    :class:`~stockdesk.db.barstore.BarBatch` and commit size that fetching by date uses,
    timing only the writes. The scale matters: a market-year's index outgrows the page
    cache, and the rate on its first 200,000 rows is ~1.5x the rate over all of it.
    """
    from stockdesk.collect.per_date import COMMIT_ROWS
    from stockdesk.db.barstore import BarBatch
    from stockdesk.db.database import open_database
    from stockdesk.db.joblog import JobLog
    from stockdesk.domain.values import JobRequest

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(target or Path(folder) / "rate.db")
        job = JobLog(database).start_job(JobRequest(days[0], days[-1]))
        written, seconds = 0, 0.0
        with BarBatch(database, job.id) as batch:
            for number, day in enumerate(days):
                iso = day.isoformat()
                rows = [
                    (
                        code,
                        iso,
                        "3",
                        10 + number / 100 + k / 1e4,
                        10.5,
                        9.5,
                        10.2,
                        10.1,
                        100_000 + k,
                        1.02e6 + k,
                        0.8,
                        1,
                        0.2,
                        None,
                        1.5,
                        2.5,
                        -3.2,
                        0,
                    )
                    for k, code in enumerate(codes)
                ]
                began = time.perf_counter()
                batch.add(rows)
                if batch.rows >= COMMIT_ROWS:
                    batch.commit()
                seconds += time.perf_counter() - began
                written += len(rows)
            began = time.perf_counter()
            batch.commit()
            seconds += time.perf_counter() - began
        database.close()
    return written / seconds


# -- the run --------------------------------------------------------------------------------


def _rows(path: str, query: str) -> set[tuple]:
    if "://" in path:
        with _pg_connect(path) as connection:
            return {
                (code, date.isoformat(), round(close, 4), int(volume))
                for code, date, close, volume in connection.execute(query)
            }
    with sqlite3.connect(path) as connection:
        return {
            (code, date, round(close, 4), int(volume))
            for code, date, close, volume in connection.execute(query)
        }


def _trading_days(start: dt.date, end: dt.date) -> list[dt.date]:
    from stockdesk.simulator.calendar import trading_days

    return trading_days(start, end)


def _listed_codes(stocks: int, first_year: int, start: dt.date, end: dt.date) -> list[str]:
    from stockdesk.simulator.market import Market

    market = Market(stocks=stocks, first_day=dt.date(min(first_year, 2018), 1, 1))
    last = market.trading_days(start, end)[-1]
    return [s.code for s in market.stocks() if s.listed_between(last, last)]


def measure_side(ours: Any, context: Any, address: str, target: Any, *extra: Any) -> dict[str, Any]:
    """One side's figures, run in a child process of ``context`` against the simulator at
    ``address`` (``ours``: its control pipe), with the requests it sent and the server's
    CPU meanwhile."""
    ours.send("stats")
    requests_before, cpu_before = ours.recv()
    out = context.Queue()
    child = context.Process(target=target, args=(address, *extra, out))
    child.start()
    figures = out.get()
    child.join()
    ours.send("stats")
    requests_after, cpu_after = ours.recv()
    return {
        **figures,
        "requests": requests_after - requests_before,
        "server_cpu": cpu_after - cpu_before,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument(
        "--adjust",
        choices=("1", "2", "3"),
        default="3",
        help="adjustflag of both sides; 1 or 2 make StockDesk fetch per stock",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="StockDesk's request ceiling per second (the app's default; 0 for none)",
    )
    parser.add_argument(
        "--baseline-stocks",
        type=int,
        default=300,
        help="sample at most this many stocks for the baseline",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of StockDesk and of the insert-rate measure; the median "
        "of each is used (a shared machine's speed drifts by 10-30%%)",
    )
    parser.add_argument(
        "--factors-known",
        action="store_true",
        help="give each StockDesk run a database that already knows every "
        "stock's adjust factors, as after earlier jobs (outside the "
        "timing); without it a fresh database fetches each stock's "
        "factor history once",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="also collect into this PostgreSQL server (any database the "
        "URL's user may create databases from), alternating with "
        "SQLite run for run",
    )
    parser.add_argument(
        "--cold-server",
        action="store_true",
        help="let the simulator render every reply while being timed, "
        "on the cores being measured, instead of asking each question "
        "once before timing",
    )
    parser.add_argument(
        "--frequency",
        default="d",
        choices=("d", "w", "m", "5", "15", "30", "60"),
        help="other than d: hs300's bars of that frequency, baseline vs StockDesk "
        "(benchmarks/bench_frames.py)",
    )
    args = parser.parse_args(argv)
    if args.frequency != "d":
        from bench_frames import run

        return run(args)

    first_year = END_YEAR - args.years + 1
    start, end = dt.date(first_year, 1, 1), dt.date(END_YEAR, 12, 31)
    context = multiprocessing.get_context("spawn")
    codes = _listed_codes(args.stocks, first_year, start, end)
    step = max(1, -(-len(codes) // args.baseline_stocks))
    sample = codes[::step]
    print(
        f"market: {args.stocks} stocks ({len(codes)} listed), {start} .. {end}, "
        f"adjustflag {args.adjust}, latency {args.latency * 1000:.0f} ms, "
        f"sessions {args.sessions}, "
        f"request ceiling {args.rate or 'none'}/s, "
        f"{multiprocessing.cpu_count()} cores, "
        f"server {'cold (renders replies while timed)' if args.cold_server else 'warm'}"
    )
    stores = ["sqlite", "postgresql"] if args.db else ["sqlite"]
    store_rates: dict[str, float] = {}
    for store in stores:
        rates = []
        for _ in range(args.repeat):
            target = _pg_database(args.db, "stockdesk_bench_rate") if store != "sqlite" else None
            rates.append(_insert_rate(codes, _trading_days(start, end), target))
            if target:
                _pg_drop(args.db, "stockdesk_bench_rate")
        rates.sort()
        store_rates[store] = statistics.median(rates)
        print(
            f"insert rate ({store}), day by day across the market, {len(codes)} stocks: "
            f"{store_rates[store]:,.0f} rows/s "
            f"(median of {', '.join(f'{r:,.0f}' for r in rates)})"
        )
    rate = store_rates["sqlite"]

    ours, theirs = context.Pipe()
    simulator = context.Process(
        target=_simulator, daemon=True, args=(args.stocks, first_year, not args.cold_server, theirs)
    )
    simulator.start()
    address = ours.recv()
    if not args.cold_server:
        began = time.perf_counter()
        primer = context.Process(
            target=_prime,
            args=(
                address,
                _trading_days(start, end),
                sample if args.adjust == "3" else codes,
                start,
                end,
                args.adjust,
            ),
        )
        primer.start()
        primer.join()
        print(f"replies rendered before timing in {time.perf_counter() - began:.1f} s")
    ours.send(("latency", args.latency))
    with tempfile.TemporaryDirectory() as folder:

        def measure(target: Any, *extra: Any) -> dict[str, Any]:
            return measure_side(ours, context, address, target, *extra)

        base = measure(_baseline, sample, start, end, args.adjust, f"{folder}/baseline.db")
        by_store: dict[str, list[dict[str, Any]]] = {store: [] for store in stores}
        made: list[str] = []
        known = (args.stocks, first_year) if args.factors_known else None
        for run in range(args.repeat):
            for store in stores:  # alternating: both see the same drift of the machine
                if store == "sqlite":
                    path = f"{folder}/stockdesk-{run}.db"
                else:
                    made.append(f"stockdesk_bench_{run}")
                    path = _pg_database(args.db, made[-1])
                by_store[store].append(
                    {
                        **measure(
                            _stockdesk,
                            start,
                            end,
                            args.adjust,
                            path,
                            args.sessions,
                            args.rate,
                            known,
                        ),
                        "path": path,
                    }
                )
        ours.send("stop")
        simulator.join(10)

        for runs in by_store.values():
            runs.sort(key=lambda run: run["seconds"])
        desk = by_store["sqlite"][len(by_store["sqlite"]) // 2]
        runs = by_store["sqlite"]
        scale = len(codes) / len(sample)
        base_seconds = base["seconds"] * scale
        print(
            f"\n(a) baseline: sampled {len(sample)} of {len(codes)} stocks, time and "
            f"requests extrapolated x{scale:.1f}"
        )
        print(
            f"    requests {base['requests'] * scale:,.0f}  rows {base['rows'] * scale:,.0f}  "
            f"seconds {base_seconds:,.1f}  rows/s {base['rows'] / base['seconds']:,.0f}  "
            f"peak {base['peak_mb']:.0f} MB (sample)"
        )
        print(
            f"(b) stockdesk: {desk['strategy']}, {desk['stocks']} stocks, "
            f"status {desk['status']}, failed {desk['failed']}; {len(runs)} runs "
            f"({', '.join(format(run['seconds'], '.1f') for run in runs)} s), the median:"
        )
        print(
            f"    requests {desk['requests']:,}  rows {desk['rows']:,}  "
            f"seconds {desk['seconds']:,.1f}  rows/s {desk['rows'] / desk['seconds']:,.0f}  "
            f"peak {desk['peak_mb']:.0f} MB (+ largest worker {desk['workers_peak_mb']:.0f} MB)"
        )
        if args.db:
            pg_runs = by_store["postgresql"]
            pg = pg_runs[len(pg_runs) // 2]
            print(
                f"(c) stockdesk into PostgreSQL: {pg['strategy']}, {pg['stocks']} stocks, "
                f"status {pg['status']}, failed {pg['failed']}; {len(pg_runs)} runs "
                f"({', '.join(format(run['seconds'], '.1f') for run in pg_runs)} s), "
                f"the median:"
            )
            print(
                f"    requests {pg['requests']:,}  rows {pg['rows']:,}  "
                f"seconds {pg['seconds']:,.1f}  rows/s {pg['rows'] / pg['seconds']:,.0f}  "
                f"peak {pg['peak_mb']:.0f} MB (+ largest worker "
                f"{pg['workers_peak_mb']:.0f} MB)"
            )
            print(
                f"    PostgreSQL / SQLite: {pg['seconds'] / desk['seconds']:.2f}x "
                f"(insert rates {store_rates['postgresql']:,.0f} vs "
                f"{store_rates['sqlite']:,.0f} rows/s)"
            )
            if _rows(pg["path"], "SELECT code, date, close, volume FROM daily_bar") != _rows(
                desk["path"], "SELECT code, date, close, volume FROM daily_bar"
            ):
                print("PostgreSQL and SQLite hold DIFFERENT rows")
                return 1
            for name in made:
                _pg_drop(args.db, name)
        print(f"\nspeed-up b over a: {base_seconds / desk['seconds']:.1f}x")
        # Imported only now: the baseline's figures are taken before baostock (and pandas)
        # are loaded into this process.
        from stockdesk.collect.strategy import PER_DATE
        from stockdesk.collect.strategy import PER_DATE_WORKERS as PER_DATE_SESSIONS

        sessions = args.sessions
        if desk["strategy"] == PER_DATE:  # fetching by date opens at least this many
            sessions = max(sessions, PER_DATE_SESSIONS)
        network = desk["requests"] * args.latency / sessions
        writing = desk["rows"] / rate
        limit = max(network, writing)
        cpu_per_request = desk["server_cpu"] / max(1, desk["requests"])
        # The simulator answers one request at a time (one process, one GIL): its CPU time
        # does not shrink with more sessions.
        with_server = max(
            desk["requests"] * (args.latency + cpu_per_request) / sessions,
            desk["server_cpu"],
            writing,
        )
        print(
            f"limit: max(requests x latency / {sessions} sessions = {network:.1f} s, "
            f"rows / insert rate = {writing:.1f} s) = {limit:.1f} s; stockdesk took "
            f"{desk['seconds'] / limit:.1f}x the limit"
        )
        if args.rate > 0 and (sessions > 1 or desk["strategy"] == PER_DATE):
            print(
                f"stockdesk's own request ceiling ({args.rate:g}/s) alone takes "
                f"{desk['requests'] / args.rate:.1f} s for its {desk['requests']} requests"
            )
        print(
            f"the simulator used {desk['server_cpu']:.1f} s of CPU for stockdesk's requests "
            f"({cpu_per_request * 1000:.0f} ms each), on the same "
            f"{multiprocessing.cpu_count()} cores; counting its time per request as "
            f"latency, the limit is "
            f"{with_server:.1f} s"
        )

        query_desk = "SELECT code, date, close, volume FROM daily_bar"
        theirs_rows = _rows(
            f"{folder}/baseline.db", "SELECT code, date, close, volume FROM stock_daily"
        )
        wanted = set(sample)
        ours_rows = {row for row in _rows(desk["path"], query_desk) if row[0] in wanted}
        same = theirs_rows == ours_rows
        print(f"same rows for the {len(sample)} sampled stocks: {same} ({len(theirs_rows):,} rows)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
