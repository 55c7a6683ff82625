"""How a running job reports to whoever drives it (the command line or the Qt worker)."""

from __future__ import annotations

from stockdesk.domain.values import ItemResult, JobRecord, Progress


class JobListener:
    """Receives a job's events, in the collector's thread, in this order.

    ``job_started`` once, then ``item_finished`` once per stock (success, failure or skip)
    interleaved with ``progress``, and the job's final record is what ``Collector.run``
    returns. The base class ignores everything, so a listener overrides what it needs.
    Callbacks must be quick: the Qt worker batches items before it emits a signal.
    """

    def job_started(self, job: JobRecord) -> None:
        """The job is in the log under ``job.id``; ``job.total_stocks`` may still be 0."""

    def plan_ready(self, job: JobRecord) -> None:
        """The universe is known: ``job.total_stocks`` and ``job.strategy`` are set."""

    def item_finished(self, item: ItemResult) -> None:
        """One stock is done and, if it succeeded, its rows are committed."""

    def progress(self, progress: Progress) -> None:
        """Counters changed; sent at most every few hundred milliseconds."""

    def message(self, text: str) -> None:
        """A line worth showing the user (login, retry, reconnect ...)."""
