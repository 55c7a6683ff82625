"""The collector: plan the universe, fetch each stock, store it, log the job.

The same collector serves the window and the command line; it knows nothing about Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from stockdesk.core.domain import JobRecord, JobRequest
from stockdesk.core.listener import JobListener


@dataclass(frozen=True, slots=True)
class CollectOptions:
    """Knobs of a collection run; the defaults are polite to the public server."""

    server: str | None = None
    """``HOST:PORT`` of the baostock server; None means the public one."""
    timeout: float = 10.0
    """Seconds any single request may take before it counts as failed."""
    retries: int = 3
    """Attempts per stock before it is recorded as failed."""
    backoff: float = 0.5
    """First pause between attempts, doubled each time."""


class Collector:
    """Runs collection jobs against one database."""

    def __init__(self, database, options: CollectOptions | None = None) -> None:
        self._database = database
        self._options = options or CollectOptions()

    def run(
        self,
        request: JobRequest,
        *,
        listener: JobListener | None = None,
        cancel: threading.Event | None = None,
        thread_id: int | None = None,
    ) -> JobRecord:
        """Run one job to its end and return its final record.

        Raises:
            JobRunningError: another job is running on the same database (nothing logged).
            InputError: the request cannot be planned (unknown codes ...).
        Any other failure (login refused, database unusable) ends the job as ``failed``
        with a user-facing ``error_message``; it is returned, not raised.
        """
        raise NotImplementedError


CancelCheck = Callable[[], bool]
