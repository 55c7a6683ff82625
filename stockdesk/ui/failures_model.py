"""The failed stocks of the job selected in the history panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stockdesk.domain.values import ItemResult
from stockdesk.ui.labels import item_name_text
from stockdesk.ui.rows_model import RowsModel

COL_CODE = 0
COL_NAME = 1
COL_ERROR_CODE = 2
COL_MESSAGE = 3
COL_ATTEMPTS = 4
COL_TIME = 5


class FailuresModel(RowsModel[ItemResult]):
    """One row per failed stock: code, name, error code, message, attempts, time."""

    numeric_columns = (COL_ATTEMPTS,)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("Code"),
            self.tr("Name"),
            self.tr("Error code"),
            self.tr("Message"),
            self.tr("Attempts"),
            self.tr("Time"),
        )

    def cell(self, row: ItemResult, column: int) -> Any:
        values = (
            row.code,
            item_name_text(row),
            row.error_code or "",
            row.error_message or "",
            row.attempts,
            row.finished_at.strftime("%Y-%m-%d %H:%M:%S") if row.finished_at else "",
        )
        return values[column]

    def codes(self) -> tuple[str, ...]:
        """The failed stocks' codes, for "Retry failed"."""
        return tuple(row.code for row in self._rows)
