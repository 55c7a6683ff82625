"""Where the window's files (icons, translations) are, from a checkout or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    """``resources/`` of the source checkout, or of the PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def app_icon() -> QIcon:
    """The application icon (window, taskbar and tray notification)."""
    return QIcon(str(resources_dir() / "icons" / "stockdesk.svg"))
