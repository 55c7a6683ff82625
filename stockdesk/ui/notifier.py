"""Telling a user who minimised the window that the job has ended."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget


class JobNotifier:
    """Shows a tray balloon when the desktop has a tray, else flashes the taskbar entry."""

    def __init__(self, window: QWidget) -> None:
        self._window = window
        self._tray: QSystemTrayIcon | None = None

    def notify(self, title: str, text: str) -> str:
        """Notify if the window is minimised; returns ``tray``, ``alert`` or ``none``."""
        if not self._window.isMinimized():
            return "none"
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self._window.windowIcon(), self._window)
            self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
            return "tray"
        QApplication.alert(self._window)
        return "alert"
