"""End to end through the window: the real simulator, collector and SQLite job log."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import QDate

from stockdesk.app import build_main_window
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import ItemStatus, JobStatus
from stockdesk.simulator import FaultKind
from stockdesk.ui.history_model import COL_RESUMES

START, END = QDate(2024, 1, 2), QDate(2024, 3, 29)
JOB_TIMEOUT_MS = 30_000
FAST = CollectOptions(timeout=1.0, retries=2, backoff=0.01)


@pytest.fixture
def database(tmp_path):
    return open_database(str(tmp_path / "stockdesk.db"))


@pytest.fixture
def make_window(qtbot, simulator, database, settings):
    windows = []

    def make():
        window = build_main_window(
            database=database, server=simulator.address, demo=False, settings=settings, options=FAST
        )
        qtbot.addWidget(window)
        # A test that fails while its job runs leaves the job running when qtbot closes
        # the window; the close question would then wait for a click for ever.
        window.ask_cancel_running_job = lambda: True
        windows.append(window)
        window.show()
        window.form.startDateEdit.setDate(START)
        window.form.endDateEdit.setDate(END)
        return window

    yield make
    for window in windows:
        window.controller.shutdown()
        window.runner.wait()


def choose_codes(window, codes):
    form = window.form
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("codes"))
    form.codesEdit.setPlainText(" ".join(codes))


def run_job(qtbot, window):
    with qtbot.waitSignal(window.controller.jobFinished, timeout=JOB_TIMEOUT_MS) as finished:
        window.form.startButton.click()
    record = finished.args[0]
    qtbot.waitUntil(
        lambda: window.resultsModel.total_count() == record.processed_stocks, timeout=5000
    )
    return record


def test_job_streams_in_and_is_logged_under_its_id(qtbot, make_window, database, simulator_market):
    window = make_window()
    record = run_job(qtbot, window)
    assert record.status == JobStatus.COMPLETED
    assert record.total_stocks > 0
    assert record.success_count + record.skipped_count == record.total_stocks
    assert record.collected_count > 0
    assert window.resultsModel.rowCount() == record.total_stocks
    assert window.progressPanel.task_id() == record.id
    assert window.progressPanel.progressBar.value() == record.total_stocks
    logged = JobLog(database).list_jobs()
    assert logged[0].id == record.id
    history = window.historyPanel
    qtbot.waitUntil(lambda: history.historyModel.rowCount() == len(logged), timeout=5000)
    assert history.historyModel.row_at(0).id == record.id
    assert history.selected_job() is None or history.selected_job().id == record.id


def test_failures_show_reasons_and_retry_runs_exactly_them(
    qtbot, make_window, simulator, simulator_market, database
):
    codes = [stock.code for stock in simulator_market.stocks()[:5]]
    broken = codes[1:3]
    for code in broken:
        simulator.faults.add(
            FaultKind.ERROR,
            method="query_history_k_data_plus",
            code=code,
            times=None,
            error_msg="模拟故障",
        )
    window = make_window()
    choose_codes(window, codes)
    record = run_job(qtbot, window)
    assert record.status == JobStatus.COMPLETED
    assert record.failed_count == 2
    history = window.historyPanel
    qtbot.waitUntil(lambda: history.failuresModel.rowCount() == 2, timeout=5000)
    failed = history.failuresModel.rows()
    assert sorted(item.code for item in failed) == sorted(broken)
    assert all(item.error_message for item in failed)
    assert all(item.status == ItemStatus.FAILED for item in failed)

    simulator.faults.clear()
    with qtbot.waitSignal(window.controller.jobFinished, timeout=JOB_TIMEOUT_MS) as finished:
        history.retryButton.click()
    retry = finished.args[0]
    assert retry.id != record.id
    assert retry.universe == "codes"
    assert (retry.total_stocks, retry.success_count, retry.failed_count) == (2, 2, 0)
    items = JobLog(database).items(retry.id)
    assert sorted(item.code for item in items) == sorted(broken)


def test_second_start_is_refused_and_cancel_ends_the_job(
    qtbot, make_window, simulator, simulator_market, chinese
):
    # Every stock's request hangs until the collector's 1 s timeout: the job is slow.
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", times=None)
    window = make_window()
    choose_codes(window, [stock.code for stock in simulator_market.stocks()[:20]])
    with qtbot.waitSignal(window.controller.jobStarted, timeout=JOB_TIMEOUT_MS) as started:
        window.form.startButton.click()
    window.form.startButton.click()
    assert window.noticeBar.text() == "已有采集任务正在运行，请等待完成后再启动新任务"
    clicked = time.monotonic()
    with qtbot.waitSignal(window.controller.jobFinished, timeout=2500) as finished:
        window.form.cancelButton.click()
    elapsed = time.monotonic() - clicked
    assert finished.args[0].id == started.args[0]
    assert finished.args[0].status == JobStatus.CANCELLED
    print(f"\ncancel took {elapsed:.2f} s")
    assert elapsed < 2.0


def test_job_of_another_window_on_the_same_database_is_refused(
    qtbot, make_window, simulator, simulator_market, chinese
):
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", times=None)
    first, second = make_window(), make_window()  # separate gates, one database
    choose_codes(first, [stock.code for stock in simulator_market.stocks()[:5]])
    with qtbot.waitSignal(first.controller.jobStarted, timeout=JOB_TIMEOUT_MS):
        first.form.startButton.click()
    with qtbot.waitSignal(second.controller.refused, timeout=JOB_TIMEOUT_MS):
        second.form.startButton.click()
    assert second.noticeBar.text() == "已有采集任务正在运行，请等待完成后再启动新任务"
    with qtbot.waitSignal(first.controller.jobFinished, timeout=2500):
        first.form.cancelButton.click()


def test_closing_during_a_job_cancels_it_when_confirmed(
    qtbot, make_window, simulator, simulator_market, database, monkeypatch
):
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", times=None)
    window = make_window()
    choose_codes(window, [stock.code for stock in simulator_market.stocks()[:5]])
    with qtbot.waitSignal(window.controller.jobStarted, timeout=JOB_TIMEOUT_MS) as started:
        window.form.startButton.click()
    # The question goes through this method so the test can answer it.
    monkeypatch.setattr(window, "ask_cancel_running_job", lambda: True)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2500)
    job = JobLog(database).get_job(started.args[0])
    assert job.status == JobStatus.CANCELLED
    assert job.end_time is not None and job.end_time <= dt.datetime.now()


def test_unreachable_server_offers_the_demo(qtbot, make_window, simulator):
    window = make_window()
    simulator.pause()
    choose_codes(window, ["sh.600000"])
    record = run_job(qtbot, window)
    assert record.status == JobStatus.FAILED
    assert window.noticeBar.actionButton.isVisible()
    assert "cannot be reached" in window.noticeBar.text()


def select_in_history(qtbot, window, job_id):
    """Select ``job_id`` in the history once it is listed and wait until it is shown."""
    history = window.historyPanel
    qtbot.waitUntil(lambda: history.historyModel.row_of(job_id) >= 0, timeout=5000)
    history.select_job(job_id)

    def shown() -> bool:
        job = history.selected_job()
        return job is not None and job.id == job_id

    qtbot.waitUntil(shown, timeout=5000)


def test_resume_of_a_cancelled_job_stores_only_the_missing_stocks(
    qtbot, make_window, simulator, simulator_market, database
):
    codes = [stock.code for stock in simulator_market.stocks()[:6]]
    done, missing = codes[:3], codes[3:]
    for code in missing:  # each of these hangs until the collector's 1 s timeout
        simulator.faults.add(
            FaultKind.HANG, method="query_history_k_data_plus", code=code, times=None
        )
    window = make_window()
    choose_codes(window, codes)
    with qtbot.waitSignal(window.controller.jobFinished, timeout=JOB_TIMEOUT_MS) as finished:
        window.form.startButton.click()
        qtbot.waitUntil(
            lambda: window.resultsModel.total_count() == len(done), timeout=JOB_TIMEOUT_MS
        )
        window.form.cancelButton.click()
    cancelled = finished.args[0]
    assert cancelled.status == JobStatus.CANCELLED
    log = JobLog(database)
    assert sorted(log.done_codes(cancelled.id)) == sorted(done)

    simulator.faults.clear()
    history = window.historyPanel
    select_in_history(qtbot, window, cancelled.id)
    assert history.resumeButton.isEnabled()
    with qtbot.waitSignal(window.controller.jobFinished, timeout=JOB_TIMEOUT_MS) as finished:
        history.resumeButton.click()
    resumed = finished.args[0]
    assert resumed.status == JobStatus.COMPLETED and resumed.resumes == cancelled.id
    assert (resumed.total_stocks, resumed.success_count) == (len(missing), len(missing))
    assert sorted(item.code for item in log.items(resumed.id)) == sorted(missing)
    assert log.get_request(resumed.id).codes == tuple(codes)
    listed = log.list_jobs()
    assert [job.id for job in listed[:2]] == [resumed.id, cancelled.id]
    qtbot.waitUntil(lambda: history.historyModel.row_of(resumed.id) == 0, timeout=5000)
    assert history.historyModel.index(0, COL_RESUMES).data() == cancelled.id


def test_resume_is_disabled_for_a_job_that_collected_everything(
    qtbot, make_window, simulator_market
):
    window = make_window()
    choose_codes(window, [stock.code for stock in simulator_market.stocks()[:2]])
    record = run_job(qtbot, window)
    assert record.status == JobStatus.COMPLETED and record.failed_count == 0
    history = window.historyPanel
    select_in_history(qtbot, window, record.id)
    assert not history.resumeButton.isEnabled()
    assert "nothing is left" in history.resumeButton.toolTip()
    history.historyTable.clearSelection()
    assert not history.resumeButton.isEnabled()
    assert "Select" in history.resumeButton.toolTip()


def test_resume_while_a_job_runs_is_refused_like_start(
    qtbot, make_window, simulator, simulator_market, database, chinese
):
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", times=None)
    window = make_window()
    choose_codes(window, [stock.code for stock in simulator_market.stocks()[:5]])
    with qtbot.waitSignal(window.controller.jobFinished, timeout=JOB_TIMEOUT_MS) as finished:
        window.form.startButton.click()
        qtbot.waitUntil(window.controller.is_busy, timeout=JOB_TIMEOUT_MS)
        window.form.cancelButton.click()
    cancelled = finished.args[0]
    with qtbot.waitSignal(window.controller.jobStarted, timeout=JOB_TIMEOUT_MS) as started:
        window.form.startButton.click()
    select_in_history(qtbot, window, cancelled.id)
    with qtbot.waitSignal(window.controller.refused, timeout=5000):
        window.historyPanel.resumeButton.click()
    assert window.noticeBar.text() == "已有采集任务正在运行，请等待完成后再启动新任务"
    assert window.historyPanel.resumeButton.text() == "继续任务"
    with qtbot.waitSignal(window.controller.jobFinished, timeout=2500):
        window.form.cancelButton.click()
    assert {job.id for job in JobLog(database).list_jobs()} == {cancelled.id, started.args[0]}
