"""The same whole-market collect timed on two checkouts of StockDesk, runs alternating.

This machine's speed drifts by 10-30% within minutes (other work shares its cores), so
a before/after comparison made of two separate benchmark runs compares the drift as
much as the code. Here one simulator serves both sides, every question asked once
before timing (see benchmarks/bench_collect.py), and the runs alternate: base, this
checkout, base, this checkout ... each in a fresh process on a fresh database.

    python benchmarks/bench_ab.py --base /tmp/base --runs 4 [--factors-known]

``--base`` is a checkout of the older commit (``git archive COMMIT | tar -x -C DIR``);
it runs with this checkout's virtual environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "benchmarks"))

_RUN = """
import datetime as dt, json, sys, time
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import open_database
from stockdesk.domain.values import JobRequest
address, start, end, path, known, stocks, first_year = sys.argv[1:8]
database = open_database(path)
if known == "1":
    sys.path.insert(0, {benchmarks!r})
    from bench_collect import _known_factors
    _known_factors(database, int(stocks), int(first_year))
began = time.perf_counter()
job = Collector(database, CollectOptions(server=address)).run(
    JobRequest(dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
print(json.dumps({{"seconds": time.perf_counter() - began, "rows": job.collected_count,
                  "status": str(job.status), "strategy": job.strategy}}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=4, help="runs of each side")
    parser.add_argument(
        "--factors-known",
        action="store_true",
        help="this checkout's databases start with every stock's factors "
        "(see bench_collect.py --factors-known)",
    )
    args = parser.parse_args(argv)

    from bench_collect import END_YEAR, _prime, _simulator, _trading_days

    first_year = END_YEAR - args.years + 1
    start, end = dt.date(first_year, 1, 1), dt.date(END_YEAR, 12, 31)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(
        target=_simulator, daemon=True, args=(args.stocks, first_year, True, theirs)
    )
    server.start()
    address = ours.recv()
    primer = context.Process(
        target=_prime, args=(address, _trading_days(start, end), [], start, end, "3")
    )
    primer.start()
    primer.join()
    ours.send(("latency", args.latency))
    sides = {"base": args.base.resolve(), "this": HERE}
    times: dict[str, list[float]] = {side: [] for side in sides}
    script = _RUN.format(benchmarks=str(HERE / "benchmarks"))
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            for side, tree in sides.items():
                path = Path(folder) / f"{side}-{run}.db"
                known = "1" if args.factors_known and side == "this" else "0"
                env = {**os.environ, "PYTHONPATH": str(tree)}
                done = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        script,
                        address,
                        start.isoformat(),
                        end.isoformat(),
                        str(path),
                        known,
                        str(args.stocks),
                        str(first_year),
                    ],
                    cwd=tree,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(done.stdout.strip().splitlines()[-1])
                times[side].append(result["seconds"])
                print(
                    f"run {run + 1} {side}: {result['seconds']:.1f} s, {result['status']}, "
                    f"{result['strategy']}, {result['rows']:,} rows",
                    flush=True,
                )
                path.unlink()
    ours.send("stop")
    server.join(10)
    base, this = statistics.median(times["base"]), statistics.median(times["this"])
    print(f"median base {base:.1f} s, this {this:.1f} s: this / base = {this / base:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
