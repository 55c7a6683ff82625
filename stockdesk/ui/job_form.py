"""The request part of the window: date range, universe, adjust type, Start and Cancel."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from stockdesk.domain.codes import split_codes
from stockdesk.domain.errors import InputError
from stockdesk.domain.frequency import FREQUENCIES, check_frequency
from stockdesk.domain.request import update_request
from stockdesk.domain.values import AdjustFlag, JobRequest
from stockdesk.ui.dates import default_range
from stockdesk.ui.labels import frequency_text
from stockdesk.ui.naming import named

UNIVERSES = ("all", "hs300", "sz50", "zz500", "index", "codes")
ADJUST_FLAGS = (AdjustFlag.NONE, AdjustFlag.FORWARD, AdjustFlag.BACKWARD)
_DATE_FORMAT = "yyyy-MM-dd"


def to_qdate(day: dt.date) -> QDate:
    """``day`` as a QDate (PySide6 converts a date itself, but its stubs do not say so)."""
    return QDate(day.year, day.month, day.day)


def to_date(day: QDate) -> dt.date:
    """A valid QDate as a date (what ``QDate.toPython()`` returns, typed)."""
    return dt.date(day.year(), day.month(), day.day())


class InvalidRequest(ValueError):
    """The form does not describe a job yet; ``str()`` is the message for the user."""


class JobForm(QGroupBox):
    """Collects what a job should fetch and builds the :class:`JobRequest`.

    Signals:
        startClicked: the user pressed Start.
        updateClicked: the user pressed Update (bring the database to the last trading day).
        cancelClicked: the user pressed Cancel.
    """

    startClicked = Signal()
    updateClicked = Signal()
    cancelClicked = Signal()

    def __init__(self, now: dt.datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self.startDateEdit = self._date_edit("startDateEdit")
        self.endDateEdit = self._date_edit("endDateEdit")
        self.universeCombo = named(QComboBox(), "universeCombo")
        for universe in UNIVERSES:
            self.universeCombo.addItem("", universe)
        self.codesEdit = named(QPlainTextEdit(), "codesEdit")
        self.codesEdit.setMaximumHeight(60)
        self.adjustCombo = named(QComboBox(), "adjustCombo")
        for flag in ADJUST_FLAGS:
            self.adjustCombo.addItem("", str(flag))
        self.frequencyCombo = named(QComboBox(), "frequencyCombo")
        for frequency in FREQUENCIES:
            self.frequencyCombo.addItem("", frequency)
        self.startButton = named(QPushButton(), "startButton")
        self.startButton.setDefault(True)
        self.updateButton = named(QPushButton(), "updateButton")
        self.cancelButton = named(QPushButton(), "cancelButton")
        self.cancelButton.setEnabled(False)

        dates = QHBoxLayout()
        dates.addWidget(self.startDateEdit)
        self._toLabel = QLabel()
        dates.addWidget(self._toLabel)
        dates.addWidget(self.endDateEdit)
        dates.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.startButton)
        buttons.addWidget(self.updateButton)
        buttons.addWidget(self.cancelButton)
        buttons.addStretch(1)
        self._rowLabels = [QLabel() for _ in range(5)]
        fields: tuple[QLayout | QWidget, ...] = (
            dates,
            self.universeCombo,
            self.codesEdit,
            self.adjustCombo,
            self.frequencyCombo,
        )
        layout = QFormLayout(self)
        for label, field in zip(self._rowLabels, fields, strict=True):
            layout.addRow(label, field)
        layout.addRow(buttons)

        self.universeCombo.currentIndexChanged.connect(self._on_universe_changed)
        self.startButton.clicked.connect(self.startClicked)
        self.updateButton.clicked.connect(self.updateClicked)
        self.cancelButton.clicked.connect(self.cancelClicked)
        self.reset_dates()
        self._on_universe_changed()
        self._retranslate()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = named(QDateEdit(), name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(_DATE_FORMAT)
        edit.setMinimumDate(QDate(1990, 12, 19))
        edit.setMaximumDate(to_qdate(self._now.date()))
        return edit

    def reset_dates(self) -> None:
        """Propose the default range: this year up to the last finished trading day."""
        start, end = default_range(self._now)
        self.startDateEdit.setDate(to_qdate(start))
        self.endDateEdit.setDate(to_qdate(end))

    def set_running(self, running: bool) -> None:
        """Enable Cancel while a job runs; Start and Update stay enabled so a second press
        is answered."""
        self.cancelButton.setEnabled(running)

    def build_request(self) -> JobRequest:
        """The request the form describes.

        Raises:
            InvalidRequest: the dates are reversed, the pasted codes are missing or bad, or
                the frequency cannot be served for them (the engine's own message).
        """
        start = to_date(self.startDateEdit.date())
        end = to_date(self.endDateEdit.date())
        if start > end:
            raise InvalidRequest(self.tr("The start date is after the end date."))
        universe = self.universeCombo.currentData()
        adjust = AdjustFlag(self.adjustCombo.currentData())
        codes: tuple[str, ...] = ()
        if universe == "codes":
            # The engine's reading, so the window accepts what the command line accepts;
            # the refusal is worded here, in the user's language.
            parsed = split_codes(self.codesEdit.toPlainText())
            if parsed.invalid:
                raise InvalidRequest(
                    self.tr(
                        "Not valid stock codes: {codes}. Use codes such as sh.600000, "
                        "sz.000001, 600000 or 600000.SH."
                    ).format(codes=", ".join(parsed.invalid))
                )
            if not parsed.codes:
                raise InvalidRequest(self.tr("Paste at least one stock code."))
            codes = parsed.codes
        frequency = self.frequencyCombo.currentData()
        try:
            check_frequency(frequency, start=start, universe=universe, codes=codes)
        except InputError as error:
            raise InvalidRequest(str(error)) from None
        return JobRequest(
            start_date=start,
            end_date=end,
            adjustflag=adjust,
            universe=universe,
            codes=codes,
            frequency=frequency,
        )

    def update_request(self) -> JobRequest:
        """The request of an update: the collector finds its stocks and range."""
        return update_request(self._now.date())

    def save_state(self, settings: QSettings) -> None:
        """Remember the inputs; the end date only if the user moved it off the default."""
        settings.setValue("form/start", self.startDateEdit.date().toString(_DATE_FORMAT))
        _start, default_end = default_range(self._now)
        end = to_date(self.endDateEdit.date())
        settings.setValue("form/end", "" if end == default_end else end.isoformat())
        settings.setValue("form/universe", self.universeCombo.currentData())
        settings.setValue("form/codes", self.codesEdit.toPlainText())
        settings.setValue("form/adjust", self.adjustCombo.currentData())
        settings.setValue("form/frequency", self.frequencyCombo.currentData())

    def restore_state(self, settings: QSettings) -> None:
        """Restore the inputs of the last session; a stale default end date is renewed."""
        for key, edit in (("form/start", self.startDateEdit), ("form/end", self.endDateEdit)):
            text = str(settings.value(key, "") or "")
            date = QDate.fromString(text, _DATE_FORMAT)
            if date.isValid():
                edit.setDate(date)
        combos = (
            ("form/universe", self.universeCombo),
            ("form/adjust", self.adjustCombo),
            ("form/frequency", self.frequencyCombo),
        )
        for key, combo in combos:
            index = combo.findData(settings.value(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        self.codesEdit.setPlainText(str(settings.value("form/codes", "") or ""))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _on_universe_changed(self) -> None:
        self.codesEdit.setEnabled(self.universeCombo.currentData() == "codes")

    def _retranslate(self) -> None:
        self.setTitle(self.tr("Collection"))
        row_texts = (
            self.tr("Dates"),
            self.tr("Stocks"),
            self.tr("Codes"),
            self.tr("Prices"),
            self.tr("Bars"),
        )
        for label, text in zip(self._rowLabels, row_texts, strict=True):
            label.setText(text)
        self._toLabel.setText(self.tr("to"))
        universe_texts = (
            self.tr("All A-shares"),
            self.tr("CSI 300 (HS300)"),
            self.tr("SSE 50 (SZ50)"),
            self.tr("CSI 500 (ZZ500)"),
            self.tr("Indices"),
            self.tr("Pasted codes"),
        )
        for index, text in enumerate(universe_texts):
            self.universeCombo.setItemText(index, text)
        adjust_texts = (
            self.tr("Unadjusted"),
            self.tr("Forward adjusted"),
            self.tr("Backward adjusted"),
        )
        for index, text in enumerate(adjust_texts):
            self.adjustCombo.setItemText(index, text)
        for index, frequency in enumerate(FREQUENCIES):
            self.frequencyCombo.setItemText(index, frequency_text(frequency))
        self.codesEdit.setPlaceholderText(
            self.tr("Codes separated by spaces, commas or new lines, e.g. sh.600000 000001.SZ")
        )
        self.startButton.setText(self.tr("Start"))
        self.updateButton.setText(self.tr("Update"))
        self.updateButton.setToolTip(
            self.tr("Bring every stored stock to the last trading day the server has")
        )
        self.cancelButton.setText(self.tr("Cancel"))
