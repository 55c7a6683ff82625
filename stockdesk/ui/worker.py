"""The QObject that runs one collection job in its own QThread.

The collector knows nothing about Qt; this worker adapts its listener callbacks to signals.
Per-stock results leave the thread in batches (see :mod:`stockdesk.ui.batcher`): one
signal per stock would flood the GUI's event queue with 5,000 events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from stockdesk.collect.listener import JobListener
from stockdesk.domain.errors import JobRunningError, StockDeskError
from stockdesk.domain.values import ItemResult, JobRecord, JobRequest, JobStatus, Progress
from stockdesk.ui.batcher import ItemBuffer

log = logging.getLogger(__name__)


class CollectorLike(Protocol):
    """What the worker needs of :class:`stockdesk.collect.collector.Collector`."""

    def run(
        self,
        request: JobRequest,
        *,
        listener: JobListener | None = None,
        cancel: threading.Event | None = None,
        thread_id: int | None = None,
    ) -> JobRecord: ...


CollectorFactory = Callable[[], CollectorLike]
"""Builds the collector inside the worker thread, so nothing of it is shared across threads."""


class JobEnder(Protocol):
    """What the worker needs of :class:`stockdesk.db.joblog.JobLog`: logging a job's end."""

    def finish_job(
        self, job_id: str, status: JobStatus, *, error_message: str | None = None
    ) -> JobRecord: ...


JobEnderFactory = Callable[[], JobEnder]
"""Opens the job log inside the worker thread, like the collector factory."""

CRASH_MESSAGE = "程序出现意外错误，任务已停止：{reason}"
"""The job log's message for a job stopped by a crash elsewhere in the program; stored in
Chinese whatever the window's language, like the collector's own messages."""


class _Listener(JobListener):
    """Forwards the collector's callbacks, in the worker thread, to the worker's signals."""

    def __init__(self, worker: CollectWorker) -> None:
        self._worker = worker

    def job_started(self, job: JobRecord) -> None:
        self._worker.jobStarted.emit(job.id)

    def plan_ready(self, job: JobRecord) -> None:
        self._worker.planReady.emit(job.total_stocks)

    def item_finished(self, item: ItemResult) -> None:
        self._worker.buffer.add(item)

    def progress(self, progress: Progress) -> None:
        self._worker.buffer.flush_stale()
        self._worker.progressed.emit(progress)

    def message(self, text: str) -> None:
        self._worker.message.emit(text)


class CollectWorker(QObject):
    """Runs one job; lives in a QThread whose ``started`` signal calls :meth:`run`.

    Signals:
        jobStarted(str): the job is in the log under this task ID.
        planReady(int): the number of stocks the job will process.
        progressed(object): a :class:`Progress` snapshot.
        itemsFinished(list): a batch of :class:`ItemResult` (succeeded, failed or skipped;
            each result carries its status).
        message(str): a line for the user (login, retry ...).
        refused(): another job runs on the same database; nothing was started.
        errorOccurred(str): the job could not be run at all (user-facing text).
        finished(object): the final :class:`JobRecord`, or None if there was no job.
    """

    jobStarted = Signal(str)
    planReady = Signal(int)
    progressed = Signal(object)
    itemsFinished = Signal(list)
    message = Signal(str)
    refused = Signal()
    errorOccurred = Signal(str)
    finished = Signal(object)

    def __init__(
        self, factory: CollectorFactory, job_log: JobEnderFactory, request: JobRequest
    ) -> None:
        super().__init__()
        self._factory = factory
        self._job_log = job_log
        self._request = request
        self._cancel = threading.Event()
        self._failure: str | None = None
        self.buffer = ItemBuffer(self.itemsFinished.emit)

    def cancel(self) -> None:
        """Ask the job to stop; thread-safe, the collector checks it between stocks."""
        self._cancel.set()

    def fail(self, reason: str) -> None:
        """Stop the job as for :meth:`cancel`, but log it ``failed`` with ``reason``.

        Thread-safe. For a crash elsewhere in the program: the job did not end by the
        user's choice, and the job log must not say it did.
        """
        self._failure = reason  # set before the event, which the worker thread waits on
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        """Run the job to its end; always emits :attr:`finished` last."""
        record: JobRecord | None = None
        try:
            collector = self._factory()
            record = collector.run(self._request, listener=_Listener(self), cancel=self._cancel)
            if self._failure is not None and record.status == JobStatus.CANCELLED:
                record = self._log_failure(record, self._failure)
        except JobRunningError:
            self.refused.emit()
        except StockDeskError as exc:
            self.errorOccurred.emit(str(exc))
        except Exception as exc:
            log.exception("collection job crashed")
            self.errorOccurred.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.buffer.flush()
            self.finished.emit(record)

    def _log_failure(self, record: JobRecord, reason: str) -> JobRecord:
        """Turn the cancelled end the collector logged into ``failed`` with ``reason``.

        Here in the worker thread, so the GUI thread, busy with the crash dialog, never
        waits for the database. If the database refuses, the job stays ``cancelled`` in the
        log, which is still true about the work done.
        """
        message = CRASH_MESSAGE.format(reason=reason)
        try:
            return self._job_log().finish_job(record.id, JobStatus.FAILED, error_message=message)
        except StockDeskError as exc:
            log.error("could not log %s as failed (%s): %s", record.id, reason, exc)
            return record
