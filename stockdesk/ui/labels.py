"""Translated display names for the engine's status values.

The engine stores English identifiers (``success``, ``cancelled`` ...); the window shows
them in the user's language. Looked up at display time so a language switch applies at once.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from stockdesk.domain.values import ItemResult, ItemStatus, JobStatus


def item_status_text(status: str) -> str:
    """The display name of a stock's outcome."""
    texts: dict[str, str] = {
        ItemStatus.SUCCESS: QCoreApplication.translate("labels", "Succeeded"),
        ItemStatus.FAILED: QCoreApplication.translate("labels", "Failed"),
        ItemStatus.SKIPPED: QCoreApplication.translate("labels", "Skipped"),
    }
    return texts.get(status, str(status))


def frequency_text(frequency: str) -> str:
    """The display name of a bar frequency (``d``, ``w``, ``m``, ``5`` ... ``60``)."""
    texts: dict[str, str] = {
        "d": QCoreApplication.translate("labels", "Daily"),
        "w": QCoreApplication.translate("labels", "Weekly"),
        "m": QCoreApplication.translate("labels", "Monthly"),
        "5": QCoreApplication.translate("labels", "5 minutes"),
        "15": QCoreApplication.translate("labels", "15 minutes"),
        "30": QCoreApplication.translate("labels", "30 minutes"),
        "60": QCoreApplication.translate("labels", "60 minutes"),
    }
    return texts.get(frequency, frequency)


def item_name_text(item: ItemResult) -> str:
    """A stock's name in a job's tables; an update logs a stock once per frequency it
    extends, so an item not of daily bars names its frequency too."""
    if item.frequency == "d":
        return item.name
    return f"{item.name}（{frequency_text(item.frequency)}）"


def job_status_text(status: str) -> str:
    """The display name of a job's status."""
    texts: dict[str, str] = {
        JobStatus.RUNNING: QCoreApplication.translate("labels", "Running"),
        JobStatus.COMPLETED: QCoreApplication.translate("labels", "Completed"),
        JobStatus.FAILED: QCoreApplication.translate("labels", "Failed"),
        JobStatus.CANCELLED: QCoreApplication.translate("labels", "Cancelled"),
        JobStatus.INTERRUPTED: QCoreApplication.translate("labels", "Interrupted"),
    }
    return texts.get(status, str(status))


def format_seconds(seconds: float | None) -> str:
    """``H:MM:SS`` for elapsed time and ETA; ``--:--`` when unknown."""
    if seconds is None:
        return "--:--"
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def job_running_text() -> str:
    """The refusal of a second job (the wording of docs/contracts.md, in Chinese)."""
    return QCoreApplication.translate(
        "labels",
        "A collection job is already running; wait for it to finish before starting a new one.",
    )
