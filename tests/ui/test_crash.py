"""A crash in the window fails the running job: real SQLite file, real simulator, real wiring.

The only stand-in is the crash dialog's modal ``exec()`` (through ``show_dialog``), which
would otherwise wait for a click nobody makes.
"""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QDate, QObject, Slot

from stockdesk import logs
from stockdesk.app import AppState, open_window
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import JobStatus
from stockdesk.simulator import FaultKind
from stockdesk.ui.diagnostics import CrashReporter
from stockdesk.ui.translations import Translations


class BrokenSlot(QObject):
    """A slot with a bug, as a window's own slot might have."""

    @Slot(str)
    def on_job_started(self, _job_id: str) -> None:
        raise ZeroDivisionError("division by zero")


# Qt hands the slot's exception to sys.excepthook; pytest-qt must not take it first.
@pytest.mark.qt_no_exception_capture
def test_a_crash_in_a_slot_during_a_job_logs_the_job_failed(
    qtbot, settings, tmp_path, simulator, simulator_market, monkeypatch
):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    reporter = CrashReporter()
    dialogs: list[tuple[str, bool]] = []
    logs.install_crash_hooks(reporter.report)
    # Every stock's request hangs, so the job is surely running when the slot fails.
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", times=None)
    target = str(tmp_path / "stockdesk.db")
    state = AppState(settings, Translations(), crashes=reporter)
    window = open_window(state, database=target, server=simulator.address, demo=False)
    qtbot.addWidget(window)
    monkeypatch.setattr(
        reporter,
        "show_dialog",
        lambda details: dialogs.append((details, window.controller.is_busy())),
    )
    broken = BrokenSlot()
    window.controller.jobStarted.connect(broken.on_job_started)
    form = window.form
    form.startDateEdit.setDate(QDate(2024, 1, 2))
    form.endDateEdit.setDate(QDate(2024, 3, 29))
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("codes"))
    form.codesEdit.setPlainText(" ".join(s.code for s in simulator_market.stocks()[:5]))
    try:
        with qtbot.waitSignal(window.controller.jobFinished, timeout=10_000) as finished:
            form.startButton.click()
        record = finished.args[0]
        assert record.status == JobStatus.FAILED
        assert record.error_message == (
            "程序出现意外错误，任务已停止：ZeroDivisionError: division by zero"
        )
        # The dialog came up while the job was still stopping: the GUI did not wait for it.
        assert len(dialogs) == 1
        details, busy_when_shown = dialogs[0]
        assert "ZeroDivisionError: division by zero" in details
        assert busy_when_shown
        database = open_database(target)
        try:
            logged = JobLog(database).get_job(record.id)
        finally:
            database.close()
        assert logged is not None and logged.status == JobStatus.FAILED
        assert logged.error_message == record.error_message
        assert logged.end_time is not None
    finally:
        # Closing during a job would ask the user a question: make sure none is running.
        window.controller.cancel()
        qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=10_000)
        window.close()
        state.close()
