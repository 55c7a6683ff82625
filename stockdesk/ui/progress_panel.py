"""The running job at a glance: task ID, progress bar, counts, elapsed time and ETA."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from stockdesk.domain.values import Progress
from stockdesk.ui.labels import format_seconds
from stockdesk.ui.naming import named


class ProgressPanel(QWidget):
    """Shows the counters of the running (or last) job.

    The task ID label is selectable and has a copy button: users paste it into the command
    line (``stockdesk jobs show ID``) and into support requests.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskIdLabel = named(QLabel(), "taskIdLabel")
        self.taskIdLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copyTaskIdButton = named(QPushButton(), "copyTaskIdButton")
        self.copyTaskIdButton.setEnabled(False)
        self.progressBar = named(QProgressBar(), "progressBar")
        self.progressBar.setRange(0, 1)
        self.progressBar.setValue(0)
        self.progressBar.setFormat("%v / %m")
        self.successLabel = named(QLabel("0"), "successLabel")
        self.failedLabel = named(QLabel("0"), "failedLabel")
        self.skippedLabel = named(QLabel("0"), "skippedLabel")
        self.rowsLabel = named(QLabel("0"), "rowsLabel")
        self.elapsedLabel = named(QLabel(format_seconds(0)), "elapsedLabel")
        self.etaLabel = named(QLabel(format_seconds(None)), "etaLabel")
        self._captions = [QLabel() for _ in range(7)]

        id_row = QHBoxLayout()
        id_row.addWidget(self._captions[0])
        id_row.addWidget(self.taskIdLabel, 1)
        id_row.addWidget(self.copyTaskIdButton)
        counts = QGridLayout()
        values = (
            self.successLabel,
            self.failedLabel,
            self.skippedLabel,
            self.rowsLabel,
            self.elapsedLabel,
            self.etaLabel,
        )
        for column, (caption, value) in enumerate(zip(self._captions[1:], values, strict=True)):
            counts.addWidget(caption, 0, column * 2)
            counts.addWidget(value, 0, column * 2 + 1)
        counts.setColumnStretch(len(values) * 2, 1)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(id_row, 0, 0)
        layout.addWidget(self.progressBar, 1, 0)
        layout.addLayout(counts, 2, 0)
        layout.setRowStretch(3, 1)

        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self.copyTaskIdButton.clicked.connect(self.copy_task_id)
        self._retranslate()

    def task_id(self) -> str:
        """The task ID shown, empty before the first job."""
        return self.taskIdLabel.text()

    def start_job(self) -> None:
        """Clear the counters for a job that is about to start."""
        self.taskIdLabel.clear()
        self.copyTaskIdButton.setEnabled(False)
        self.progressBar.setRange(0, 0)
        for label in (self.successLabel, self.failedLabel, self.skippedLabel, self.rowsLabel):
            label.setText("0")
        self.etaLabel.setText(format_seconds(None))
        self._clock.start()
        self._show_elapsed()
        self._ticker.start()

    def set_task_id(self, job_id: str) -> None:
        """Show the task ID the job log assigned."""
        self.taskIdLabel.setText(job_id)
        self.copyTaskIdButton.setEnabled(bool(job_id))

    def set_total(self, total: int) -> None:
        """The plan is known: the bar becomes determinate."""
        self.progressBar.setRange(0, max(total, 1))
        self.progressBar.setValue(0)

    def show_progress(self, progress: Progress) -> None:
        """Update the bar and counters from a snapshot."""
        self.progressBar.setRange(0, max(progress.total, 1))
        self.progressBar.setValue(round(progress.fraction * max(progress.total, 1)))
        self.successLabel.setText(f"{progress.success:,}")
        self.failedLabel.setText(f"{progress.failed:,}")
        self.skippedLabel.setText(f"{progress.skipped:,}")
        self.rowsLabel.setText(f"{progress.rows:,}")
        self.etaLabel.setText(format_seconds(progress.eta))

    def finish_job(self, processed: int, total: int) -> None:
        """Freeze the counters at the job's end."""
        self._ticker.stop()
        self._show_elapsed()
        self.progressBar.setRange(0, max(total, 1))
        self.progressBar.setValue(processed)
        self.etaLabel.setText(format_seconds(None))

    @Slot()
    def copy_task_id(self) -> None:
        """Put the task ID on the clipboard."""
        if self.task_id():
            QGuiApplication.clipboard().setText(self.task_id())

    @Slot()
    def _on_ticker_timeout(self) -> None:
        self._show_elapsed()

    def _show_elapsed(self) -> None:
        self.elapsedLabel.setText(format_seconds(self._clock.elapsed() / 1000))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        texts = (
            self.tr("Task ID:"),
            self.tr("Succeeded:"),
            self.tr("Failed:"),
            self.tr("Skipped:"),
            self.tr("Rows:"),
            self.tr("Elapsed:"),
            self.tr("ETA:"),
        )
        for caption, text in zip(self._captions, texts, strict=True):
            caption.setText(text)
        self.copyTaskIdButton.setText(self.tr("Copy ID"))
