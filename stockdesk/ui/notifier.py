"""Telling a user who minimised the window that the job has ended."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget


class JobNotifier(QObject):
    """Shows a tray balloon when the desktop has a tray, else flashes the taskbar entry.

    A child of the window it speaks for (reached through ``parent()``, so it holds no
    Python reference back to the window).
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._tray: QSystemTrayIcon | None = None

    def notify(self, title: str, text: str) -> str:
        """Notify if the window is minimised; returns ``tray``, ``alert`` or ``none``."""
        window = self.parent()
        if not isinstance(window, QWidget) or not window.isMinimized():
            return "none"
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(window.windowIcon(), self)
            self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
            return "tray"
        QApplication.alert(window)
        return "alert"
