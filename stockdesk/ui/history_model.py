"""Every job of the job log, newest first, as the history panel lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stockdesk.domain.values import JobRecord
from stockdesk.ui.labels import format_seconds, job_status_text
from stockdesk.ui.rows_model import RowsModel

COL_ID = 0
COL_STATUS = 1
COL_RANGE = 2
COL_TOTAL = 3
COL_SUCCESS = 4
COL_FAILED = 5
COL_SKIPPED = 6
COL_ROWS = 7
COL_START = 8
COL_END = 9
COL_DURATION = 10
COL_RESUMES = 11
"""The job this one continues (Resume), so a chain of resumed jobs can be followed."""

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class HistoryModel(RowsModel[JobRecord]):
    """One row per job; the ID column is the job log's ID string, unchanged."""

    numeric_columns = (COL_TOTAL, COL_SUCCESS, COL_FAILED, COL_SKIPPED, COL_ROWS)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("Task ID"),
            self.tr("Status"),
            self.tr("Date range"),
            self.tr("Stocks"),
            self.tr("Succeeded"),
            self.tr("Failed"),
            self.tr("Skipped"),
            self.tr("Rows"),
            self.tr("Started"),
            self.tr("Ended"),
            self.tr("Duration"),
            self.tr("Continues"),
        )

    def cell(self, row: JobRecord, column: int) -> Any:
        if column == COL_ID:
            return row.id
        if column == COL_STATUS:
            return job_status_text(row.status)
        if column == COL_RANGE:
            return f"{row.start_date:%Y-%m-%d} ~ {row.end_date:%Y-%m-%d}"
        if column == COL_START:
            return row.start_time.strftime(_TIME_FORMAT)
        if column == COL_END:
            return row.end_time.strftime(_TIME_FORMAT) if row.end_time else ""
        if column == COL_DURATION:
            duration = row.duration
            return format_seconds(duration.total_seconds()) if duration else ""
        if column == COL_RESUMES:
            return row.resumes or ""
        counts = {
            COL_TOTAL: row.total_stocks,
            COL_SUCCESS: row.success_count,
            COL_FAILED: row.failed_count,
            COL_SKIPPED: row.skipped_count,
            COL_ROWS: row.collected_count,
        }
        return counts[column]

    def row_of(self, job_id: str) -> int:
        """The row showing ``job_id``, -1 if the list does not hold it."""
        for row, job in enumerate(self._rows):
            if job.id == job_id:
                return row
        return -1
