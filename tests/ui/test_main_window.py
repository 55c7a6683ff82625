import datetime as dt
import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QDate, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QProgressBar,
    QPushButton,
    QSystemTrayIcon,
    QTableView,
    QWidget,
)
from ui_fakes import NOW, FakeCollector, make_job

from stockdesk.domain.values import AdjustFlag, JobStatus
from stockdesk.ui.labels import job_running_text
from stockdesk.ui.main_window import MainWindow
from stockdesk.ui.notifier import JobNotifier
from stockdesk.ui.results_model import COL_CODE

OBJECT_NAMES = {
    "startDateEdit": QDateEdit,
    "endDateEdit": QDateEdit,
    "startButton": QPushButton,
    "cancelButton": QPushButton,
    "progressBar": QProgressBar,
    "resultsTable": QTableView,
    "historyTable": QTableView,
    "failuresTable": QTableView,
    "updateButton": QPushButton,
    "frequencyCombo": QComboBox,
}


@pytest.fixture
def make_window(qtbot, settings, job_log):
    windows = []

    def make(collector=None, *, demo=False, settings=settings):
        collector = collector or FakeCollector(job_log)
        window = MainWindow(
            collector_factory=lambda: collector,
            job_log=lambda: job_log,
            settings=settings,
            demo=demo,
            now=lambda: NOW,
        )
        qtbot.addWidget(window)
        # A test that fails while its job runs leaves the job running when qtbot closes
        # the window; the close question would then wait for a click for ever.
        window.ask_cancel_running_job = lambda: True
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:
        window.controller.shutdown()
        window.runner.wait()


def test_contract_object_names(make_window):
    window = make_window()
    for name, kind in OBJECT_NAMES.items():
        assert isinstance(window.findChild(kind, name), kind), name
    assert window.form.startDateEdit.calendarPopup()


def test_default_inputs(make_window):
    window = make_window()
    assert window.form.startDateEdit.date() == QDate(2024, 1, 1)
    assert window.form.endDateEdit.date() == QDate(2024, 6, 11)
    request = window.form.build_request()
    assert (request.universe, request.adjustflag) == ("all", AdjustFlag.NONE)
    assert "DEMO" not in window.windowTitle()
    assert "DEMO" in make_window(demo=True).windowTitle()


def test_adjust_types_map_to_baostock_flags(make_window):
    window = make_window()
    flags = [window.form.adjustCombo.itemData(i) for i in range(3)]
    assert flags == ["3", "2", "1"]


def test_the_frequency_choice_reaches_the_request(make_window):
    form = make_window().form
    frequencies = [form.frequencyCombo.itemData(i) for i in range(form.frequencyCombo.count())]
    assert frequencies == ["d", "w", "m", "5", "15", "30", "60"]
    assert form.build_request().frequency == "d"
    form.frequencyCombo.setCurrentIndex(form.frequencyCombo.findData("15"))
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("hs300"))
    assert form.build_request().frequency == "15"


def test_minute_bars_of_indices_are_refused_before_a_job(make_window):
    window = make_window()
    form = window.form
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("index"))
    form.frequencyCombo.setCurrentIndex(form.frequencyCombo.findData("5"))
    form.startButton.click()
    assert "指数没有分钟线数据" in window.noticeBar.text()
    assert window.controller.is_busy() is False
    form.frequencyCombo.setCurrentIndex(form.frequencyCombo.findData("w"))
    assert form.build_request().universe == "index"


def test_invalid_codes_are_named(make_window):
    window = make_window()
    window.form.universeCombo.setCurrentIndex(window.form.universeCombo.findData("codes"))
    window.form.codesEdit.setPlainText("600000.SH  foo 12345 sz.000001")
    window.form.startButton.click()
    assert "foo, 12345" in window.noticeBar.text()
    assert window.controller.is_busy() is False


def test_update_starts_an_update_job_through_the_same_gate(qtbot, make_window, job_log):
    hold = threading.Event()
    collector = FakeCollector(job_log, hold=hold)
    window = make_window(collector)
    window.form.updateButton.click()
    qtbot.waitUntil(lambda: len(collector.requests) == 1, timeout=5000)
    assert collector.requests[0].universe == "update"
    window.form.updateButton.click()  # refused while the job runs, as a second Start
    window.form.startButton.click()
    assert window.noticeBar.text() == job_running_text()
    with qtbot.waitSignal(window.controller.jobFinished, timeout=5000):
        hold.set()
    assert len(collector.requests) == 1


def test_reversed_dates_are_refused(make_window):
    window = make_window()
    window.form.startDateEdit.setDate(QDate(2024, 5, 1))
    window.form.endDateEdit.setDate(QDate(2024, 4, 1))
    window.form.startButton.click()
    assert window.noticeBar.text() == "The start date is after the end date."


def test_job_streams_into_the_table_and_the_history(qtbot, make_window, job_log):
    window = make_window(FakeCollector(job_log, items=600, failed=(5, 9, 11)))
    with qtbot.waitSignal(window.controller.jobFinished, timeout=5000) as finished:
        window.form.startButton.click()
    record = finished.args[0]
    qtbot.waitUntil(lambda: window.resultsModel.rowCount() == 600, timeout=5000)
    panel = window.progressPanel
    assert panel.task_id() == record.id
    assert panel.progressBar.value() == 600 and panel.progressBar.maximum() == 600
    assert (panel.successLabel.text(), panel.failedLabel.text()) == ("597", "3")
    window.statusFilterCombo.setCurrentIndex(1)  # failed
    assert [window.resultsModel.index(r, COL_CODE).data() for r in range(3)] == [
        "sh.600005",
        "sh.600009",
        "sh.600011",
    ]
    history = window.historyPanel
    qtbot.waitUntil(lambda: history.failuresModel.rowCount() == 3, timeout=3000)
    assert history.historyModel.row_at(0).id == record.id
    panel.copyTaskIdButton.click()
    assert QGuiApplication.clipboard().text() == record.id


def test_second_start_is_refused_with_the_message(qtbot, make_window, job_log, chinese):
    hold = threading.Event()
    window = make_window(FakeCollector(job_log, items=3, hold=hold))
    with qtbot.waitSignal(window.controller.jobStarted, timeout=5000):
        window.form.startButton.click()
    window.form.startButton.click()
    assert window.noticeBar.text() == "已有采集任务正在运行，请等待完成后再启动新任务"
    with qtbot.waitSignal(window.controller.jobFinished, timeout=5000):
        hold.set()


def test_cancel_button(qtbot, make_window, job_log):
    window = make_window(FakeCollector(job_log, items=3, hold=threading.Event()))
    with qtbot.waitSignal(window.controller.jobStarted, timeout=5000):
        window.form.startButton.click()
    assert window.form.cancelButton.isEnabled()
    with qtbot.waitSignal(window.controller.jobFinished, timeout=2000) as finished:
        window.form.cancelButton.click()
    assert finished.args[0].status == JobStatus.CANCELLED
    assert not window.form.cancelButton.isEnabled()


def test_closing_during_a_job_asks_first(qtbot, make_window, job_log, monkeypatch):
    window = make_window(FakeCollector(job_log, items=3, hold=threading.Event()))
    with qtbot.waitSignal(window.controller.jobStarted, timeout=5000):
        window.form.startButton.click()
    answers = [False, True]
    # The question is a method of its own so the test answers it instead of a dialog.
    monkeypatch.setattr(window, "ask_cancel_running_job", lambda: answers.pop(0))
    window.close()
    assert window.isVisible() and window.controller.is_busy()
    with qtbot.waitSignal(window.controller.jobFinished, timeout=2000) as finished:
        window.close()
    assert finished.args[0].status == JobStatus.CANCELLED
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert answers == []


def test_settings_remember_size_splitters_and_inputs(qtbot, make_window, tmp_path):
    settings = QSettings(str(tmp_path / "remember.ini"), QSettings.Format.IniFormat)
    window = make_window(settings=settings)
    window.resize(QSize(780, 560))  # within the offscreen screen, which restore clamps to
    window.mainSplitter.setSizes([100, 400])
    form = window.form
    form.startDateEdit.setDate(QDate(2023, 3, 1))
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("codes"))
    form.codesEdit.setPlainText("sh.600000")
    form.adjustCombo.setCurrentIndex(form.adjustCombo.findData("1"))
    form.frequencyCombo.setCurrentIndex(form.frequencyCombo.findData("m"))
    window.close()
    again = make_window(
        settings=QSettings(str(tmp_path / "remember.ini"), QSettings.Format.IniFormat)
    )
    assert again.size() == QSize(780, 560)
    assert again.mainSplitter.sizes()[0] < again.mainSplitter.sizes()[1]
    assert again.form.startDateEdit.date() == QDate(2023, 3, 1)
    assert again.form.endDateEdit.date() == QDate(2024, 6, 11)  # the default, renewed
    assert again.form.codesEdit.toPlainText() == "sh.600000"
    assert again.form.build_request().codes == ("sh.600000",)
    assert again.form.build_request().frequency == "m"
    assert again.form.build_request().adjustflag == AdjustFlag.BACKWARD


def test_unreachable_server_offers_the_demo(qtbot, make_window, job_log):
    class Unreachable(FakeCollector):
        def run(self, request, **_kwargs):
            return make_job(
                "historical_collection_20240612_103000_1",
                status=JobStatus.FAILED,
                error_message="网络连接失败",
            )

    window = make_window(Unreachable(job_log))
    with qtbot.waitSignal(window.controller.jobFinished, timeout=5000):
        window.form.startButton.click()
    assert "cannot be reached" in window.noticeBar.text()
    assert "网络连接失败" in window.noticeBar.text()
    with qtbot.waitSignal(window.demoRequested, timeout=1000):
        window.noticeBar.actionButton.click()


def test_language_switch_applies_at_once(qtbot, make_window, chinese):
    window = make_window()
    assert window.form.startButton.text() == "开始"
    actions = {action.data(): action for action in window._languageMenu.actions()}
    with qtbot.waitSignal(window.languageRequested, timeout=1000) as requested:
        actions["en"].trigger()
    assert requested.args == ["en"]
    chinese.install("en")  # what the application does with the request
    qtbot.waitUntil(lambda: window.form.startButton.text() == "Start", timeout=1000)
    assert window.historyPanel.retryButton.text() == "Retry failed"
    chinese.install("zh_CN")
    qtbot.waitUntil(lambda: window.form.startButton.text() == "开始", timeout=1000)


def test_job_end_goes_through_the_notifier(qtbot, make_window, job_log, monkeypatch):
    window = make_window(FakeCollector(job_log, items=2))
    calls = []
    monkeypatch.setattr(window.notifier, "notify", lambda *args: calls.append(args))
    with qtbot.waitSignal(window.controller.jobFinished, timeout=5000) as finished:
        window.form.startButton.click()
    assert len(calls) == 1
    assert finished.args[0].id in calls[0][1]


def test_notifier_speaks_only_when_minimised(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    notifier = JobNotifier(widget)
    assert notifier.notify("title", "text") == "none"
    widget.setWindowState(Qt.WindowState.WindowMinimized)
    expected = "tray" if QSystemTrayIcon.isSystemTrayAvailable() else "alert"
    assert notifier.notify("title", "text") == expected


def test_history_lists_jobs_at_start(qtbot, make_window, job_log):
    job_log.put(
        make_job("historical_collection_20240101_090000_5", start_time=dt.datetime(2024, 1, 1, 9))
    )
    window = make_window()
    qtbot.waitUntil(lambda: window.historyPanel.historyModel.rowCount() == 1, timeout=3000)


def test_a_closed_window_is_freed_without_the_garbage_collector(qtbot, settings, job_log):
    """No reference cycle through the window: Qt objects freed by the cyclic collector in a
    worker thread get deleted at an arbitrary moment in the GUI thread (a crash seen when
    a job's thread ran the collector while the GUI was laying out)."""
    gc.collect()
    gc.disable()
    try:
        window = MainWindow(
            collector_factory=lambda: FakeCollector(job_log),
            job_log=lambda: job_log,
            settings=settings,
            now=lambda: NOW,
        )
        window.show()
        window.close()
        window.runner.wait()
        ref = weakref.ref(window)
        del window
        assert ref() is None
    finally:
        gc.enable()
