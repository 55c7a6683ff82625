"""``stockdesk --self-test``: prove an installed build works, end to end, in seconds.

A bundle can build cleanly and still miss a Qt plugin, a translation or a migration file;
only running it tells. The self-test opens the real window (offscreen unless a display is
chosen), collects a short range from the built-in simulator into a throw-away database by
pressing Start, and compares the job log and the stored rows with what the simulator's
market says; then it opens the data view on them (the overview, a pinyin search and one
stock's chart: pyqtgraph, pypinyin and, in the installer, the read without pandas).
It prints one line and returns 0, or names the first thing that went wrong.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from stockdesk.db.database import Database
    from stockdesk.domain.values import JobRecord
    from stockdesk.simulator import Market
    from stockdesk.ui.main_window import MainWindow

START, END = dt.date(2024, 1, 2), dt.date(2024, 3, 29)
"""About 58 trading days: long enough to page through replies, short enough to be quick."""
STOCKS = 40
LANGUAGE = "zh_CN"
JOB_TIMEOUT = 60.0
"""Seconds the job may take; a 2-core CI machine needs about two."""

log = logging.getLogger(__name__)


class SelfTestFailure(Exception):
    """A check failed; ``str()`` says which, for the one-line summary."""


def run_self_test(
    *, timeout: float = JOB_TIMEOUT, screenshot: Path | None = None, stdout: TextIO | None = None
) -> int:
    """Run the self-test; print one summary line and return 0, or 1 with the reason.

    ``screenshot`` saves the window as it looks after the job (the README's picture).
    """
    out = stdout if stdout is not None else sys.stdout
    began = time.monotonic()
    try:
        with _crashes_fail_the_test() as crashes:
            summary = _check(timeout, screenshot, crashes)
    except SelfTestFailure as failure:
        line = f"self-test FAILED: {failure}"
        code = 1
    except Exception as error:  # any surprise is a failed self-test, with its reason
        log.exception("self-test crashed")
        line = f"self-test FAILED: {type(error).__name__}: {error}"
        code = 1
    else:
        line = f"self-test passed in {time.monotonic() - began:.1f} s: {summary}"
        code = 0
    log.info("%s", line)
    if out is not None:  # a windowed Windows program has no stdout
        print(line, file=out, flush=True)
    return code


@contextmanager
def _crashes_fail_the_test() -> Iterator[list[str]]:
    """Collect exceptions that escape a Qt slot or a thread instead of letting them pass."""
    crashes: list[str] = []
    saved = sys.excepthook, threading.excepthook

    def on_exception(
        kind: type[BaseException], error: BaseException, _trace: TracebackType | None
    ) -> None:
        log.error("exception during the self-test", exc_info=(kind, error, _trace))
        crashes.append(f"{kind.__name__}: {error}")

    sys.excepthook = on_exception
    threading.excepthook = lambda args: on_exception(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback
    )
    try:
        yield crashes
    finally:
        sys.excepthook, threading.excepthook = saved


def _check(timeout: float, screenshot: Path | None, crashes: list[str]) -> str:
    """Everything the self-test verifies; returns the summary or raises SelfTestFailure."""
    if "QT_QPA_PLATFORM" not in os.environ and not (screenshot and os.environ.get("DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Imported here so `stockdesk --help` and the command line never load Qt.
    from PySide6.QtCore import QCoreApplication, QSettings

    from stockdesk.app import build_main_window, make_application
    from stockdesk.collect.options import CollectOptions
    from stockdesk.db.database import open_database
    from stockdesk.simulator import Market, SimulatorServer
    from stockdesk.ui.translations import Translations

    app = make_application()
    translations = Translations()
    market = Market(stocks=STOCKS)
    with (
        tempfile.TemporaryDirectory(prefix="stockdesk-selftest-") as folder,
        SimulatorServer(market) as server,
    ):
        database = open_database(str(Path(folder) / "selftest.db"))
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        try:
            if not translations.install(LANGUAGE):
                raise SelfTestFailure(f"the {LANGUAGE} translation could not be loaded")
            if QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel":
                raise SelfTestFailure(f"Qt's own translation qtbase_{LANGUAGE}.qm is missing")
            _check_collation()
            window = build_main_window(
                database=database,
                server=server.address,
                demo=True,
                settings=settings,
                translations=translations,
                options=CollectOptions(timeout=10.0),
            )
            try:
                summary = _run_job(app, window, database, market, timeout)
                summary += ", " + _check_data_view(app, window, market)
                if crashes:
                    raise SelfTestFailure(f"unhandled exception: {crashes[0]}")
                if screenshot is not None:
                    _save_screenshot(app, window, screenshot)
                return f"{summary}, {LANGUAGE} translations and collation loaded"
            finally:
                _dispose(app, window)
        finally:
            translations.install("en")
            database.close()


PINYIN_ORDER = ("阿里", "李四", "浦发银行", "张三", "中国平安")
"""Chinese names in pinyin order (a, li, pu, zhang, zhong); code point order differs."""


def _check_collation() -> None:
    """Chinese sorts by pinyin: the Linux bundle ships only part of Qt's ICU locale data."""
    from PySide6.QtCore import QCollator, QLocale

    collator = QCollator(QLocale("zh_CN"))
    ordered = tuple(sorted(reversed(PINYIN_ORDER), key=collator.sortKey))
    if ordered != PINYIN_ORDER:
        raise SelfTestFailure(f"Chinese collation (ICU data) is missing: {' '.join(ordered)}")


def _run_job(
    app: QApplication, window: MainWindow, database: Database, market: Market, timeout: float
) -> str:
    """Press Start through the window, wait for the job, and check what it logged and stored."""
    from PySide6.QtCore import QEventLoop, QTimer

    from stockdesk.db.barstore import BarStore
    from stockdesk.db.joblog import JobLog
    from stockdesk.domain.values import JobStatus
    from stockdesk.ui.job_form import to_qdate

    window.show()
    form = window.form
    if not any("\u4e00" <= char <= "\u9fff" for char in form.startButton.text()):
        raise SelfTestFailure(f"the Start button is not translated: {form.startButton.text()!r}")
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("all"))
    form.startDateEdit.setDate(to_qdate(START))
    form.endDateEdit.setDate(to_qdate(END))

    finished: list[JobRecord | None] = []
    loop = QEventLoop()

    def on_job_finished(record: JobRecord | None) -> None:
        finished.append(record)
        loop.quit()

    window.controller.jobFinished.connect(on_job_finished)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    form.startButton.click()
    if not window.controller.is_busy():
        raise SelfTestFailure("pressing Start did not start a job")
    loop.exec()
    if not finished:
        raise SelfTestFailure(f"the job did not finish within {timeout:.0f} s")
    record = finished[0]
    if record is None:
        raise SelfTestFailure("the job could not run: " + window.noticeBar.text())
    window.controller.applier.apply_all()
    history = window.historyPanel.historyModel
    _wait_until(
        app, lambda: history.rowCount() > 0 and history.row_at(0).status == JobStatus.COMPLETED
    )

    stocks = [s for s in market.stocks() if s.listed_between(END, END)]
    expected_rows = sum(len(market.bars(s.code, START, END)) for s in stocks)
    logged = JobLog(database).get_job(record.id, with_failures=True)
    stored = BarStore(database).count_bars()
    checks = (
        (logged is not None, f"job {record.id} is not in the job log"),
        (
            logged is not None and logged.status == JobStatus.COMPLETED,
            f"job status {getattr(logged, 'status', None)}: {record.error_message}",
        ),
        (
            record.total_stocks == len(stocks),
            f"{record.total_stocks} stocks planned, the market lists {len(stocks)}",
        ),
        (
            record.success_count == len(stocks) and record.failed_count == 0,
            f"{record.success_count} succeeded, {record.failed_count} failed",
        ),
        (
            stored > 0 and stored == expected_rows == record.collected_count,
            f"{stored} rows stored, job logged {record.collected_count}, "
            f"the market has {expected_rows}",
        ),
        (
            window.resultsModel.total_count() == record.total_stocks,
            f"the results table shows {window.resultsModel.total_count()} stocks",
        ),
        (
            history.rowCount() > 0 and history.row_at(0).status == JobStatus.COMPLETED,
            "the history panel does not show the job as completed",
        ),
    )
    for passed, reason in checks:
        if not passed:
            raise SelfTestFailure(reason)
    return (
        f"job {record.id} completed, {record.success_count}/{record.total_stocks} stocks, "
        f"{stored} rows stored (simulator: {expected_rows})"
    )


def _check_data_view(app: QApplication, window: MainWindow, market: Market) -> str:
    """Open the data view on what the job stored: the overview, a pinyin search and one
    stock's chart (pyqtgraph, pypinyin and, in the installer, the pandas-free read)."""
    view = window.open_data_view()
    model = view.overviewModel
    stocks = [s for s in market.stocks() if s.listed_between(END, END)]
    initials: list[bool] = []
    view.initialsLoaded.connect(lambda: initials.append(True))
    _wait_until(app, lambda: model.all_count() == len(stocks) and bool(initials), 10.0)
    if model.all_count() != len(stocks):
        raise SelfTestFailure(
            f"the data view lists {model.all_count()} stocks, the job stored {len(stocks)}"
        )
    if not initials:
        raise SelfTestFailure("the data view did not get the names' pinyin initials")
    row = model.rows()[0]
    view.securitySearch.setText(row.initials)
    view.apply_search()
    if row.code not in [shown.code for shown in model.rows()]:
        raise SelfTestFailure(f"searching {row.initials!r} does not find {row.name}")
    loaded: list[str] = []
    view.chartLoaded.connect(loaded.append)
    view.select_code(row.code)
    _wait_until(app, lambda: bool(loaded), 10.0)
    bars = view.barChart.visibleRange()[1] + 1
    if not loaded or bars != row.rows:
        raise SelfTestFailure(
            f"the chart of {row.code} shows {bars} bars, {row.rows} are stored: "
            + view.dataStatusLabel.text()
        )
    window.mainTabs.setCurrentIndex(0)  # --screenshot shows the job, as it always did
    return f"chart of {row.code} ({row.initials}) {bars} bars"


def _wait_until(app: QApplication, condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Process events until ``condition`` holds or ``seconds`` pass (the caller checks)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def _dispose(app: QApplication, window: MainWindow) -> None:
    """Stop any job and drop the window without ``close()``, which may ask a question."""
    window.controller.shutdown()
    _wait_until(
        app,
        lambda: not window.controller.is_busy() and window.controller.threads_alive() == 0,
        10.0,
    )
    window.runner.wait()
    window.hide()
    window.deleteLater()
    app.processEvents()


def _save_screenshot(app: QApplication, window: MainWindow, path: Path) -> None:
    """Save the job view at ``path`` and the data view with its chart beside it
    (``NAME-data.png``): the README's two pictures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = path.with_name(f"{path.stem}-data{path.suffix}")
    for tab, target in ((0, path), (1, data)):
        window.mainTabs.setCurrentIndex(tab)
        app.processEvents()
        if not window.grab().save(str(target)):
            raise SelfTestFailure(f"could not save the screenshot to {target}")
    window.mainTabs.setCurrentIndex(0)
