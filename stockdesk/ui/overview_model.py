"""Every stored security, one row each, sorted and filtered inside the model.

As in :mod:`stockdesk.ui.results_model`, no QSortFilterProxyModel: a proxy calls back
into Python for every comparison. 5,000 rows are sorted here with one key per row and
filtered with one substring test per row (code, name, pinyin initials computed when the
rows were read), a few milliseconds each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt

from stockdesk.data.overview import SecurityOverview
from stockdesk.domain.frequency import FREQUENCIES
from stockdesk.ui.labels import frequency_text
from stockdesk.ui.rows_model import RowsModel

COL_CODE = 0
COL_NAME = 1
COL_TYPE = 2
COL_FIRST = 3
COL_LAST = 4
COL_ROWS = 5
COL_MISSING = 6
COL_EVENT = 7
COL_FREQUENCIES = 8

_NO_DATE = dt.date.min


def type_text(kind: str) -> str:
    """baostock's security type in words."""
    texts = {
        "1": QCoreApplication.translate("OverviewModel", "Stock"),
        "2": QCoreApplication.translate("OverviewModel", "Index"),
        "3": QCoreApplication.translate("OverviewModel", "Other"),
        "4": QCoreApplication.translate("OverviewModel", "Convertible bond"),
        "5": QCoreApplication.translate("OverviewModel", "ETF"),
    }
    return texts.get(kind, kind)


def _sort_key(row: SecurityOverview, column: int) -> Any:
    if column == COL_NAME:
        return (row.initials, row.name)
    if column == COL_TYPE:
        return row.type
    if column == COL_FIRST:
        return row.first_day or _NO_DATE
    if column == COL_LAST:
        return row.last_day or _NO_DATE
    if column == COL_ROWS:
        return -1 if row.rows is None else row.rows
    if column == COL_MISSING:
        return -1 if row.missing_days is None else row.missing_days
    if column == COL_EVENT:
        return row.last_event or _NO_DATE
    if column == COL_FREQUENCIES:
        return [FREQUENCIES.index(frequency) for frequency in row.frequencies]
    return row.code


class OverviewModel(RowsModel[SecurityOverview]):
    """The securities that pass the search, in the chosen order."""

    numeric_columns = (COL_ROWS, COL_MISSING)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[SecurityOverview] = []
        self._needle = ""
        self._column = COL_CODE
        self._order = Qt.SortOrder.AscendingOrder

    def headers(self) -> Sequence[str]:
        return (
            self.tr("Code"),
            self.tr("Name"),
            self.tr("Type"),
            self.tr("First day"),
            self.tr("Last day"),
            self.tr("Rows"),
            self.tr("Missing days"),
            self.tr("Last factor event"),
            self.tr("Frequencies"),
        )

    def cell(self, row: SecurityOverview, column: int) -> Any:
        if column == COL_CODE:
            return row.code
        if column == COL_NAME:
            return row.name
        if column == COL_TYPE:
            return type_text(row.type)
        if column == COL_FIRST:
            return row.first_day.isoformat() if row.first_day else ""
        if column == COL_LAST:
            return row.last_day.isoformat() if row.last_day else ""
        if column == COL_ROWS:
            return "" if row.rows is None else row.rows
        if column == COL_MISSING:
            return "" if row.missing_days is None else row.missing_days
        if column == COL_EVENT:
            return row.last_event.isoformat() if row.last_event else ""
        if column == COL_FREQUENCIES:
            return ", ".join(frequency_text(frequency) for frequency in row.frequencies)
        return None

    def set_rows(self, rows: Iterable[SecurityOverview]) -> None:
        """Replace every security; the search and the order stay."""
        self._all = list(rows)
        self._apply()

    def set_initials(self, rows: Iterable[SecurityOverview]) -> None:
        """The same securities again, with their pinyin initials: a search or an order by
        name is applied anew, otherwise the rows shown stay as they are."""
        by_code = {row.code: row for row in rows}
        self._all = [by_code.get(row.code, row) for row in self._all]
        if self._needle or self._column == COL_NAME:
            self._apply()
        else:
            self._rows = [by_code.get(row.code, row) for row in self._rows]

    def all_count(self) -> int:
        """Securities loaded, whether or not the search shows them."""
        return len(self._all)

    def set_filter(self, text: str) -> None:
        """Show only the securities whose code, name or pinyin initials contain ``text``
        (case-insensitive)."""
        needle = text.strip().lower()
        if needle != self._needle:
            self._needle = needle
            self._apply()

    def security(self, code: str) -> SecurityOverview | None:
        """The loaded security ``code``, whether or not the search shows it."""
        return next((row for row in self._all if row.code == code), None)

    def row_of(self, code: str) -> int:
        """The view row of ``code``, or -1 when it is not shown."""
        for number, row in enumerate(self._rows):
            if row.code == code:
                return number
        return -1

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._column, self._order = column, order
        self._apply()

    def _apply(self) -> None:
        needle = self._needle
        shown = [row for row in self._all if row.matches(needle)] if needle else list(self._all)
        column = self._column
        shown.sort(
            key=lambda row: _sort_key(row, column),
            reverse=self._order == Qt.SortOrder.DescendingOrder,
        )
        self.beginResetModel()
        self._rows = shown
        self.endResetModel()
