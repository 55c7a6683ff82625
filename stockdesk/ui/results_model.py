"""The per-stock results of the running job, one row per stock.

Sorting and filtering happen inside the model, not in a QSortFilterProxyModel: a proxy calls
back into Python for every comparison, which stalls the window with thousands of rows
(docs/architecture.md, "Measured"). The model keeps the visible rows sorted ascending by a
key and, for a descending sort, simply reads them back to front; a streamed-in stock is
placed with a binary search, so rows keep arriving in order while the user has the table
sorted.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from stockdesk.domain.values import ItemResult, ItemStatus
from stockdesk.ui.labels import item_name_text, item_status_text

COL_CODE = 0
COL_NAME = 1
COL_STATUS = 2
COL_ROWS = 3
COL_ATTEMPTS = 4
COL_ERROR = 5
COLUMN_COUNT = 6

_NUMERIC = (COL_ROWS, COL_ATTEMPTS)
_FAILED_BRUSH = QBrush(QColor(190, 30, 30))

Index = QModelIndex | QPersistentModelIndex


def error_text(item: ItemResult) -> str:
    """The error column: baostock's code in brackets before the message, as users quote it."""
    if not item.error_message and not item.error_code:
        return ""
    if item.error_code:
        return f"[{item.error_code}] {item.error_message or ''}".rstrip()
    return item.error_message or ""


def _sort_value(item: ItemResult, column: int) -> Any:
    if column == COL_CODE:
        return item.code
    if column == COL_NAME:
        return item_name_text(item)
    if column == COL_STATUS:
        return str(item.status)
    if column == COL_ROWS:
        return item.rows
    if column == COL_ATTEMPTS:
        return item.attempts
    if column == COL_ERROR:
        return error_text(item)
    return 0


class ResultsModel(QAbstractTableModel):
    """Rows of :class:`ItemResult`, filterable by status and sortable by any column.

    Ties keep arrival order, and with no sort column (-1) the rows are in arrival order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ItemResult] = []
        self._keys: list[tuple[Any, int]] = []
        self._visible: list[ItemResult] = []
        self._sort_column = -1
        self._order = Qt.SortOrder.AscendingOrder
        self._status_filter: ItemStatus | None = None

    # --- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (
            self.tr("Code"),
            self.tr("Name"),
            self.tr("Status"),
            self.tr("Rows"),
            self.tr("Attempts"),
            self.tr("Error"),
        )
        return headers[section] if 0 <= section < COLUMN_COUNT else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        item = self.item_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_ERROR:
            return error_text(item) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and item.status == ItemStatus.FAILED:
            return _FAILED_BRUSH
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: arrival order); called by the view's header."""
        self.beginResetModel()
        self._sort_column = column if 0 <= column < COLUMN_COUNT else -1
        self._order = order
        self._rebuild()
        self.endResetModel()

    # --- Our interface ------------------------------------------------------------------

    def set_rows(self, items: Iterable[ItemResult]) -> None:
        """Replace every row (an empty list clears the table for a new job)."""
        self.beginResetModel()
        self._items = list(items)
        self._rebuild()
        self.endResetModel()

    def add_items(self, items: Iterable[ItemResult]) -> None:
        """Append streamed-in results, each placed where the current sort puts it."""
        fresh: list[tuple[tuple[Any, int], ItemResult]] = []
        for item in items:
            seq = len(self._items)
            self._items.append(item)
            if self._matches(item):
                fresh.append((self._key(item, seq), item))
        if not fresh:
            return
        fresh.sort(key=lambda pair: pair[0])
        if not self._keys or fresh[0][0] > self._keys[-1]:
            self._append_block(fresh)
        else:
            for key, item in fresh:
                self._insert_one(key, item)

    def set_status_filter(self, status: ItemStatus | None) -> None:
        """Show only the stocks with ``status``; None shows all."""
        self.beginResetModel()
        self._status_filter = status
        self._rebuild()
        self.endResetModel()

    def item_at(self, row: int) -> ItemResult:
        """The result shown in view row ``row``."""
        if self._order == Qt.SortOrder.DescendingOrder:
            return self._visible[len(self._visible) - 1 - row]
        return self._visible[row]

    def retranslate(self) -> None:
        """Tell views the header titles and status texts changed after a language switch."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)
        if self._visible:
            self.dataChanged.emit(
                self.index(0, COL_STATUS), self.index(len(self._visible) - 1, COL_STATUS)
            )

    def total_count(self) -> int:
        """All results received, whatever the filter."""
        return len(self._items)

    # --- Internals ----------------------------------------------------------------------

    def _display(self, item: ItemResult, column: int) -> Any:
        if column == COL_STATUS:
            return item_status_text(item.status)
        if column == COL_ERROR:
            return error_text(item)
        return _sort_value(item, column)

    def _matches(self, item: ItemResult) -> bool:
        return self._status_filter is None or item.status == self._status_filter

    def _key(self, item: ItemResult, seq: int) -> tuple[Any, int]:
        return (_sort_value(item, self._sort_column), seq)

    def _rebuild(self) -> None:
        pairs = sorted(
            (self._key(item, seq), item)
            for seq, item in enumerate(self._items)
            if self._matches(item)
        )
        self._keys = [key for key, _item in pairs]
        self._visible = [item for _key, item in pairs]

    def _append_block(self, fresh: list[tuple[tuple[Any, int], ItemResult]]) -> None:
        start = len(self._visible)
        count = len(fresh)
        if self._order == Qt.SortOrder.DescendingOrder:
            self.beginInsertRows(QModelIndex(), 0, count - 1)
        else:
            self.beginInsertRows(QModelIndex(), start, start + count - 1)
        self._keys.extend(key for key, _item in fresh)
        self._visible.extend(item for _key, item in fresh)
        self.endInsertRows()

    def _insert_one(self, key: tuple[Any, int], item: ItemResult) -> None:
        position = bisect.bisect(self._keys, key)
        row = position
        if self._order == Qt.SortOrder.DescendingOrder:
            row = len(self._keys) - position
        self.beginInsertRows(QModelIndex(), row, row)
        self._keys.insert(position, key)
        self._visible.insert(position, item)
        self.endInsertRows()
