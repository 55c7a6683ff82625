"""Settings → Daily Update…: the time of the daily ``stockdesk update``, set or removed.

The schedule lives in the system's own scheduler (stockdesk/schedule), so it runs with the
window closed. Reading or changing it runs systemctl, crontab, launchctl or schtasks, which
can take a moment; every call goes through the window's BackgroundRunner and the answer
comes back to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Protocol

from PySide6.QtCore import QEvent, QTime, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from stockdesk.schedule.backend import Backend
from stockdesk.schedule.entry import ScheduleEntry
from stockdesk.ui.background import BackgroundRunner
from stockdesk.ui.naming import named

DEFAULT_TIME = QTime(18, 30)
"""baostock has the day's bars from about 17:30 on trading days."""


class ScheduleLike(Protocol):
    """What the dialog needs of :class:`stockdesk.schedule.backend.DailySchedule`."""

    @property
    def backend(self) -> Backend: ...

    def read(self) -> ScheduleEntry | None: ...

    def set(self, time: dt.time) -> ScheduleEntry: ...

    def remove(self) -> bool: ...


_Answer = tuple[ScheduleEntry | None, str, str]
"""What a background call hands back: the entry (None when none is set), the scheduler's
name and where the entry lives. The backend is asked in the pool thread: choosing it may
itself run systemctl."""


class ScheduleDialog(QDialog):
    """The daily update's time, with Set and Remove, and what the system holds now."""

    def __init__(
        self, schedule: ScheduleLike, runner: BackgroundRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleDialog")
        self._schedule = schedule
        self._runner = runner
        self._busy = False

        self.introLabel = QLabel()
        self.introLabel.setWordWrap(True)
        self._timeCaption = QLabel()
        self.timeEdit = named(QTimeEdit(DEFAULT_TIME), "scheduleTimeEdit")
        self.timeEdit.setDisplayFormat("HH:mm")
        self.setButton = named(QPushButton(), "scheduleSetButton")
        self.removeButton = named(QPushButton(), "scheduleRemoveButton")
        self.statusLabel = named(QLabel(), "scheduleStatusLabel")
        self.statusLabel.setWordWrap(True)
        self.statusLabel.setMinimumWidth(420)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)

        row = QHBoxLayout()
        row.addWidget(self._timeCaption)
        row.addWidget(self.timeEdit)
        row.addWidget(self.setButton)
        row.addWidget(self.removeButton)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.introLabel)
        layout.addLayout(row)
        layout.addWidget(self.statusLabel, 1)
        layout.addWidget(self.buttons)

        self.setButton.clicked.connect(self._on_set_button_clicked)
        self.removeButton.clicked.connect(self._on_remove_button_clicked)
        self.buttons.rejected.connect(self.reject)
        self._retranslate()

    # --- Public interface --------------------------------------------------------------

    def refresh(self) -> None:
        """Read the schedule the system holds (in the background) and show it."""
        self._start(self.tr("Reading the daily update…"), self._read)

    def is_busy(self) -> bool:
        """Whether a call to the system's scheduler is under way."""
        return self._busy

    # --- Events -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._busy:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # --- Slots ---------------------------------------------------------------------------

    @Slot()
    def _on_set_button_clicked(self) -> None:
        chosen = self.timeEdit.time()
        time = dt.time(chosen.hour(), chosen.minute())
        self._start(self.tr("Saving…"), partial(self._set, time))

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        self._start(self.tr("Removing…"), self._remove)

    # --- Internals (the underscore functions without a slot run in the pool) -------------

    def _read(self) -> _Answer:
        backend = self._schedule.backend
        return self._schedule.read(), backend.name, backend.location

    def _set(self, time: dt.time) -> _Answer:
        backend = self._schedule.backend
        return self._schedule.set(time), backend.name, backend.location

    def _remove(self) -> _Answer:
        backend = self._schedule.backend
        self._schedule.remove()
        return None, backend.name, backend.location

    def _start(self, text: str, work: Callable[[], _Answer]) -> None:
        self._set_busy(True)
        self.statusLabel.setText(text)
        self._runner.submit(work, self._show, self._show_error)

    def _show(self, answer: _Answer) -> None:
        entry, backend, location = answer
        self._set_busy(False)
        self.removeButton.setEnabled(entry is not None)
        if entry is None:
            self.statusLabel.setText(self.tr("No daily update is set."))
            return
        self.timeEdit.setTime(QTime(entry.time.hour, entry.time.minute))
        self.statusLabel.setText(
            self.tr("Every day at {time}, {scheduler} runs:\n{command}\n{where}\n{missed}").format(
                time=entry.clock,
                scheduler=self._scheduler_name(backend),
                command=entry.command_line(),
                where=self.tr("Entry: {location}").format(location=location),
                missed=self._missed_runs(backend),
            )
        )

    def _show_error(self, text: str) -> None:
        self._set_busy(False)
        self.statusLabel.setText(
            self.tr("The system's scheduler reported an error: {error}").format(error=text)
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.timeEdit, self.setButton, self.removeButton):
            widget.setEnabled(not busy)

    def _scheduler_name(self, backend: str) -> str:
        names = {
            "systemd": self.tr("the systemd user timer"),
            "crontab": self.tr("your crontab"),
            "launchd": self.tr("a launchd agent"),
            "schtasks": self.tr("Windows Task Scheduler"),
        }
        return names.get(backend, backend)

    def _missed_runs(self, backend: str) -> str:
        notes = {
            "systemd": self.tr(
                "A run missed while the computer was off runs at the next start or login."
            ),
            "crontab": self.tr("cron does not make up a run missed while the computer was off."),
            "launchd": self.tr(
                "A run missed while the Mac slept runs when it wakes (not one "
                "missed while it was off)."
            ),
            "schtasks": self.tr("A missed run starts as soon as possible afterwards."),
        }
        return notes.get(backend, "")

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Daily Update"))
        self.introLabel.setText(
            self.tr(
                "StockDesk can update the database every day at a set time through the "
                "system's own scheduler, also when this window is closed. The update uses this "
                "window's database and server; its result is written to the log, and the "
                "window reports it at its next start."
            )
        )
        self._timeCaption.setText(self.tr("Time:"))
        self.setButton.setText(self.tr("&Set"))
        self.removeButton.setText(self.tr("&Remove"))
