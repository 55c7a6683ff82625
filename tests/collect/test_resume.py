"""Which jobs may be resumed, and the request that continues them, read from a real job log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from stockdesk.collect.resume import is_resumable, resume_request
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import InputError
from stockdesk.domain.values import AdjustFlag, ItemResult, ItemStatus, JobRequest, JobStatus

REQUEST = JobRequest(
    dt.date(2024, 1, 2),
    dt.date(2024, 3, 29),
    AdjustFlag.FORWARD,
    "codes",
    ("sh.600000", "sz.000001"),
)


@pytest.fixture
def log(database_target: str) -> Iterator[JobLog]:
    database = open_database(database_target)
    yield JobLog(database)
    database.close()


def ended(log: JobLog, status: JobStatus, *, failed: int = 0) -> str:
    """A job of :data:`REQUEST` that ended with ``status`` and ``failed`` failed stocks."""
    job = log.start_job(REQUEST)
    failures = [ItemResult(f"sh.60000{index}", "", ItemStatus.FAILED) for index in range(failed)]
    log.record_items(job.id, failures)
    log.finish_job(job.id, status)
    return job.id


@pytest.mark.parametrize(
    ("status", "failed", "expected"),
    [
        (JobStatus.INTERRUPTED, 0, True),
        (JobStatus.CANCELLED, 0, True),
        (JobStatus.FAILED, 0, True),
        (JobStatus.COMPLETED, 1, True),
        (JobStatus.COMPLETED, 0, False),
    ],
)
def test_jobs_that_stopped_early_or_left_failures_are_resumable(log, status, failed, expected):
    job = log.get_job(ended(log, status, failed=failed))
    assert is_resumable(job) is expected


def test_the_request_is_the_old_one_marked_as_resuming_it(log):
    job_id = ended(log, JobStatus.CANCELLED)
    request = resume_request(log, job_id)
    assert request == JobRequest(
        REQUEST.start_date,
        REQUEST.end_date,
        REQUEST.adjustflag,
        REQUEST.universe,
        REQUEST.codes,
        resumes=job_id,
    )


def test_a_running_job_is_refused(log):
    job = log.start_job(REQUEST)
    assert not is_resumable(job)
    with pytest.raises(InputError, match="仍在运行"):
        resume_request(log, job.id)


@pytest.mark.parametrize(
    ("job_id", "message"),
    [
        ("nonsense", "任务 ID 格式错误"),
        ("historical_collection_20240101_000000_1", "没有找到任务"),
    ],
)
def test_unknown_ids_are_named(log, job_id, message):
    with pytest.raises(InputError, match=message):
        resume_request(log, job_id)


def test_a_job_that_did_everything_is_refused(log):
    with pytest.raises(InputError, match="已全部完成"):
        resume_request(log, ended(log, JobStatus.COMPLETED))
