"""What the user sees when something goes wrong: the crash dialog and the log folder.

The hooks in :mod:`stockdesk.logs` may run in any thread; a dialog may only be shown from
the GUI thread. :class:`CrashReporter` lives there and receives each report through a
signal, which Qt queues across threads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from stockdesk import config, logs


def log_folder() -> Path:
    """The folder of the log file in use (the user's log folder before logging starts)."""
    path = logs.log_file()
    return path.parent if path is not None else config.log_dir()


def open_log_folder() -> bool:
    """Show the log folder in the system's file manager; returns whether that worked."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class CrashReporter(QObject):
    """Shows each unhandled exception in a dialog that says where the log file is.

    Pass :meth:`report` to :func:`stockdesk.logs.install_crash_hooks`.

    Signals:
        crashed(str): internal; carries a report into the GUI thread.
        crashReported(str): in the GUI thread, before the dialog: the error's last line
            (``ZeroDivisionError: division by zero``), so running jobs can be failed
            while the dialog waits for the user.
    """

    crashed = Signal(str)
    crashReported = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._showing = False
        self.crashed.connect(self._on_crashed)

    def report(self, details: str) -> None:
        """Thread-safe: queue the dialog for the GUI thread."""
        self.crashed.emit(details)

    def show_dialog(self, details: str) -> None:
        """The modal dialog; a method of its own so tests can replace it."""
        path = logs.log_file() or log_folder()
        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(self.tr("StockDesk: unexpected error"))
        box.setText(
            self.tr(
                "StockDesk ran into an unexpected error. Collected stocks are kept; a running "
                "job was stopped and logged as failed, and can be resumed from the history. "
                "Please send the log file to support:\n{path}"
            ).format(path=path)
        )
        box.setDetailedText(details)
        folder = box.addButton(self.tr("Open Log Folder"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is folder:
            open_log_folder()

    @Slot(str)
    def _on_crashed(self, details: str) -> None:
        lines = details.strip().splitlines()
        self.crashReported.emit(lines[-1] if lines else "?")
        if self._showing:  # an error repeating in a timer must not stack up dialogs
            return
        self._showing = True
        try:
            self.show_dialog(details)
        finally:
            self._showing = False
