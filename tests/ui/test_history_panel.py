import datetime as dt

from ui_fakes import make_item, make_job

from stockdesk.domain.values import AdjustFlag, ItemStatus, JobStatus
from stockdesk.ui.background import BackgroundRunner
from stockdesk.ui.history_panel import HistoryPanel

OLD = "historical_collection_20240610_090000_11"
NEW = "historical_collection_20240612_103000_22"


def build(qtbot, job_log):
    job_log.put(
        make_job(OLD, failed_count=2),
        [make_item(1, ItemStatus.FAILED), make_item(2, ItemStatus.FAILED)],
    )
    job_log.put(make_job(NEW, status=JobStatus.CANCELLED))
    runner = BackgroundRunner()
    panel = HistoryPanel(lambda: job_log, runner)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: panel.historyModel.rowCount() == 2, timeout=3000)
    return panel, runner


def test_jobs_newest_first_and_selection_fills_the_failures_grid(qtbot, job_log):
    panel, runner = build(qtbot, job_log)
    assert [job.id for job in panel.historyModel.rows()] == [NEW, OLD]
    assert panel.select_job(OLD)
    qtbot.waitUntil(lambda: panel.failuresModel.rowCount() == 2, timeout=3000)
    assert panel.selected_job().id == OLD
    assert panel.retryButton.isEnabled()
    assert panel.select_job(NEW)
    qtbot.waitUntil(lambda: panel.selected_job().id == NEW, timeout=3000)
    assert panel.failuresModel.rowCount() == 0
    assert not panel.retryButton.isEnabled()
    runner.wait()


def test_retry_requests_exactly_the_failed_stocks(qtbot, job_log):
    panel, runner = build(qtbot, job_log)
    panel.select_job(OLD)
    qtbot.waitUntil(lambda: panel.failuresModel.rowCount() == 2, timeout=3000)
    with qtbot.waitSignal(panel.retryRequested, timeout=1000) as retry:
        panel.retryButton.click()
    request = retry.args[0]
    assert request.universe == "codes"
    assert request.codes == ("sh.600001", "sh.600002")
    assert (request.start_date, request.end_date) == (dt.date(2024, 1, 2), dt.date(2024, 6, 11))
    assert request.adjustflag == AdjustFlag.FORWARD
    runner.wait()


def test_export_button_writes_the_chosen_file(qtbot, job_log, tmp_path, monkeypatch):
    panel, runner = build(qtbot, job_log)
    panel.select_job(OLD)
    qtbot.waitUntil(lambda: panel.failuresModel.rowCount() == 2, timeout=3000)
    target = tmp_path / "out.csv"
    # The file dialog is a separate method so the test answers it instead of a user.
    monkeypatch.setattr(panel, "ask_export_path", lambda: str(target))
    panel.exportButton.click()
    assert target.read_text(encoding="utf-8-sig").count("\n") == 3
    runner.wait()


def test_read_errors_are_reported(qtbot):
    class Broken:
        def list_jobs(self, limit=None):
            raise RuntimeError("disk gone")

    runner = BackgroundRunner()
    panel = HistoryPanel(Broken, runner)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loadFailed, timeout=3000) as failed:
        panel.refresh()
    assert "disk gone" in failed.args[0]
    runner.wait()


def test_refresh_button_reloads_and_keeps_the_selection(qtbot, job_log):
    panel, runner = build(qtbot, job_log)
    panel.select_job(OLD)
    qtbot.waitUntil(lambda: panel.failuresModel.rowCount() == 2, timeout=3000)
    job_log.put(make_job("historical_collection_20240613_090000_33"))
    panel.refreshButton.click()
    qtbot.waitUntil(lambda: panel.historyModel.rowCount() == 3, timeout=3000)
    qtbot.waitUntil(lambda: panel.failuresModel.rowCount() == 2, timeout=3000)
    assert panel.selected_job().id == OLD
    runner.wait()


def test_resume_follows_the_selected_job_and_says_why_not(qtbot, job_log):
    panel, runner = build(qtbot, job_log)
    running = "historical_collection_20240614_090000_44"
    job_log.put(make_job(running, status=JobStatus.RUNNING, end_time=None))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.historyModel.rowCount() == 3, timeout=3000)
    button = panel.resumeButton
    assert not button.isEnabled() and "Select" in button.toolTip()
    cases = (
        (NEW, True, "only the stocks"),
        (OLD, True, "only the stocks"),
        (running, False, "still running"),
    )
    for job_id, enabled, tip in cases:
        panel.select_job(job_id)
        assert (button.isEnabled(), tip in button.toolTip()) == (enabled, True), job_id
    job_log.put(make_job(OLD))  # the same job, now without failures
    panel.refresh(select_id=OLD)
    qtbot.waitUntil(lambda: "nothing is left" in button.toolTip(), timeout=3000)
    assert not button.isEnabled()
    runner.wait()


def test_resume_requests_the_old_request_marked_as_resuming_it(qtbot, job_log):
    panel, runner = build(qtbot, job_log)
    panel.select_job(NEW)
    with qtbot.waitSignal(panel.resumeRequested, timeout=3000) as resume:
        panel.resumeButton.click()
    request = resume.args[0]
    assert request.resumes == NEW
    assert (request.universe, request.adjustflag) == ("hs300", AdjustFlag.FORWARD)
    assert (request.start_date, request.end_date) == (dt.date(2024, 1, 2), dt.date(2024, 6, 11))
    runner.wait()


def test_a_refresh_before_the_selected_job_is_read_keeps_the_selection(qtbot, job_log):
    panel, runner = build(qtbot, job_log)
    panel.select_job(OLD)
    panel.refresh()  # as when a job starts: its details are not read yet
    qtbot.waitUntil(lambda: panel.failuresModel.rowCount() == 2, timeout=3000)
    assert panel.selected_job().id == OLD
    runner.wait()
