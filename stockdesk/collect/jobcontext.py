"""What a collection strategy may use of the running job.

The collector plans a job and picks how to fetch it; the strategies (per stock, per date,
parallel sessions) do the fetching. They share this narrow view of the job instead of the
collector's internals, so each fits in a small module of its own.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Protocol

from stockdesk.collect.coverage import CoverageTracker
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.domain.values import ItemResult, JobRecord, JobRequest, Security

if TYPE_CHECKING:
    from stockdesk.db.barstore import BarStore
    from stockdesk.db.coverage import CoverageStore
    from stockdesk.db.joblog import JobLog


class JobContext(Protocol):
    """The running job as a strategy sees it."""

    request: JobRequest
    options: CollectOptions
    job: JobRecord
    store: BarStore
    coverage_store: CoverageStore
    coverage: CoverageTracker
    """The coverage of the job's stocks, kept as they complete."""
    joblog: JobLog
    listener: JobListener
    cancel: threading.Event
    total: int
    processed: int
    work_done: float | None
    """Share of the job done when finished stocks understate it (see ``Progress``)."""

    def span(self, security: Security) -> tuple[dt.date, dt.date]:
        """The range of days the job fetches of ``security`` (its own, for an update)."""

    def pause(self, seconds: float) -> None:
        """Back off before a retry; raises ``JobCancelled`` on cancel."""

    def check_cancel(self) -> None:
        """Raise ``JobCancelled`` if the user cancelled."""

    def count(self, item: ItemResult) -> None:
        """A stock is finished and logged: update the counters and tell the listener."""

    def report_progress(self, *, force: bool = False) -> None:
        """Tell the listener the counters (throttled unless forced)."""
