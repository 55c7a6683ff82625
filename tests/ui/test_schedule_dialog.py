"""Settings → Daily Update…: the dialog, its calls off the GUI thread, and the report of a
scheduled run at the window's next start.

The dialog is driven with a schedule held in memory (the system's scheduler is covered by
tests/schedule); the start-up report reads a real SQLite job log.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QPushButton, QTimeEdit
from ui_fakes import make_job

from stockdesk.app import build_main_window, report_scheduled_run
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.lastrun import ScheduledRun
from stockdesk.ui.main_window import MainWindow

COMMAND = ("/usr/bin/python3", "-m", "stockdesk", "--db", "/data/a b.db", "--scheduled", "update")


class FakeBackend:
    name = "crontab"
    location = "crontab -l"


class MemorySchedule:
    """A DailySchedule kept in memory; notes the threads it is called in."""

    def __init__(self, *, fail: str | None = None):
        self.entry = None
        self.threads = []
        self._fail = fail
        self._backend = FakeBackend()

    @property
    def backend(self):
        self.threads.append(threading.current_thread())
        return self._backend

    def read(self):
        self.threads.append(threading.current_thread())
        return self.entry

    def set(self, time):
        self.threads.append(threading.current_thread())
        if self._fail:
            raise ScheduleError(self._fail)
        self.entry = ScheduleEntry(time, COMMAND)
        return self.entry

    def remove(self):
        self.threads.append(threading.current_thread())
        removed, self.entry = self.entry is not None, None
        return removed


@pytest.fixture
def make_window(qtbot, settings, job_log):
    windows = []

    def make(schedule=None):
        window = MainWindow(
            collector_factory=lambda: None,
            job_log=lambda: job_log,
            settings=settings,
            schedule=schedule,
        )
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:
        window.runner.wait()


def open_dialog(qtbot, window):
    window.findChild(type(window._scheduleAction), "dailyUpdateAction").trigger()
    dialog = window.scheduleDialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    return dialog


def test_set_and_remove_run_off_the_gui_thread(qtbot, make_window):
    schedule = MemorySchedule()
    window = make_window(schedule)
    dialog = open_dialog(qtbot, window)
    assert dialog.findChild(QTimeEdit, "scheduleTimeEdit").time() == QTime(18, 30)
    assert dialog.statusLabel.text() == "No daily update is set."
    assert not dialog.findChild(QPushButton, "scheduleRemoveButton").isEnabled()

    dialog.timeEdit.setTime(QTime(7, 5))
    dialog.findChild(QPushButton, "scheduleSetButton").click()
    assert dialog.is_busy() and not dialog.setButton.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    assert schedule.entry == ScheduleEntry(dt.time(7, 5), COMMAND)
    status = dialog.statusLabel.text()
    assert "Every day at 07:05, your crontab runs:" in status
    assert "'/data/a b.db'" in status and "crontab -l" in status
    assert "cron does not make up" in status
    assert dialog.removeButton.isEnabled()

    dialog.removeButton.click()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    assert schedule.entry is None
    assert dialog.statusLabel.text() == "No daily update is set."
    assert schedule.threads and threading.main_thread() not in schedule.threads


def test_opening_again_reads_what_the_system_holds(qtbot, make_window):
    schedule = MemorySchedule()
    window = make_window(schedule)
    dialog = open_dialog(qtbot, window)
    dialog.close()
    schedule.entry = ScheduleEntry(dt.time(21, 0), COMMAND)  # e.g. `schedule set` meanwhile
    assert open_dialog(qtbot, window) is dialog
    assert dialog.timeEdit.time() == QTime(21, 0)
    assert "21:00" in dialog.statusLabel.text()


def test_a_scheduler_error_is_shown_and_the_buttons_come_back(qtbot, make_window):
    window = make_window(MemorySchedule(fail="命令 crontab - 失败（退出码 1）：not allowed"))
    dialog = open_dialog(qtbot, window)
    dialog.setButton.click()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    assert dialog.statusLabel.text() == (
        "The system's scheduler reported an error: 命令 crontab - 失败（退出码 1）：not allowed"
    )
    assert dialog.setButton.isEnabled()


def test_without_a_schedule_the_menu_item_is_unavailable(make_window):
    window = make_window()
    assert not window._scheduleAction.isEnabled()
    assert window.open_schedule_dialog() is None


def test_chinese_menu_and_dialog(qtbot, make_window, chinese):
    window = make_window(MemorySchedule())
    assert window._settingsMenu.title() == "设置(&S)"
    assert window._scheduleAction.text() == "每日更新(&D)…"
    dialog = open_dialog(qtbot, window)
    assert dialog.windowTitle() == "每日更新"
    assert dialog.statusLabel.text() == "尚未设置每日更新。"
    dialog.setButton.click()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    assert dialog.statusLabel.text().startswith("每天 18:30 由 当前用户的 crontab 运行：")


def test_the_report_of_a_scheduled_job_joins_other_notices(make_window):
    window = make_window()
    window.noticeBar.show_message("1 job(s) were interrupted")
    window.report_scheduled_job(
        make_job(
            "historical_collection_20240611_183000_1",
            success_count=4620,
            failed_count=2,
            skipped_count=8,
            collected_count=4620,
            start_time=dt.datetime(2024, 6, 11, 18, 30),
        )
    )
    assert window.noticeBar.text() == (
        "1 job(s) were interrupted\nThe daily update ran at 2024-06-11 18:30: Completed, "
        "4620 succeeded, 2 failed, 8 skipped, 4620 rows."
    )


@pytest.fixture
def database(tmp_path):
    database = open_database(str(tmp_path / "stockdesk.db"))
    yield database
    database.close()


def test_the_window_reports_the_scheduled_job_once_at_start(qtbot, tmp_path, settings, database):
    target = str(tmp_path / "stockdesk.db")
    started = dt.datetime.now().replace(microsecond=0)
    joblog = JobLog(database)
    job = joblog.start_job(JobRequest(dt.date(2024, 6, 3), dt.date(2024, 6, 11)))
    note = ScheduledRun(started, target)  # the scheduled run is still going

    def window():
        made = build_main_window(database=database, server=None, demo=False, settings=settings)
        qtbot.addWidget(made)
        return made

    first = window()
    report_scheduled_run(first, database, target, settings, note=note)
    assert first.noticeBar.text() == ""  # running: reported once it has ended

    joblog.finish_job(job.id, JobStatus.COMPLETED)
    note = ScheduledRun(started, target, finished=dt.datetime.now() + dt.timedelta(seconds=1))
    other = window()
    report_scheduled_run(other, database, str(tmp_path / "other.db"), settings, note=note)
    assert other.noticeBar.text() == ""  # another database's run

    second = window()
    report_scheduled_run(second, database, target, settings, note=note)
    assert second.noticeBar.text().startswith("The daily update ran at")
    assert settings.value("schedule/reportedJob") == job.id

    third = window()
    report_scheduled_run(third, database, target, settings, note=note)
    assert third.noticeBar.text() == ""  # told once
    for made in (first, other, second, third):
        made.runner.wait()
