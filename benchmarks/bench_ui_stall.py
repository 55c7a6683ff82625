"""The window's worst event-loop stall while a job runs at full speed, offscreen.

Builds the real main window (``stockdesk.app.build_main_window``) on a fresh database,
points it at the simulator (in its own process, like a real server, no added latency),
sets the date edits and clicks ``startButton``. A 10 ms QTimer probe records the longest
gap between its ticks until the job ends; the stall is that gap minus the 10 ms.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui_stall.py --stocks 5000 --years 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROBE_MS = 10


def _simulator(stocks: int, pipe: Any) -> None:
    from stockdesk.simulator.market import Market
    from stockdesk.simulator.server import SimulatorServer

    with SimulatorServer(Market(stocks=stocks)) as server:
        pipe.send(server.address)
        pipe.recv()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument(
        "--adjust",
        default="3",
        choices=["1", "2", "3"],
        help="3 fetches by date; 1 or 2 stock by stock",
    )
    parser.add_argument("--sessions", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QDate, QElapsedTimer, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QPushButton

    from stockdesk.app import build_main_window
    from stockdesk.collect.options import CollectOptions
    from stockdesk.db.database import open_database

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    simulator = context.Process(target=_simulator, args=(args.stocks, theirs), daemon=True)
    simulator.start()
    address = ours.recv()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "stall.db")
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = build_main_window(
            database=database,
            server=address,
            demo=True,
            settings=settings,
            options=CollectOptions(sessions=args.sessions),
        )
        window.show()
        end = dt.date(2025, 12, 31)
        start = dt.date(end.year - args.years + 1, 1, 1)
        window.findChild(QDateEdit, "startDateEdit").setDate(QDate(start))
        window.findChild(QDateEdit, "endDateEdit").setDate(QDate(end))
        adjust = window.findChild(QComboBox, "adjustCombo")
        if adjust is not None:
            adjust.setCurrentIndex(max(0, adjust.findData(args.adjust)))

        worst = 0
        clock = QElapsedTimer()
        records: list[Any] = []

        def tick() -> None:
            nonlocal worst
            worst = max(worst, clock.restart())

        probe = QTimer(interval=PROBE_MS, timerType=Qt.TimerType.PreciseTimer)
        probe.timeout.connect(tick)
        window.controller.jobFinished.connect(records.append)
        window.controller.jobFinished.connect(lambda _record: app.quit())
        began = time.perf_counter()
        clock.start()
        probe.start()
        window.findChild(QPushButton, "startButton").click()
        app.exec()
        seconds = time.perf_counter() - began
        probe.stop()
        record = records[0] if records else None
        window.close()
        database.close()
    ours.send("stop")
    simulator.join(10)
    if record is None:
        print("no job ran")
        return 1
    print(
        f"{record.strategy}, {record.total_stocks} stocks, {record.collected_count:,} rows, "
        f"status {record.status}, {seconds:.1f} s"
    )
    print(f"worst event-loop stall: {worst - PROBE_MS} ms (probe every {PROBE_MS} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
