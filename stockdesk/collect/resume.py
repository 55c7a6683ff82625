"""Continuing a job with only the stocks it has not done.

``stockdesk collect --resume ID`` and the window's Resume button both go through here, so
they accept and refuse the same jobs and build the same request. It reads through the job
log's methods rather than the database, which keeps collect free of SQL;
:class:`stockdesk.db.joblog.JobLog` is what callers pass.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from stockdesk.domain.errors import InputError
from stockdesk.domain.taskid import is_task_id
from stockdesk.domain.values import JobRecord, JobRequest, JobStatus


class JobLogReader(Protocol):
    """What resuming needs of :class:`stockdesk.db.joblog.JobLog`."""

    def get_job(self, job_id: str) -> JobRecord | None: ...

    def get_request(self, job_id: str) -> JobRequest | None: ...


def is_resumable(job: JobRecord) -> bool:
    """Whether ``job`` has stocks left to do that a new job could take over now.

    Interrupted, cancelled and failed jobs stopped before their end; a completed job with
    failed stocks still has those. A running job is still at work, and a completed job
    without failures has nothing left.
    """
    if job.status is JobStatus.RUNNING:
        return False
    return job.status is not JobStatus.COMPLETED or job.failed_count > 0


def resume_request(joblog: JobLogReader, job_id: str) -> JobRequest:
    """The request of a new job that continues ``job_id``.

    It is the old job's request marked ``resumes=job_id``; the collector then leaves out
    the stocks the whole ``resumes`` chain already stored or skipped
    (:meth:`~stockdesk.db.joblog.JobLog.done_codes`). That read happens when the job is
    planned, in the collecting thread, so a caller on a GUI thread never waits for it.

    Raises:
        InputError: ``job_id`` is not a task ID, names no job, or the job is not
            resumable (see :func:`is_resumable`); the message says which.
    """
    if not is_task_id(job_id):
        raise InputError(f"任务 ID 格式错误：{job_id}")
    previous = joblog.get_job(job_id)
    original = joblog.get_request(job_id)
    if previous is None or original is None:
        raise InputError(f"没有找到任务：{job_id}")
    if previous.status is JobStatus.RUNNING:
        raise InputError(f"任务 {job_id} 仍在运行，无法继续")
    if not is_resumable(previous):
        raise InputError(f"任务 {job_id} 已全部完成，无需继续")
    return replace(original, resumes=job_id)
