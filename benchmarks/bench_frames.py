"""``bench_collect.py --frequency 5|15|30|60|w|m``: hs300's bars of one frequency, naive
baseline vs StockDesk, against the simulator in the same run.

(a) The baseline: one stock after another with the baostock client, each reply's rows
into a pandas DataFrame, ``to_sql`` into its own SQLite file.
(b) StockDesk's collector, ``--universe hs300 --frequency F``, into a fresh database:
per stock, checked (for minute bars an extra daily request only for a stock whose reply
lacks some of its listed trading days; factor requests for adjusting on read), one
transaction per stock; with ``--sessions 2`` or more, worker processes fetch, convert and
check, and the job's process writes. The request ceiling (``--rate``) counts every page.

Each side runs in its own process, so its peak memory (``VmHWM``) is its own;
StockDesk's worker sessions are sampled while they live and their largest peak is
printed beside it. Unless ``--cold-server``, every question of either side is asked
once before timing and the simulator keeps its replies, as in bench_collect. Both
databases must hold the same (code, time, close, volume) rows.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import tempfile
import time
from typing import Any

from bench_collect import END_YEAR, _ChildrenPeak, _peak_mb, _simulator, measure_side

MINUTE_FIELDS = "date,time,code,open,high,low,close,volume,amount,adjustflag"
PERIOD_FIELDS = "date,code,open,high,low,close,volume,amount,adjustflag,turn,pctChg"


def _fields(frequency: str) -> str:
    return PERIOD_FIELDS if frequency in ("w", "m") else MINUTE_FIELDS


def _prime(address: str, codes: list[str], start: dt.date, end: dt.date, frequency: str) -> None:
    """Ask every data question of both sides once, so the simulator renders them before
    timing (the baseline's are the same requests as StockDesk's bar requests)."""
    from stockdesk.source.baostock_source import BaostockSource

    with BaostockSource(address) as source:
        for code in codes:
            source.frequency_bars(code, start, end, frequency)
            if frequency not in ("w", "m"):
                source.daily_bars(code, start, end)


def _baseline(
    address: str,
    codes: list[str],
    start: dt.date,
    end: dt.date,
    frequency: str,
    path: str,
    out: Any,
) -> None:
    import baostock as bs
    import baostock.common.contants as constants
    import pandas as pd

    host, port = address.rsplit(":", 1)
    constants.BAOSTOCK_SERVER_IP, constants.BAOSTOCK_SERVER_PORT = host, int(port)
    began = time.perf_counter()
    bs.login()
    connection = sqlite3.connect(path)
    total = 0
    for code in codes:
        result = bs.query_history_k_data_plus(
            code,
            _fields(frequency),
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            frequency=frequency,
            adjustflag="3",
        )
        rows = []
        while result.error_code == "0" and result.next():
            rows.append(result.get_row_data())
        frame = pd.DataFrame(rows, columns=result.fields)
        numeric = [name for name in frame.columns if name not in ("date", "time", "code")]
        frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce")
        frame.to_sql("bars", connection, if_exists="append", index=False)
        total += len(frame)
    connection.close()
    bs.logout()
    out.put({"rows": total, "seconds": time.perf_counter() - began, "peak_mb": _peak_mb()})


def _stockdesk(
    address: str,
    start: dt.date,
    end: dt.date,
    frequency: str,
    path: str,
    sessions: int,
    rate: float,
    out: Any,
) -> None:
    from stockdesk.collect.collector import Collector
    from stockdesk.collect.options import CollectOptions
    from stockdesk.db.database import open_database
    from stockdesk.domain.values import JobRequest

    database = open_database(path)
    children = _ChildrenPeak()
    children.start()
    began = time.perf_counter()
    options = CollectOptions(server=address, sessions=sessions, requests_per_second=rate)
    job = Collector(database, options).run(
        JobRequest(start, end, universe="hs300", frequency=frequency)
    )
    seconds = time.perf_counter() - began
    database.close()
    workers_peak = children.stop()
    out.put(
        {
            "workers_peak_mb": workers_peak,
            "rows": job.collected_count,
            "seconds": seconds,
            "peak_mb": _peak_mb(),
            "status": str(job.status),
            "stocks": job.total_stocks,
            "failed": job.failed_count,
        }
    )


def _rows(path: str, frequency: str, ours: bool) -> set[tuple[Any, ...]]:
    minutes = frequency not in ("w", "m")
    if ours:
        table, key = ("minute_bar", "bar_time") if minutes else ("period_bar", "date")
    else:
        table, key = "bars", "time" if minutes else "date"
    with sqlite3.connect(path) as connection:
        query = f"SELECT code, {key}, close, volume FROM {table}"
        return {
            (code, "".join(ch for ch in str(when) if ch.isdigit())[:14], round(close, 4), int(v))
            for code, when, close, v in connection.execute(query)
        }


def run(args: Any) -> int:
    """The frequency benchmark for ``bench_collect``'s parsed ``args``."""
    from stockdesk.simulator.market import Market

    first_year = END_YEAR - args.years + 1
    start, end = dt.date(first_year, 1, 1), dt.date(END_YEAR, 12, 31)
    market = Market(stocks=args.stocks, first_day=dt.date(min(first_year, 2018), 1, 1))
    codes = [s.code for s in market.members("hs300", market.trading_days(start, end)[-1])]
    del market
    context = multiprocessing.get_context("spawn")
    print(
        f"hs300: {len(codes)} stocks of {args.stocks}, {start} .. {end}, frequency "
        f"{args.frequency}, latency {args.latency * 1000:.0f} ms, sessions {args.sessions}, "
        f"request ceiling "
        f"{args.rate or 'none'}/s, {multiprocessing.cpu_count()} cores"
    )
    ours, theirs = context.Pipe()
    simulator = context.Process(
        target=_simulator, daemon=True, args=(args.stocks, first_year, not args.cold_server, theirs)
    )
    simulator.start()
    address = ours.recv()
    if not args.cold_server:
        began = time.perf_counter()
        primer = context.Process(target=_prime, args=(address, codes, start, end, args.frequency))
        primer.start()
        primer.join()
        print(f"replies rendered before timing in {time.perf_counter() - began:.1f} s")
    ours.send(("latency", args.latency))
    with tempfile.TemporaryDirectory() as folder:

        def measure(target: Any, *extra: Any) -> dict[str, Any]:
            return measure_side(ours, context, address, target, *extra)

        base_path, desk_path = f"{folder}/baseline.db", f"{folder}/stockdesk.db"
        base = measure(_baseline, codes, start, end, args.frequency, base_path)
        desk = measure(_stockdesk, start, end, args.frequency, desk_path, args.sessions, args.rate)
        ours.send("stop")
        simulator.join(10)
        for name, side in (("(a) baseline", base), ("(b) stockdesk", desk)):
            print(
                f"{name}: requests {side['requests']:,}  rows {side['rows']:,}  "
                f"seconds {side['seconds']:,.1f}  rows/s {side['rows'] / side['seconds']:,.0f}  "
                f"peak {side['peak_mb']:.0f} MB"
            )
        print(
            f"    stockdesk status {desk['status']}, {desk['stocks']} stocks, "
            f"failed {desk['failed']}, largest worker peak {desk['workers_peak_mb']:.0f} MB"
        )
        if args.rate > 0:
            print(
                f"    the request ceiling ({args.rate:g}/s, every page counted) alone takes "
                f"{desk['requests'] / args.rate:.1f} s for stockdesk's requests"
            )
        print(f"speed-up b over a: {base['seconds'] / desk['seconds']:.2f}x")
        same = _rows(base_path, args.frequency, False) == _rows(desk_path, args.frequency, True)
        print(f"same rows: {same}")
    return 0 if same else 1
