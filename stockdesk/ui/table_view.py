"""The table view every grid of the window uses: copy with Ctrl+C, sensible defaults."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from stockdesk.ui.csv_export import indexes_as_tsv


class TableView(QTableView):
    """A read-only grid whose selection copies to the clipboard as tab-separated text."""

    def __init__(self, parent: QWidget | None = None, *, objectName: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(objectName)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)

    def copy_selection(self) -> str:
        """Put the selected cells on the clipboard and return the text."""
        text = indexes_as_tsv(self.selectionModel().selectedIndexes())
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)
