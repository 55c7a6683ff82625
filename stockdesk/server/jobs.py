"""The API's collection jobs: each runs in a worker thread of its own.

As in the original service, a start answers at once with the task ID and the job runs in
the background with its own database sessions (the job log and the bar store open a short
session per call, in the worker thread). The request waits only for the job's row to be in
the job log: that insert is where the database's one-job gate (``stockdesk.db.gate``)
refuses a second job, whichever process (this server, the window, ``stockdesk collect``)
runs the first, so the refusal can be the start's answer. Everything after that is read
from the job log, never from this thread, so a status request never waits on the job.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import Database
from stockdesk.domain.errors import DatabaseError, StockDeskError
from stockdesk.domain.values import ItemResult, JobRecord, JobRequest

log = logging.getLogger(__name__)

START_WAIT = 60.0
"""Longest a start waits for the job's row. The insert waits at most the database's busy
timeout for another writer (a by-date job commits every second), so this is only reached
by a database that hangs."""
CANCEL_WAIT = 10.0
"""Longest a cancel request waits for the job to end (the engine stops within ~2 s)."""


@dataclasses.dataclass(eq=False)
class _Job:
    """One job's thread, as the requests and the shutdown see it."""

    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)
    started: threading.Event = dataclasses.field(default_factory=threading.Event)
    """Set when the job is in the job log, or when it failed before that."""
    ended: threading.Event = dataclasses.field(default_factory=threading.Event)
    job_id: str | None = None
    error: Exception | None = None
    """What stopped the job before it was logged (the gate refused it ...)."""


class _Listener(JobListener):
    """Registers the job once it is logged and writes its milestones to the log file."""

    def __init__(self, runner: JobRunner, job: _Job) -> None:
        self._runner = runner
        self._job = job

    def job_started(self, job: JobRecord) -> None:
        self._job.job_id = job.id
        self._runner._register(job.id, self._job)
        self._job.started.set()
        log.info(
            "job %s started: %s to %s, %s, adjustflag %s",
            job.id,
            job.start_date,
            job.end_date,
            job.universe,
            job.adjustflag,
        )

    def plan_ready(self, job: JobRecord) -> None:
        log.info("job %s: %d stocks, %s", job.id, job.total_stocks, job.strategy)

    def message(self, text: str) -> None:
        log.debug("job %s: %s", self._job.job_id, text)

    def item_finished(self, item: ItemResult) -> None:
        if item.status == "failed":
            log.debug("job %s: %s failed: %s", self._job.job_id, item.code, item.error_message)


class JobRunner:
    """Starts jobs in worker threads of this process and cancels them; thread-safe."""

    def __init__(self, database: Database, options: CollectOptions) -> None:
        self._database = database
        self._options = options
        self._lock = threading.Lock()
        self._running: dict[str, _Job] = {}

    def start(self, request: JobRequest) -> str:
        """Start a job in a new worker thread and return its task ID once it is logged.

        Raises:
            JobRunningError: a job is running on the database (nothing was logged).
            DatabaseError: the job could not be logged.
            InputError: the request cannot be run.
        """
        job = _Job()
        thread = threading.Thread(
            target=self._run, args=(job, request), daemon=True, name="collect-job"
        )
        thread.start()
        if not job.started.wait(START_WAIT):
            job.cancel.set()  # should it start after all, it stops at once
            raise DatabaseError(f"数据库在 {START_WAIT:.0f} 秒内没有响应，任务未能开始")
        if job.error is not None:
            raise job.error
        assert job.job_id is not None
        return job.job_id

    def is_running(self, job_id: str) -> bool:
        """Whether ``job_id`` is a job of this process that has not ended yet."""
        with self._lock:
            return job_id in self._running

    def cancel(self, job_id: str, *, wait: float = CANCEL_WAIT) -> bool:
        """Ask this process's job ``job_id`` to stop and wait up to ``wait`` seconds for it
        to end; False if it is no running job of this process."""
        with self._lock:
            job = self._running.get(job_id)
        if job is None:
            return False
        log.info("job %s: cancel requested", job_id)
        job.cancel.set()
        job.ended.wait(wait)
        return True

    def cancel_all(self) -> None:
        """Ask every running job to stop; returns at once (fit for a signal handler: the
        lock is held only briefly by other threads, and the rest sets events)."""
        with self._lock:
            jobs = list(self._running.values())
        for job in jobs:
            job.cancel.set()

    def shutdown(self, *, wait: float) -> list[str]:
        """Cancel every running job and wait up to ``wait`` seconds in all for them to end;
        returns the ids of those still running (their rows are ``interrupted`` at the next
        start, as for any process that ends mid-job)."""
        self.cancel_all()
        deadline = time.monotonic() + wait
        with self._lock:
            jobs = list(self._running.values())
        for job in jobs:
            job.ended.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            return sorted(self._running)

    def _register(self, job_id: str, job: _Job) -> None:
        with self._lock:
            self._running[job_id] = job

    def _run(self, job: _Job, request: JobRequest) -> None:
        """The worker thread: the whole job, with the thread's ident in its task ID."""
        try:
            final = Collector(self._database, self._options).run(
                request,
                listener=_Listener(self, job),
                cancel=job.cancel,
                thread_id=threading.get_ident(),
            )
            log.info(
                "job %s %s: %d/%d stocks, %d failed, %d rows%s",
                final.id,
                final.status,
                final.processed_stocks,
                final.total_stocks,
                final.failed_count,
                final.collected_count,
                f": {final.error_message}" if final.error_message else "",
            )
        except Exception as error:
            if job.job_id is None:
                job.error = error  # the start request reports it
            elif isinstance(error, StockDeskError):  # e.g. codes the server does not know
                log.info("job %s failed: %s", job.job_id, error)
            else:
                # The collector has logged the job as failed; the traceback is for us.
                log.exception("job %s stopped by an error", job.job_id)
        finally:
            with self._lock:
                if job.job_id is not None:
                    self._running.pop(job.job_id, None)
            job.ended.set()
            job.started.set()
