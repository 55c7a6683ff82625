"""The window's look: the platform style, a style that can go dark, and a small sheet.

Windows' classic "windowsvista" style ignores a dark system theme and paints light widgets
on a dark palette; Fusion follows the system's colour scheme there as it does on Linux.
The sheet (resources/style/stockdesk.qss) uses palette roles only, never fixed colours.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication

from stockdesk.ui.resources import resources_dir

log = logging.getLogger(__name__)

STYLES_WITHOUT_DARK = {"windowsvista", "windows"}


def apply_style(app: QApplication) -> None:
    """Use a style that follows the light/dark theme and add StockDesk's style sheet."""
    if app.style().name().lower() in STYLES_WITHOUT_DARK:  # Fusion is built into QtWidgets
        app.setStyle("Fusion")
    sheet = resources_dir() / "style" / "stockdesk.qss"
    try:
        app.setStyleSheet(sheet.read_text(encoding="utf-8"))
    except OSError as error:  # a missing sheet costs looks, not the window
        log.warning("no style sheet: %s", error)
