"""How fast the data view opens and the chart pans, offscreen, against a naive baseline.

Prints figures, asserts nothing:

* **open, 10 years:** one stock's ten years of daily bars collected from the simulator
  into a SQLite file, then what selecting it costs: ``load_bars`` (forward-adjusted)
  with its gaps from the stored calendar (the background read), ``set_bars`` and the
  first frame (the GUI thread); then the same stock's ten years of 5-minute bars
  (~117,000), collected too: ``load_bars(..., frequency="5")`` forward-adjusted, then
  ``set_bars`` and the first frame;
* **overview, 5,000 stocks:** what the data view does with a database whose coverage
  summaries hold 5,000 stocks (names from the simulator's market), each with daily bars
  and weekly, monthly and 5/15/30/60-minute ones (``frame_coverage``, 30,000 rows):
  ``read_overview``
  without initials, filling and painting the table (the table is there), then
  ``with_initials`` (searchable by pinyin), the first time in the process and again;
* **frames, 100,000 bars:** synthetic bars in a 1200x700 chart, each frame a pan (or a
  zoom) step followed by a synchronous repaint of the chart, with 120, 1,000, 10,000 and
  all 100,000 bars in view; and the same frames for a baseline chart whose items draw
  every candle every frame (no culling, no cached pictures, no merging), as a plain
  QGraphicsItem would. The ratio is baseline / chart, measured in the same run.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_chart.py [--bars 100000] [--frames 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1200, 700
FRAME_FREQUENCIES = ("w", "m", "5", "15", "30", "60")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def synthetic(count: int) -> Any:
    """``count`` days of load_bars-like columns, a random walk."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    close = 10 * np.exp(np.cumsum(rng.normal(0, 0.01, count)))
    opened = close * (1 + rng.normal(0, 0.005, count))
    preclose = np.concatenate(([close[0]], close[:-1]))
    return pd.DataFrame(
        {
            "open": opened,
            "high": np.maximum(opened, close) * 1.01,
            "low": np.minimum(opened, close) * 0.99,
            "close": close,
            "preclose": preclose,
            "volume": pd.array(rng.integers(100_000, 10_000_000, count), dtype="Int64"),
            "amount": close * 1e6,
            "turn": rng.random(count),
            "pct_chg": (close / preclose - 1) * 100,
        },
        index=pd.DatetimeIndex(
            np.datetime64("1700-01-01") + np.arange(count).astype("timedelta64[D]"), name="date"
        ),
    )


def naive_items() -> tuple[type, type]:
    """Candle and volume items that draw every bar at every paint (the baseline)."""
    import pyqtgraph as pg
    from PySide6.QtCore import QLineF, QRectF
    from PySide6.QtGui import QPen

    from stockdesk.ui.chart import GREEN, RED

    class NaiveCandles(pg.GraphicsObject):  # type: ignore[misc]
        def __init__(self, data: Any) -> None:
            super().__init__()
            self.data = data

        def boundingRect(self) -> QRectF:
            import numpy as np

            d = self.data
            low, high = float(np.nanmin(d.low)), float(np.nanmax(d.high))
            return QRectF(-1, low, len(d) + 1, high - low)

        def paint(self, painter: Any, *_args: Any) -> None:
            d = self.data
            bars = zip(
                d.open.tolist(), d.high.tolist(), d.low.tolist(), d.close.tolist(), strict=True
            )
            for i, (opened, high, low, close) in enumerate(bars):
                color = RED if close >= opened else GREEN
                pen = QPen(color)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(color)
                painter.drawLine(QLineF(i, low, i, high))
                painter.drawRect(QRectF(i - 0.4, min(opened, close), 0.8, abs(close - opened)))

    class NaiveVolume(NaiveCandles):
        def boundingRect(self) -> QRectF:
            import numpy as np

            return QRectF(-1, 0, len(self.data) + 1, float(np.nanmax(self.data.volume)))

        def paint(self, painter: Any, *_args: Any) -> None:
            d = self.data
            for i, (o, c, v) in enumerate(
                zip(d.open.tolist(), d.close.tolist(), d.volume.tolist(), strict=True)
            ):
                color = RED if c >= o else GREEN
                painter.setPen(color)
                painter.setBrush(color)
                painter.drawRect(QRectF(i - 0.4, 0, 0.8, v))

    return NaiveCandles, NaiveVolume


def make_chart(app: Any, frame: Any, *, naive: bool) -> Any:
    from stockdesk.ui.chart import BarChart

    chart = BarChart()
    chart.resize(WIDTH, HEIGHT)
    chart.show()
    app.processEvents()
    chart.set_bars(frame)
    if naive:
        candles, volume = naive_items()
        chart.pricePlot.removeItem(chart.candleItem)
        chart.volumePlot.removeItem(chart.volumeItem)
        chart.pricePlot.addItem(candles(chart._data))
        chart.volumePlot.addItem(volume(chart._data))
    return chart


def frame_times(chart: Any, count: int, in_view: int, frames: int) -> dict[str, list[float]]:
    """Seconds per frame: panning, then zooming in and out, with ``in_view`` bars shown."""
    viewport = chart.graphics.viewport()
    chart.set_view(count - in_view, count - 1)
    viewport.repaint()
    times: dict[str, list[float]] = {"pan": [], "zoom": []}
    step = max(1.0, in_view / 40)
    for _ in range(frames):
        start = time.perf_counter()
        chart.pan(-step)
        viewport.repaint()
        times["pan"].append(time.perf_counter() - start)
    for number in range(frames):
        start = time.perf_counter()
        chart.zoom(0.9 if number % 2 == 0 else 1 / 0.9)
        viewport.repaint()
        times["zoom"].append(time.perf_counter() - start)
    return times


def collected_database(folder: Path, years: int) -> tuple[Path, str]:
    """A SQLite file with one stock's ``years`` of daily and 5-minute bars, collected
    from the simulator."""
    from stockdesk.collect.collector import Collector
    from stockdesk.collect.options import CollectOptions
    from stockdesk.db.database import open_database
    from stockdesk.domain.values import JobRequest, JobStatus
    from stockdesk.simulator.market import Market
    from stockdesk.simulator.server import SimulatorServer

    market = Market(seed=3, stocks=20, indices=1)
    end = dt.date(2025, 12, 31)
    start = dt.date(end.year - years + 1, 1, 1)
    code = next(
        s.code
        for s in market.stocks()
        if s.status == "1" and s.ipo_date < start and s.code.startswith("sh.")
    )
    path = folder / "ten-years.db"
    with SimulatorServer(market) as server:
        database = open_database(path)
        try:
            for frequency in ("d", "5"):
                job = Collector(database, CollectOptions(server=server.address)).run(
                    JobRequest(start, end, universe="codes", codes=(code,), frequency=frequency)
                )
                if job.status is not JobStatus.COMPLETED:
                    raise SystemExit(
                        f"the collect did not complete: {job.status} {job.error_message}"
                    )
        finally:
            database.close()
    return path, code


def overview_database(folder: Path, stocks: int) -> Path:
    """A database whose coverage summaries (daily and every other frequency), security
    list and factors hold ``stocks``."""
    from stockdesk.db.database import open_database
    from stockdesk.simulator.market import Market

    path = folder / "overview.db"
    open_database(path).close()
    market = Market(seed=11, stocks=stocks, indices=0)
    securities = list(market.stocks())
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO security (code, name, type, status, ipo_date) VALUES (?, ?, '1', '1', ?)",
            [(s.code, s.name, s.ipo_date.isoformat()) for s in securities],
        )
        connection.executemany(
            "INSERT INTO bar_coverage (code, adjustflag, first_day, last_day, rows, missing_days)"
            " VALUES (?, '3', '2016-01-04', '2025-12-31', 2430, 0)",
            [(s.code,) for s in securities],
        )
        connection.executemany(
            "INSERT INTO adjust_factor (code, divid_operate_date, fore_adjust_factor,"
            " back_adjust_factor, adjust_factor) VALUES (?, ?, 1, 1, 1)",
            [
                (s.code, f"{year}-07-0{1 + n % 9}")
                for n, s in enumerate(securities)
                for year in range(2016, 2026)
            ],
        )
        connection.executemany(
            "INSERT INTO factor_coverage (code, checked_through) VALUES (?, '2025-12-31')",
            [(s.code,) for s in securities],
        )
        connection.executemany(
            "INSERT INTO frame_coverage (code, frequency, adjustflag, first_day, last_day, rows)"
            " VALUES (?, ?, '3', '2016-01-04', '2025-12-31', 2430)",
            [(s.code, frequency) for s in securities for frequency in FRAME_FREQUENCIES],
        )
    connection.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--baseline-frames", type=int, default=6)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    import pyqtgraph  # noqa: F401  (imported once, as the data view's first showing does)

    from stockdesk.data import load_bars
    from stockdesk.data import overview as overview_module
    from stockdesk.data.overview import read_overview, with_initials
    from stockdesk.db.database import open_database
    from stockdesk.ui.chart import BarChart
    from stockdesk.ui.data_view import load_chart
    from stockdesk.ui.overview_model import OverviewModel
    from stockdesk.ui.table_view import TableView

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {WIDTH}x{HEIGHT} offscreen")
    with tempfile.TemporaryDirectory() as folder:
        # -- open: ten years of one stock -----------------------------------------------
        path, code = collected_database(Path(folder), args.years)
        database = open_database(path)
        load_bars(code, adjust="qfq", db=database)  # the first read of a process opens things
        chart = BarChart()
        chart.resize(WIDTH, HEIGHT)
        chart.show()
        app.processEvents()
        # As stockdesk.app.run_app does after start-up: without it, a full collection over
        # the imported libraries lands in one of the runs (+100 ms, in whichever thread).
        gc.collect()
        gc.freeze()
        reads, shows = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            loaded = load_chart(database, code, "qfq")
            middle = time.perf_counter()
            chart.set_bars(loaded.frame, loaded.gaps, data=loaded.data)
            chart.graphics.viewport().repaint()
            reads.append(middle - start)
            shows.append(time.perf_counter() - middle)
        totals = [read + show for read, show in zip(reads, shows, strict=True)]
        print(
            f"\nopen {code}, {len(loaded.data)} bars ({args.years} years, qfq), median of "
            f"{args.runs}: {_ms(_median(totals))} (read + gaps {_ms(_median(reads))} in the "
            f"background, set_bars + first frame {_ms(_median(shows))} in the GUI thread); "
            f"slowest {_ms(max(totals))}"
        )
        reads, shows = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            frame = load_bars(code, adjust="qfq", db=database, frequency="5")
            middle = time.perf_counter()
            chart.set_bars(frame)
            chart.graphics.viewport().repaint()
            reads.append(middle - start)
            shows.append(time.perf_counter() - middle)
        totals = [read + show for read, show in zip(reads, shows, strict=True)]
        print(
            f"open {code}, {len(frame)} 5-minute bars ({args.years} years, qfq), median of "
            f"{args.runs}: {_ms(_median(totals))} (load_bars {_ms(_median(reads))} in the "
            f"background, set_bars + first frame {_ms(_median(shows))} in the GUI thread)"
        )
        database.close()
        chart.close()

        # -- overview: 5,000 stocks -----------------------------------------------------
        database = open_database(overview_database(Path(folder), args.stocks))
        model = OverviewModel()
        table = TableView()
        table.setModel(model)
        table.resize(500, HEIGHT)
        table.show()
        app.processEvents()
        shown, initials = [], []
        for run in range(args.runs):
            if run == 0:
                overview_module._initials.cache_clear()
            start = time.perf_counter()
            rows = read_overview(database, initials=False)
            model.set_rows(rows)
            table.viewport().repaint()
            middle = time.perf_counter()
            model.set_initials(with_initials(rows))
            shown.append(middle - start)
            initials.append(time.perf_counter() - middle)
        searches = []
        for text in ("600", "银行", "pfyh", "zzzz", ""):
            start = time.perf_counter()
            model.set_filter(text)
            table.viewport().repaint()
            searches.append(time.perf_counter() - start)
        print(
            f"\noverview, {len(rows)} stocks: read, table filled and painted "
            f"{_ms(_median(shown))} (median of {args.runs}; first {_ms(shown[0])}); then the "
            f"pinyin initials {_ms(initials[0])} the first time in the process (pypinyin's "
            f"dictionaries loaded), {_ms(_median(initials[1:] or initials))} again; "
            f"a search {_ms(max(searches))} at most"
        )
        database.close()
        table.close()

    # -- frames: pan and zoom over 100,000 bars --------------------------------------------
    frame = synthetic(args.bars)
    print(f"\nframes, {args.bars} bars (frame = pan or zoom step + synchronous repaint):")
    print(
        f"{'in view':>9} {'':>5} {'chart median':>13} {'p95':>9} {'fps':>6}"
        f" {'baseline median':>16} {'ratio':>7}"
    )
    chart = make_chart(app, frame, naive=False)
    naive = make_chart(app, frame, naive=True)
    for in_view in (120, 1_000, 10_000, args.bars):
        ours = frame_times(chart, args.bars, in_view, args.frames)
        theirs = frame_times(naive, args.bars, in_view, args.baseline_frames)
        for kind in ("pan", "zoom"):
            median = _median(ours[kind])
            base = _median(theirs[kind])
            print(
                f"{in_view:>9,} {kind:>5} {_ms(median):>13} {_ms(_p95(ours[kind])):>9} "
                f"{1 / median:>6.0f} {_ms(base):>16} {base / median:>6.0f}x"
            )
    chart.close()
    naive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
