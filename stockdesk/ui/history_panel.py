"""The job log: every job newest first, and the failed stocks of the selected one.

Reads go through the job log API in a background pool (never raw SQL, never on the GUI
thread); answers that arrive for a job no longer selected are dropped. The panel proposes
new jobs (Retry failed, Resume) as requests; the window starts them through its one-job gate.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from stockdesk.collect.resume import is_resumable, resume_request
from stockdesk.domain.values import JobRecord, JobRequest, JobStatus
from stockdesk.ui.background import BackgroundRunner
from stockdesk.ui.csv_export import export_csv
from stockdesk.ui.failures_model import FailuresModel
from stockdesk.ui.history_model import COL_ID, HistoryModel
from stockdesk.ui.naming import named
from stockdesk.ui.table_view import TableView

HISTORY_LIMIT = 500
"""Jobs listed; older ones stay in the database and the command line."""


class JobLogLike(Protocol):
    """What the panel needs of :class:`stockdesk.db.joblog.JobLog`."""

    def list_jobs(self, limit: int | None = None) -> list[JobRecord]: ...

    def get_job(self, job_id: str, *, with_failures: bool = False) -> JobRecord | None: ...

    def get_request(self, job_id: str) -> JobRequest | None: ...


JobLogFactory = Callable[[], JobLogLike]


class HistoryPanel(QWidget):
    """History grid, failures grid and their actions.

    Signals:
        retryRequested(object): a :class:`JobRequest` for the failed stocks of a job.
        resumeRequested(object): a :class:`JobRequest` that continues the selected job
            with only the stocks it has not done (``resumes`` set to its ID).
        loadFailed(str): the job log could not be read (user-facing text).
    """

    retryRequested = Signal(object)
    resumeRequested = Signal(object)
    loadFailed = Signal(str)

    def __init__(
        self, job_log: JobLogFactory, runner: BackgroundRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._job_log = job_log
        self._runner = runner
        self._selected: JobRecord | None = None
        self._wanted_id: str | None = None

        self.historyModel = HistoryModel(self)
        self.historyTable = TableView(objectName="historyTable")
        self.historyTable.setModel(self.historyModel)
        self.historyTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.historyTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.historyTable.setColumnWidth(COL_ID, 330)  # the whole task ID, users copy it
        self.failuresModel = FailuresModel(self)
        self.failuresTable = TableView(objectName="failuresTable")
        self.failuresTable.setModel(self.failuresModel)
        self.failuresTable.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.failuresLabel = named(QLabel(), "failuresLabel")
        self.refreshButton = named(QPushButton(), "refreshButton")
        self.resumeButton = named(QPushButton(), "resumeButton")
        self.resumeButton.setEnabled(False)
        self.copyButton = named(QPushButton(), "copyFailuresButton")
        self.exportButton = named(QPushButton(), "exportFailuresButton")
        self.retryButton = named(QPushButton(), "retryFailedButton")
        for button in (self.copyButton, self.exportButton, self.retryButton):
            button.setEnabled(False)

        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        self._historyLabel = QLabel()
        header = QHBoxLayout()
        header.addWidget(self._historyLabel, 1)
        header.addWidget(self.resumeButton)
        header.addWidget(self.refreshButton)
        history_layout.addLayout(header)
        history_layout.addWidget(self.historyTable)
        failures_box = QWidget()
        failures_layout = QVBoxLayout(failures_box)
        failures_layout.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        actions.addWidget(self.failuresLabel, 1)
        actions.addWidget(self.copyButton)
        actions.addWidget(self.exportButton)
        actions.addWidget(self.retryButton)
        failures_layout.addLayout(actions)
        failures_layout.addWidget(self.failuresTable)
        self.splitter = named(QSplitter(Qt.Orientation.Horizontal), "historySplitter")
        self.splitter.addWidget(history_box)
        self.splitter.addWidget(failures_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.historyTable.selectionModel().selectionChanged.connect(
            self._on_history_selection_changed
        )
        self.refreshButton.clicked.connect(self._on_refresh_button_clicked)
        self.resumeButton.clicked.connect(self._on_resume_button_clicked)
        self.copyButton.clicked.connect(self._on_copy_button_clicked)
        self.exportButton.clicked.connect(self._on_export_button_clicked)
        self.retryButton.clicked.connect(self._on_retry_button_clicked)
        self._retranslate()

    # --- Public interface --------------------------------------------------------------

    def refresh(self, select_id: str | None = None) -> None:
        """Reload the job list; keep (or move to ``select_id``) the selected job.

        The selected row counts, not the job whose details were last read: a refresh
        that comes before they arrive (a job starting) would otherwise drop them.
        """
        if select_id is None and (row_job := self._row_job()) is not None:
            select_id = row_job.id
        self._wanted_id = select_id
        job_log = self._job_log
        self._runner.submit(
            lambda: job_log().list_jobs(limit=HISTORY_LIMIT),
            self._on_jobs_loaded,
            self.loadFailed.emit,
        )

    def selected_job(self) -> JobRecord | None:
        """The job whose failures the grid shows."""
        return self._selected

    def select_job(self, job_id: str) -> bool:
        """Select ``job_id`` in the history grid if it is listed."""
        row = self.historyModel.row_of(job_id)
        if row < 0:
            return False
        self.historyTable.selectRow(row)
        return True

    def export_failures(self, path: str | Path) -> int:
        """Write the failures grid to ``path`` as CSV; returns the rows written."""
        return export_csv(path, self.failuresModel)

    def ask_export_path(self) -> str:
        """Ask where to save the CSV; a separate method so tests can answer it."""
        job = self._selected
        suggested = f"{job.id}_failed.csv" if job else "failed.csv"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export failed stocks"), suggested, self.tr("CSV files (*.csv)")
        )
        return path

    def retry_request(self) -> JobRequest | None:
        """A new job for exactly the failed stocks of the selected job."""
        job = self._selected
        codes = self.failuresModel.codes()
        if job is None or not codes:
            return None
        return JobRequest(
            start_date=job.start_date,
            end_date=job.end_date,
            adjustflag=job.adjustflag,
            universe="codes",
            codes=codes,
        )

    # --- Slots ---------------------------------------------------------------------------

    def _on_jobs_loaded(self, jobs: list[JobRecord]) -> None:
        self.historyModel.set_rows(jobs)
        wanted = self._wanted_id
        if wanted and self.select_job(wanted):
            return
        self._update_resume_button()
        if self._selected is not None:
            self._show_job(None)

    @Slot(QItemSelection, QItemSelection)
    def _on_history_selection_changed(self, *_selection: QItemSelection) -> None:
        self._update_resume_button()
        row_job = self._row_job()
        if row_job is None:
            self._show_job(None)
            return
        job_id = row_job.id
        self._wanted_id = job_id
        job_log = self._job_log
        self._runner.submit(
            lambda: job_log().get_job(job_id, with_failures=True),
            self._on_job_loaded,
            self.loadFailed.emit,
        )

    def _on_job_loaded(self, job: JobRecord | None) -> None:
        if job is None or job.id != self._wanted_id:
            return
        self._show_job(job)

    @Slot()
    def _on_refresh_button_clicked(self) -> None:
        self.refresh()

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        if not self.failuresTable.selectionModel().hasSelection():
            self.failuresTable.selectAll()
        self.failuresTable.copy_selection()

    @Slot()
    def _on_export_button_clicked(self) -> None:
        path = self.ask_export_path()
        if path:
            self.export_failures(path)

    @Slot()
    def _on_retry_button_clicked(self) -> None:
        request = self.retry_request()
        if request is not None:
            self.retryRequested.emit(request)

    @Slot()
    def _on_resume_button_clicked(self) -> None:
        job = self._row_job()
        if job is None or not is_resumable(job):
            return
        # The request is read in the pool like every other read; the stocks already done
        # are left out later by the collector, in the job's own thread.
        job_id, job_log = job.id, self._job_log
        self._runner.submit(
            lambda: resume_request(job_log(), job_id),
            self.resumeRequested.emit,
            self.loadFailed.emit,
        )

    # --- Internals ----------------------------------------------------------------------

    def _row_job(self) -> JobRecord | None:
        """The job of the selected history row as listed, before its failures are read.

        Resume acts on this one, not on :meth:`selected_job`, so it follows the selection
        at once instead of the job whose failures happened to load last.
        """
        rows = self.historyTable.selectionModel().selectedRows(COL_ID)
        return self.historyModel.row_at(rows[0].row()) if rows else None

    def _update_resume_button(self) -> None:
        """Enable Resume for a job with stocks left, and say in the tooltip why not else."""
        job = self._row_job()
        resumable = job is not None and is_resumable(job)
        if job is None:
            tip = self.tr("Select an interrupted, cancelled or failed job to continue it.")
        elif job.status is JobStatus.RUNNING:
            tip = self.tr("This job is still running.")
        elif not resumable:
            tip = self.tr("This job collected every stock; nothing is left to continue.")
        else:
            tip = self.tr("Start a new job with only the stocks this job has not done.")
        self.resumeButton.setEnabled(resumable)
        self.resumeButton.setToolTip(tip)

    def _show_job(self, job: JobRecord | None) -> None:
        self._selected = job
        failures = job.failed_details if job else []
        self.failuresModel.set_rows(failures)
        for button in (self.copyButton, self.exportButton, self.retryButton):
            button.setEnabled(bool(failures))
        self._show_failures_caption()

    def _show_failures_caption(self) -> None:
        job = self._selected
        if job is None:
            self.failuresLabel.setText(self.tr("Select a job to see its failed stocks."))
        else:
            self.failuresLabel.setText(
                self.tr("Failed stocks of {id}: {count}").format(
                    id=job.id, count=self.failuresModel.rowCount(QModelIndex())
                )
            )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self._historyLabel.setText(self.tr("Job history"))
        self.refreshButton.setText(self.tr("Refresh"))
        self.resumeButton.setText(self.tr("Resume"))
        self._update_resume_button()
        self.copyButton.setText(self.tr("Copy"))
        self.exportButton.setText(self.tr("Export CSV…"))
        self.retryButton.setText(self.tr("Retry failed"))
        self.historyModel.retranslate()
        self.failuresModel.retranslate()
        self._show_failures_caption()
