"""Scripted engine fakes for the window's tests.

They follow the engine's documented interfaces (JobListener callbacks, Collector.run,
JobLog reads) so the window can be tested before and apart from the real collector; the
flow tests in test_flow.py drive the real simulator, collector and database.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, TypedDict, Unpack

from stockdesk.collect.listener import JobListener
from stockdesk.domain.errors import JobRunningError
from stockdesk.domain.values import (
    AdjustFlag,
    ItemResult,
    ItemStatus,
    JobRecord,
    JobRequest,
    JobStatus,
    Progress,
)

if TYPE_CHECKING:
    from stockdesk.ui.main_window import WindowJobLog
    from stockdesk.ui.worker import CollectorLike

NOW = dt.datetime(2024, 6, 12, 10, 30)


def make_item(index: int, status: ItemStatus = ItemStatus.SUCCESS) -> ItemResult:
    """A synthetic result for stock number ``index``."""
    failed = status == ItemStatus.FAILED
    return ItemResult(
        code=f"sh.{600000 + index:06d}",
        name=f"股票{index}",
        status=status,
        rows=0 if failed else 100 + index % 7,
        attempts=3 if failed else 1,
        error_code="10002007" if failed else None,
        error_message="网络接收错误" if failed else None,
        finished_at=NOW,
    )


class JobFields(TypedDict, total=False):
    """The fields of :class:`JobRecord` that :func:`make_job` may override (all but the ID)."""

    status: JobStatus
    start_date: dt.date
    end_date: dt.date
    adjustflag: AdjustFlag
    universe: str
    start_time: dt.datetime
    progress: int
    total_stocks: int
    processed_stocks: int
    success_count: int
    failed_count: int
    collected_count: int
    skipped_count: int
    end_time: dt.datetime | None
    error_message: str | None
    resumes: str | None
    strategy: str | None
    failed_details: list[ItemResult]


def make_job(job_id: str, **fields: Unpack[JobFields]) -> JobRecord:
    """A finished job record with sensible defaults."""
    record = JobRecord(
        id=job_id,
        status=JobStatus.COMPLETED,
        start_date=dt.date(2024, 1, 2),
        end_date=dt.date(2024, 6, 11),
        adjustflag=AdjustFlag.FORWARD,
        universe="hs300",
        start_time=NOW,
        end_time=NOW + dt.timedelta(minutes=3, seconds=5),
    )
    return replace(record, **fields)


class FakeJobLog:
    """An in-memory job log with the JobLog read API (newest first)."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobRecord] = {}
        self.failures: dict[str, list[ItemResult]] = {}
        self.lock = threading.Lock()

    def put(self, job: JobRecord, failures: list[ItemResult] | None = None) -> None:
        with self.lock:
            self.jobs[job.id] = job.copy()
            self.failures[job.id] = list(failures or [])

    def list_jobs(self, limit: int | None = None) -> list[JobRecord]:
        with self.lock:
            return [job.copy() for job in reversed(self.jobs.values())][:limit]

    def get_job(self, job_id: str, *, with_failures: bool = False) -> JobRecord | None:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            copy = job.copy()
            if with_failures:
                copy.failed_details = list(self.failures[job_id])
            return copy

    def get_request(self, job_id: str) -> JobRequest | None:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            return JobRequest(
                job.start_date, job.end_date, job.adjustflag, job.universe, resumes=job.resumes
            )

    def finish_job(
        self, job_id: str, status: JobStatus, *, error_message: str | None = None
    ) -> JobRecord:
        with self.lock:
            job = self.jobs[job_id]
            job.status, job.error_message = status, error_message
            return job.copy()


class FakeCollector:
    """Plays a scripted job through a listener, honouring cancel like the real collector.

    ``hold`` keeps the job running after the plan until it is set, so tests can act while a
    job runs; ``busy`` makes ``run`` raise JobRunningError as for a job of another process.
    """

    def __init__(
        self,
        log: FakeJobLog,
        *,
        items: int = 10,
        failed: tuple[int, ...] = (),
        hold: threading.Event | None = None,
        busy: bool = False,
    ) -> None:
        self.log = log
        self.items = items
        self.failed = failed
        self.hold = hold
        self.busy = busy
        self.requests: list[JobRequest] = []
        self.counter = 0

    def run(
        self,
        request: JobRequest,
        *,
        listener: JobListener | None = None,
        cancel: threading.Event | None = None,
        thread_id: int | None = None,
    ) -> JobRecord:
        if self.busy:
            raise JobRunningError()
        listener = listener or JobListener()
        cancel = cancel or threading.Event()
        self.requests.append(request)
        self.counter += 1
        ident = thread_id or threading.get_ident()
        job = JobRecord(
            id=f"historical_collection_20240612_10{self.counter:04d}_{ident}",
            status=JobStatus.RUNNING,
            start_date=request.start_date,
            end_date=request.end_date,
            adjustflag=request.adjustflag,
            universe=request.universe,
            start_time=NOW,
        )
        self.log.put(job)
        listener.job_started(job.copy())
        count = len(request.codes) if request.codes else self.items
        job.total_stocks = count
        listener.plan_ready(job.copy())
        failures = []
        for index in range(count):
            if self.hold is not None:
                while not self.hold.wait(0.01):
                    if cancel.is_set():
                        break
            if cancel.is_set():
                break
            status = ItemStatus.FAILED if index in self.failed else ItemStatus.SUCCESS
            item = make_item(index, status)
            if request.codes:
                item = replace(item, code=request.codes[index])
            job.processed_stocks += 1
            if status == ItemStatus.FAILED:
                job.failed_count += 1
                failures.append(item)
            else:
                job.success_count += 1
                job.collected_count += item.rows
            listener.item_finished(item)
            listener.progress(
                Progress(
                    job.id,
                    count,
                    job.processed_stocks,
                    job.success_count,
                    job.failed_count,
                    0,
                    job.collected_count,
                    0.5,
                )
            )
        job.status = JobStatus.CANCELLED if cancel.is_set() else JobStatus.COMPLETED
        job.end_time = NOW + dt.timedelta(seconds=30)
        self.log.put(job, failures)
        return job.copy()


if TYPE_CHECKING:
    # Never run, only type-checked: the fakes stand in for the real JobLog and Collector,
    # which stockdesk/app.py checks against these same protocols when it wires the window,
    # so a signature that drifts (a keyword-only argument, a return type) fails mypy here
    # instead of passing the window's tests against an interface nothing else has.
    _job_log_conforms: WindowJobLog = FakeJobLog()
    _collector_conforms: CollectorLike = FakeCollector(FakeJobLog())
