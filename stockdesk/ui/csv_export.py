"""Table contents as text: CSV files for Excel and tab-separated text for the clipboard."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt


def _text(model: QAbstractItemModel, row: int, column: int) -> str:
    value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value)


def header_texts(model: QAbstractItemModel, columns: Iterable[int]) -> list[str]:
    """The header titles of ``columns``, as shown."""
    return [
        str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
        for column in columns
    ]


def export_csv(path: str | Path, model: QAbstractItemModel) -> int:
    """Write every row of ``model`` with a header line to ``path``; returns the row count.

    UTF-8 with a byte-order mark: without it Excel reads the file as the local ANSI code
    page and shows Chinese names as mojibake.
    """
    columns = range(model.columnCount(QModelIndex()))
    rows = model.rowCount(QModelIndex())
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header_texts(model, columns))
        for row in range(rows):
            writer.writerow([_text(model, row, column) for column in columns])
    return rows


def indexes_as_tsv(indexes: Iterable[QModelIndex]) -> str:
    """Selected cells as tab-separated lines, one per row, in view order.

    A cell not selected inside the selection's bounding rows/columns is left empty so the
    text pastes into a spreadsheet in the same shape.
    """
    cells: dict[tuple[int, int], str] = {}
    for index in indexes:
        value = index.data(Qt.ItemDataRole.DisplayRole)
        cells[index.row(), index.column()] = "" if value is None else str(value)
    if not cells:
        return ""
    rows = sorted({row for row, _column in cells})
    columns = sorted({column for _row, column in cells})
    return "\n".join("\t".join(cells.get((row, column), "") for column in columns) for row in rows)
