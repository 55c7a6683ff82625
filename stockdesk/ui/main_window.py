"""The main window: request form, live progress, per-stock results and the job history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QByteArray, QEvent, QMutex, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from stockdesk.domain.values import ItemStatus, JobRecord, JobRequest, JobStatus
from stockdesk.ui.background import BackgroundRunner
from stockdesk.ui.controller import JobController
from stockdesk.ui.data_view import DataView
from stockdesk.ui.database_dialog import DatabaseChoice, DatabaseDialog
from stockdesk.ui.diagnostics import open_log_folder
from stockdesk.ui.history_panel import HistoryPanel, JobLogLike
from stockdesk.ui.job_form import InvalidRequest, JobForm
from stockdesk.ui.labels import job_status_text
from stockdesk.ui.naming import named
from stockdesk.ui.notice_bar import NoticeBar
from stockdesk.ui.notifier import JobNotifier
from stockdesk.ui.progress_panel import ProgressPanel
from stockdesk.ui.results_model import COL_ERROR, ResultsModel
from stockdesk.ui.schedule_dialog import ScheduleDialog, ScheduleLike
from stockdesk.ui.table_view import TableView
from stockdesk.ui.worker import CollectorFactory, JobEnder

if TYPE_CHECKING:
    from stockdesk.db.database import Database

STATUS_FILTERS: tuple[ItemStatus | None, ...] = (
    None,
    ItemStatus.FAILED,
    ItemStatus.SUCCESS,
    ItemStatus.SKIPPED,
)
LANGUAGE_NAMES = (("zh_CN", "中文"), ("en", "English"))
"""Each language named in itself, so a user can find theirs whatever is shown."""


class WindowJobLog(JobLogLike, JobEnder, Protocol):
    """What the window needs of the job log: the history's reads, and the end of a job
    that a crash stopped."""


class MainWindow(QMainWindow):
    """Drives collection jobs and shows their results and history.

    Signals:
        languageRequested(str): the user picked a language in the menu (``zh_CN``, ``en``).
        demoRequested: the user accepted the offer to run the demo (server unreachable).
        databaseChosen(str, str): File → Database… was accepted: the target (a SQLite
            path or a PostgreSQL URL without password) and the password typed, if any.
    """

    languageRequested = Signal(str)
    demoRequested = Signal()
    databaseChosen = Signal(str, str)

    def __init__(
        self,
        *,
        collector_factory: CollectorFactory,
        job_log: Callable[[], WindowJobLog],
        settings: QSettings,
        database: Database | None = None,
        demo: bool = False,
        language: str = "zh_CN",
        gate: QMutex | None = None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        schedule: ScheduleLike | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._settings = settings
        self._demo = demo
        self._close_when_done = False
        self._schedule = schedule
        self.scheduleDialog: ScheduleDialog | None = None
        """Settings → Daily Update…, made on first use; None while the menu item is
        unavailable (no schedule given: the demo, tests)."""
        self.databaseTarget = ""
        """The database this window works on, as File → Database… starts from."""

        self.runner = BackgroundRunner(self)
        self.resultsModel = ResultsModel(self)
        # The sink is the model's method, not the window's: a reference from a child back to
        # the window would make a cycle only the garbage collector frees, possibly from a
        # worker thread, which makes Qt delete the widgets at an arbitrary moment.
        self.controller = JobController(
            collector_factory,
            self.resultsModel.add_items,
            job_log=job_log,
            gate=gate,
            parent=self,
        )
        self.notifier = JobNotifier(self)

        self.noticeBar = NoticeBar()
        self.form = JobForm(now())
        self.progressPanel = ProgressPanel()
        self.statusFilterCombo = named(QComboBox(), "statusFilterCombo")
        for _status in STATUS_FILTERS:
            self.statusFilterCombo.addItem("")
        self.resultsTable = TableView(objectName="resultsTable")
        self.resultsTable.setModel(self.resultsModel)
        self.resultsTable.setSortingEnabled(True)
        self.resultsTable.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.resultsTable.setColumnWidth(COL_ERROR, 320)
        self.historyPanel = HistoryPanel(job_log, self.runner)
        self._resultsCaption = QLabel()
        self.databaseLabel = named(QLabel(), "databaseLabel")
        self.statusBar().addPermanentWidget(self.databaseLabel)

        results_box = QWidget()
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 0, 0, 0)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self._resultsCaption, 1)
        filter_row.addWidget(self.statusFilterCombo)
        results_layout.addLayout(filter_row)
        results_layout.addWidget(self.resultsTable)
        self.mainSplitter = named(QSplitter(Qt.Orientation.Vertical), "mainSplitter")
        self.mainSplitter.addWidget(results_box)
        self.mainSplitter.addWidget(self.historyPanel)
        self.mainSplitter.setStretchFactor(0, 3)
        self.mainSplitter.setStretchFactor(1, 2)
        self.jobView = named(QWidget(), "jobView")
        job_layout = QVBoxLayout(self.jobView)
        job_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.form, 2)
        top.addWidget(self.progressPanel, 3)
        job_layout.addLayout(top)
        job_layout.addWidget(self.mainSplitter, 1)
        self.dataView = named(DataView(database, self.runner, settings), "dataView")
        self.mainTabs = named(QTabWidget(), "mainTabs")
        self.mainTabs.setDocumentMode(True)
        self.mainTabs.addTab(self.jobView, "")
        self.mainTabs.addTab(self.dataView, "")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.noticeBar)
        layout.addWidget(self.mainTabs, 1)
        self.setCentralWidget(central)
        self._build_menus(language)

        self.form.startClicked.connect(self._on_form_start_clicked)
        self.form.updateClicked.connect(self._on_form_update_clicked)
        self.form.cancelClicked.connect(self._on_form_cancel_clicked)
        self.statusFilterCombo.currentIndexChanged.connect(self._on_status_filter_changed)
        self.controller.jobStarted.connect(self._on_controller_job_started)
        self.controller.planReady.connect(self.progressPanel.set_total)
        self.controller.progressed.connect(self.progressPanel.show_progress)
        self.controller.message.connect(self._on_controller_message)
        self.controller.refused.connect(self._on_controller_refused)
        self.controller.errorOccurred.connect(self._on_controller_error_occurred)
        self.controller.jobFinished.connect(self._on_controller_job_finished)
        self.controller.busyChanged.connect(self._on_controller_busy_changed)
        self.historyPanel.retryRequested.connect(self._on_history_retry_requested)
        self.historyPanel.resumeRequested.connect(self._on_history_resume_requested)
        self.historyPanel.loadFailed.connect(self._on_history_load_failed)
        self.noticeBar.actionTriggered.connect(self.demoRequested)
        self.dataView.collectRequested.connect(self._on_data_view_collect_requested)

        self.resize(1200, 800)
        self.restore_settings()
        self._retranslate()
        self.historyPanel.refresh()

    # --- Public interface --------------------------------------------------------------

    def start_job(self, request: JobRequest) -> bool:
        """Start a job unless one runs; the window shows why when it does not start."""
        return self.controller.start(request)

    def open_schedule_dialog(self) -> ScheduleDialog | None:
        """Show Settings → Daily Update… (made once, kept); None without a schedule."""
        if self._schedule is None:
            return None
        if self.scheduleDialog is None:
            self.scheduleDialog = ScheduleDialog(self._schedule, self.runner, self)
        self.scheduleDialog.show()
        self.scheduleDialog.raise_()
        self.scheduleDialog.activateWindow()
        return self.scheduleDialog

    def report_scheduled_job(self, record: JobRecord) -> None:
        """Tell the analyst what the daily update did while the window was closed."""
        text = self.tr(
            "The daily update ran at {time}: {status}, {success} succeeded, {failed} failed, "
            "{skipped} skipped, {rows} rows."
        ).format(
            time=f"{record.start_time:%Y-%m-%d %H:%M}",
            status=job_status_text(record.status),
            success=record.success_count,
            failed=record.failed_count,
            skipped=record.skipped_count,
            rows=record.collected_count,
        )
        if record.error_message:
            text = f"{text}\n{record.error_message}"
        shown = self.noticeBar.text()
        self.noticeBar.show_message(f"{shown}\n{text}" if shown else text)

    def open_data_view(self) -> DataView:
        """Show the data view (its first showing reads the overview)."""
        self.mainTabs.setCurrentWidget(self.dataView)
        return self.dataView

    def show_database(self, where: str) -> None:
        """Say which database the window works on: a SQLite path or a URL with its password
        masked, which File → Database… also starts from (it drops any password)."""
        self.databaseTarget = where
        self.databaseLabel.setText(where)

    def ask_database(self) -> tuple[str, str] | None:
        """File → Database…: the target and password chosen, or None when cancelled.

        A method of its own so tests can answer it without a modal dialog.
        """
        dialog = DatabaseDialog(DatabaseChoice.from_target(self.databaseTarget), self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.choice().target(), dialog.password()
        finally:
            dialog.deleteLater()

    def ask_cancel_running_job(self) -> bool:
        """Ask whether closing should cancel the running job.

        A method of its own so tests can answer it without a modal dialog.
        """
        answer = QMessageBox.question(
            self,
            self.tr("A job is running"),
            self.tr(
                "A collection job is still running. Cancel it and close the window? "
                "Stocks already collected are kept."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save_settings(self) -> None:
        """Remember size, splitter positions and the form's inputs."""
        settings = self._settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/mainSplitter", self.mainSplitter.saveState())
        settings.setValue("window/historySplitter", self.historyPanel.splitter.saveState())
        self.form.save_state(settings)
        self.dataView.save_state(settings)
        settings.sync()

    def restore_settings(self) -> None:
        """Restore what :meth:`save_settings` stored; missing keys keep the defaults."""
        settings = self._settings
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/mainSplitter", self.mainSplitter.restoreState),
            ("window/historySplitter", self.historyPanel.splitter.restoreState),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        self.form.restore_state(settings)

    # --- Events -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_busy():
            event.ignore()
            if self._close_when_done or self.ask_cancel_running_job():
                self._close_when_done = True
                self.noticeBar.show_message(self.tr("Cancelling the job, then closing…"))
                self.controller.cancel()
            return
        self.save_settings()
        self.controller.shutdown()
        self.runner.wait()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # --- Slots ---------------------------------------------------------------------------

    @Slot()
    def _on_form_start_clicked(self) -> None:
        try:
            request = self.form.build_request()
        except InvalidRequest as exc:
            self.noticeBar.show_message(str(exc))
            return
        self.start_job(request)

    @Slot()
    def _on_form_update_clicked(self) -> None:
        self.start_job(self.form.update_request())

    @Slot()
    def _on_form_cancel_clicked(self) -> None:
        if self.controller.is_busy():
            self.statusBar().showMessage(self.tr("Cancelling…"))
            self.controller.cancel()

    @Slot(int)
    def _on_status_filter_changed(self, index: int) -> None:
        self.resultsModel.set_status_filter(STATUS_FILTERS[index])

    @Slot(bool)
    def _on_controller_busy_changed(self, busy: bool) -> None:
        self.form.set_running(busy)
        if busy:
            self.resultsModel.set_rows([])
            self.progressPanel.start_job()
            self.noticeBar.hide()

    @Slot(str)
    def _on_controller_job_started(self, job_id: str) -> None:
        self.progressPanel.set_task_id(job_id)
        self.historyPanel.refresh()

    @Slot(str)
    def _on_controller_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    @Slot(str)
    def _on_controller_refused(self, text: str) -> None:
        self.noticeBar.show_message(text)

    @Slot(str)
    def _on_controller_error_occurred(self, text: str) -> None:
        self.noticeBar.show_message(text)

    @Slot(object)
    def _on_controller_job_finished(self, record: JobRecord | None) -> None:
        if record is None:
            self.progressPanel.finish_job(0, 0)
        else:
            self.progressPanel.finish_job(record.processed_stocks, record.total_stocks)
            self._report_end(record)
            self.historyPanel.refresh(select_id=record.id)
            if self.dataView.isVisible():
                self.dataView.refresh()
            else:
                self.dataView.mark_stale()
        if self._close_when_done:
            self.controller.applier.apply_all()
            self.close()

    @Slot(object)
    def _on_history_retry_requested(self, request: JobRequest) -> None:
        self.start_job(request)

    @Slot(object)
    def _on_history_resume_requested(self, request: JobRequest) -> None:
        self.start_job(request)

    @Slot(object)
    def _on_data_view_collect_requested(self, request: JobRequest) -> None:
        if self.start_job(request):
            self.statusBar().showMessage(
                self.tr("Collecting {code} from {start} to {end}…").format(
                    code=", ".join(request.codes), start=request.start_date, end=request.end_date
                )
            )

    @Slot(str)
    def _on_history_load_failed(self, text: str) -> None:
        self.noticeBar.show_message(
            self.tr("Could not read the job log: {error}").format(error=text)
        )

    # --- Internals ----------------------------------------------------------------------

    def _report_end(self, record: JobRecord) -> None:
        summary = self.tr(
            "{status}: {success} succeeded, {failed} failed, {skipped} skipped, {rows} rows."
        ).format(
            status=job_status_text(record.status),
            success=record.success_count,
            failed=record.failed_count,
            skipped=record.skipped_count,
            rows=record.collected_count,
        )
        self.statusBar().showMessage(summary)
        if record.status == JobStatus.FAILED:
            self._report_failed_job(record)
        self.notifier.notify(self.tr("Collection job ended"), f"{record.id}\n{summary}")

    def _report_failed_job(self, record: JobRecord) -> None:
        error = record.error_message or ""
        if self._demo or not _looks_unreachable(record):
            self.noticeBar.show_message(self.tr("The job failed: {error}").format(error=error))
            return
        self.noticeBar.show_message(
            self.tr(
                "The baostock server cannot be reached. Check the network connection "
                "and try again, or try StockDesk offline with the built-in demo market."
                "\nDetails: {error}"
            ).format(error=error),
            self.tr("Open the demo"),
        )

    def _build_menus(self, language: str) -> None:
        self._fileMenu = self.menuBar().addMenu("")
        self._databaseAction = named(QAction(self), "databaseAction")
        self._databaseAction.triggered.connect(self._on_database_triggered)
        self._fileMenu.addAction(self._databaseAction)
        self._logFolderAction = named(QAction(self), "logFolderAction")
        self._logFolderAction.triggered.connect(open_log_folder)
        self._fileMenu.addAction(self._logFolderAction)
        self._fileMenu.addSeparator()
        self._quitAction = QAction(self)
        self._quitAction.triggered.connect(self.close)
        self._fileMenu.addAction(self._quitAction)
        self._settingsMenu = self.menuBar().addMenu("")
        self._settingsMenu.setObjectName("settingsMenu")
        self._scheduleAction = named(QAction(self), "dailyUpdateAction")
        self._scheduleAction.setEnabled(self._schedule is not None)
        self._scheduleAction.triggered.connect(self._on_schedule_action_triggered)
        self._settingsMenu.addAction(self._scheduleAction)
        self._languageMenu = self.menuBar().addMenu("")
        self._languageMenu.setObjectName("languageMenu")
        group = QActionGroup(self)
        for code, name in LANGUAGE_NAMES:
            action = QAction(name, self, checkable=True)
            action.setData(code)
            action.setChecked(code == language)
            group.addAction(action)
            self._languageMenu.addAction(action)
        group.triggered.connect(self._on_language_triggered)

    @Slot()
    def _on_schedule_action_triggered(self) -> None:
        self.open_schedule_dialog()

    @Slot()
    def _on_database_triggered(self) -> None:
        if self.controller.is_busy():
            self.noticeBar.show_message(
                self.tr("A job is running. Choose another database when it has ended.")
            )
            return
        chosen = self.ask_database()
        if chosen is not None:
            self.databaseChosen.emit(*chosen)

    @Slot(QAction)
    def _on_language_triggered(self, action: QAction) -> None:
        self.languageRequested.emit(action.data())

    def _retranslate(self) -> None:
        title = self.tr("StockDesk — A-share daily history")
        self.setWindowTitle(f"{title} — DEMO" if self._demo else title)
        self._fileMenu.setTitle(self.tr("&File"))
        self._databaseAction.setText(self.tr("&Database…"))
        self._logFolderAction.setText(self.tr("Open &Log Folder"))
        self._quitAction.setText(self.tr("&Quit"))
        self._languageMenu.setTitle(self.tr("&Language"))
        self._settingsMenu.setTitle(self.tr("&Settings"))
        self._scheduleAction.setText(self.tr("&Daily Update…"))
        self._resultsCaption.setText(self.tr("Stocks of the current job"))
        self.mainTabs.setTabText(0, self.tr("Collection"))
        self.mainTabs.setTabText(1, self.tr("Data"))
        texts = (self.tr("All"), self.tr("Failed"), self.tr("Succeeded"), self.tr("Skipped"))
        for index, text in enumerate(texts):
            self.statusFilterCombo.setItemText(index, text)
        self.resultsModel.retranslate()


def _looks_unreachable(record: JobRecord) -> bool:
    """A job that failed before planning anything: login to the server did not succeed.

    The job record carries only the message, not the kind of failure, so this is inferred:
    nothing was planned, and the first thing a job does is log in.
    """
    return record.total_stocks == 0 and record.processed_stocks == 0
