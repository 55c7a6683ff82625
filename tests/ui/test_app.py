import datetime as dt

from stockdesk.app import AppState, open_window, start_simulator
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.ui.translations import Translations


def test_demo_simulator_starts_on_loopback_and_stops_with_the_app(qapp, settings):
    state = AppState(settings, Translations())
    address = start_simulator(state)
    host, port = address.split(":")
    assert host == "127.0.0.1" and int(port) > 0
    state.close()
    assert state.servers == []


def test_open_window_on_a_real_database_lists_its_jobs(qtbot, settings, tmp_path):
    target = str(tmp_path / "stockdesk.db")
    database = open_database(target)
    running = JobLog(database).start_job(JobRequest(dt.date(2024, 1, 2), dt.date(2024, 1, 31)))
    database.close()
    state = AppState(settings, Translations())
    window = open_window(state, database=target, server="127.0.0.1:9", demo=False)
    qtbot.addWidget(window)
    try:
        history = window.historyPanel.historyModel
        qtbot.waitUntil(lambda: history.rowCount() == 1, timeout=5000)
        # A job of this very process is alive, not interrupted.
        assert history.row_at(0).id == running.id
        assert history.row_at(0).status == JobStatus.RUNNING
        assert window.isVisible() and "DEMO" not in window.windowTitle()
    finally:
        window.close()
        state.close()
