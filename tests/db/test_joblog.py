"""The job log: task IDs, the one-job gate, interrupted jobs and reading the log back."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

import psutil
import pytest
from dbfactories import failure, make_bars, make_request, skipped, success
from sqlalchemy import update

from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database
from stockdesk.db.joblog import JobLog
from stockdesk.db.models import CollectionJobRow
from stockdesk.domain.errors import DatabaseError, JobRunningError
from stockdesk.domain.taskid import TASK_ID_PATTERN
from stockdesk.domain.values import AdjustFlag, ItemStatus, JobStatus

NOON = dt.datetime(2024, 6, 3, 12, 0, 0)


def set_owner(db: Database, job_id: str, **owner: object) -> None:
    """Pretend another process started the job."""
    with db.writing() as session:
        session.execute(
            update(CollectionJobRow).where(CollectionJobRow.id == job_id).values(**owner)
        )


def kill_owner(db: Database, job_id: str) -> None:
    """Make the job's owner as good as dead: on SQLite, a process that has exited; on
    PostgreSQL, the session holding the gate ends, as it does when its process dies."""
    if db.postgresql:
        held = db.release(job_id)
        assert held is not None, "a running job holds the gate on PostgreSQL"
        held.invalidate()
        held.close()
    else:
        pid, started = exited_process()
        set_owner(db, job_id, owner_pid=pid, owner_started=started)


def exited_process() -> tuple[int, float]:
    """The pid and create time of a process that has come and gone."""
    script = "import os, psutil; print(os.getpid(), psutil.Process().create_time())"
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    pid, started = output.split()
    return int(pid), float(started)


def test_a_job_keeps_its_frequency_for_resume(log: JobLog) -> None:
    minutes = make_request(universe="codes", codes=("sh.600000",), frequency="15")
    assert log.get_request(log.start_job(minutes, thread_id=43, now=NOON).id) == minutes


def test_start_job_logs_a_running_job_owned_by_this_process(db: Database, log: JobLog) -> None:
    request = make_request(
        adjustflag=AdjustFlag.BACKWARD, universe="codes", codes=("sh.600000", "sz.000001")
    )

    job = log.start_job(request, thread_id=42, now=NOON)

    assert job.id == "historical_collection_20240603_120000_42"
    assert (job.status, job.start_time, job.universe) == (JobStatus.RUNNING, NOON, "codes")
    assert log.get_job(job.id) == job
    assert log.get_request(job.id) == request
    with db.session() as session:
        row = session.get(CollectionJobRow, job.id)
        assert row is not None
        assert (row.owner_pid, row.owner_host) == (os.getpid(), socket.gethostname())
        assert row.owner_started == pytest.approx(psutil.Process().create_time())
        assert (row.codes, row.heartbeat_at) == ("sh.600000,sz.000001", NOON)


def test_jobs_in_the_same_second_from_the_same_thread_get_different_ids(log: JobLog) -> None:
    first = log.start_job(make_request(), thread_id=7, now=NOON)
    log.finish_job(first.id, JobStatus.COMPLETED, now=NOON)
    second = log.start_job(make_request(), thread_id=7, now=NOON)

    assert first.id != second.id
    assert TASK_ID_PATTERN.match(first.id) and TASK_ID_PATTERN.match(second.id)
    assert second.start_time > first.start_time


def test_second_job_while_one_runs_is_refused(log: JobLog) -> None:
    running = log.start_job(make_request())

    with pytest.raises(JobRunningError, match="已有采集任务正在运行"):
        log.start_job(make_request())

    assert [job.id for job in log.list_jobs()] == [running.id]


def test_job_of_a_dead_process_is_interrupted_and_does_not_block(
    db: Database, log: JobLog, store: BarStore
) -> None:
    orphan = log.start_job(make_request(), now=NOON)
    log.set_plan(orphan.id, total=10, strategy="per-stock")
    store.commit_stocks(orphan.id, [(success("sh.600000"), make_bars("sh.600000", 4))])
    kill_owner(db, orphan.id)
    later = NOON + dt.timedelta(hours=1)

    job = log.start_job(make_request(), now=later)

    interrupted = log.get_job(orphan.id)
    assert interrupted is not None
    assert (interrupted.status, interrupted.end_time) == (JobStatus.INTERRUPTED, later)
    assert "中断" in (interrupted.error_message or "")
    assert (interrupted.success_count, interrupted.collected_count) == (1, 4)
    assert interrupted.progress == 10
    assert job.status == JobStatus.RUNNING


@pytest.mark.sqlite_only
def test_a_reused_pid_does_not_keep_a_job_alive(db: Database, log: JobLog) -> None:
    orphan = log.start_job(make_request())
    set_owner(db, orphan.id, owner_started=psutil.Process().create_time() - 3600)

    assert log.recover_interrupted() == [orphan.id]
    assert log.recover_interrupted() == []


@pytest.mark.sqlite_only
def test_refusal_still_records_the_interrupted_jobs(db: Database, log: JobLog) -> None:
    orphan = log.start_job(make_request(), thread_id=1)
    set_owner(db, orphan.id, owner_started=0.0)
    with db.writing() as session:  # a second running job, as an older version could leave
        session.add(
            CollectionJobRow(
                id="historical_collection_20240101_000000_2",
                status="running",
                progress=0,
                total_stocks=0,
                processed_stocks=0,
                success_count=0,
                failed_count=0,
                collected_count=0,
                skipped_count=0,
                start_time=NOON,
                start_date=NOON.date(),
                end_date=NOON.date(),
                adjustflag="3",
                universe="all",
                owner_pid=os.getpid(),
                owner_host=socket.gethostname(),
                owner_started=psutil.Process().create_time(),
            )
        )

    with pytest.raises(JobRunningError):
        log.start_job(make_request())

    status = log.get_job(orphan.id)
    assert status is not None and status.status == JobStatus.INTERRUPTED


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("age", "blocks"), [(dt.timedelta(minutes=1), True), (dt.timedelta(minutes=11), False)]
)
def test_job_on_another_host_lives_by_its_heartbeat(
    db: Database, log: JobLog, age: dt.timedelta, blocks: bool
) -> None:
    remote = log.start_job(make_request(), now=NOON)
    set_owner(db, remote.id, owner_host="analyst-pc-2", owner_pid=1, heartbeat_at=NOON - age)

    if blocks:
        with pytest.raises(JobRunningError):
            log.start_job(make_request(), now=NOON)
    else:
        assert log.start_job(make_request(), now=NOON).id != remote.id


@pytest.mark.postgresql_only
def test_a_job_on_another_machine_holds_the_gate_until_its_session_ends(
    db: Database, log: JobLog
) -> None:
    """PostgreSQL: the gate is the lock, not the row. Another machine's job (here: the
    lock taken by a connection that is not this process's job, the row naming a host
    this machine cannot see) refuses new jobs for as long as its session lives, however
    old its heartbeat; once the server ends that session (its machine gone), the next
    start marks the job interrupted and runs."""
    remote = log.start_job(make_request(), now=NOON)
    set_owner(
        db,
        remote.id,
        owner_host="analyst-pc-2",
        owner_pid=1,
        heartbeat_at=NOON - dt.timedelta(days=1),
    )
    held = db.release(remote.id)  # the lock's session, as if on the other machine
    assert held is not None

    with pytest.raises(JobRunningError):
        log.start_job(make_request(), now=NOON)
    assert log.recover_interrupted() == []

    backend_pid = held.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    held.commit()
    with db.engine.connect() as admin:
        admin.exec_driver_sql(f"SELECT pg_terminate_backend({backend_pid})")
        # The backend ends (and its lock goes) a moment after it is told to: wait for it.
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and admin.exec_driver_sql(
                f"SELECT count(*) FROM pg_stat_activity WHERE pid = {backend_pid}"
            ).scalar()
        ):
            admin.rollback()  # a fresh snapshot of pg_stat_activity for the next look
            time.sleep(0.02)
    held.invalidate()
    later = NOON + dt.timedelta(hours=1)

    job = log.start_job(make_request(), now=later)

    gone = log.get_job(remote.id)
    assert gone is not None and gone.status == JobStatus.INTERRUPTED
    assert gone.end_time == later and "analyst-pc-2" in (gone.error_message or "")
    assert job.status == JobStatus.RUNNING
    assert [j.id for j in log.list_jobs()] == [job.id, remote.id]


@pytest.mark.postgresql_only
def test_a_job_that_lost_the_gate_stops_at_its_next_commit(
    db: Database, log: JobLog, store: BarStore
) -> None:
    """The server ended the gate's session (a network cut outlasting the keepalives): the
    job's next commit is refused and rolled back, so it cannot write beside the job that
    may now start elsewhere; what it committed before stays, and it can be resumed."""
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 3))])
    held = db.held(job.id)
    assert held is not None
    with db.engine.connect() as admin:
        admin.exec_driver_sql(
            f"SELECT pg_terminate_backend({held.info['stockdesk_gate_pid']}, 5000)"
        )
        admin.commit()

    with pytest.raises(DatabaseError, match="任务锁连接已断开"):
        store.commit_stocks(job.id, [(success("sz.000001"), make_bars("sz.000001", 3))])
    with pytest.raises(DatabaseError, match="任务锁连接已断开"):
        log.record_items(job.id, [failure("sz.000002")])
    with pytest.raises(DatabaseError, match="任务锁连接已断开"), store.batch(job.id) as batch:
        batch.add(make_bars("sz.000003", 2))
        batch.commit([success("sz.000003", rows=2)])

    assert store.count_bars() == 3
    assert [item.code for item in log.items(job.id)] == ["sh.600000"]
    second = log.start_job(make_request())
    lost = log.get_job(job.id)
    assert lost is not None and lost.status == JobStatus.INTERRUPTED
    assert second.status == JobStatus.RUNNING


def test_the_gate_opens_when_the_job_is_finished(db: Database, log: JobLog) -> None:
    first = log.start_job(make_request())
    log.finish_job(first.id, JobStatus.COMPLETED)
    second = log.start_job(make_request())
    assert log.recover_interrupted() == []
    log.finish_job(second.id, JobStatus.FAILED, error_message="x")
    assert [job.status for job in log.list_jobs()] == [JobStatus.FAILED, JobStatus.COMPLETED]


def test_finish_job(log: JobLog) -> None:
    job = log.start_job(make_request(), now=NOON)
    log.set_plan(job.id, total=2, strategy="per-date")
    log.record_items(job.id, [skipped("sh.600000")])
    end = NOON + dt.timedelta(minutes=5)

    record = log.finish_job(job.id, JobStatus.CANCELLED, error_message="用户取消", now=end)

    assert (record.status, record.end_time, record.error_message) == (
        JobStatus.CANCELLED,
        end,
        "用户取消",
    )
    assert (record.progress, record.duration, record.strategy) == (
        50,
        dt.timedelta(minutes=5),
        "per-date",
    )
    assert log.get_job(job.id) == record


def test_completed_job_with_nothing_to_do_is_at_100(log: JobLog) -> None:
    job = log.start_job(make_request())
    log.set_plan(job.id, total=0, strategy=None)
    assert log.finish_job(job.id, JobStatus.COMPLETED).progress == 100


def test_finishing_an_unknown_job_is_a_bug(log: JobLog) -> None:
    with pytest.raises(KeyError):
        log.finish_job("historical_collection_20240101_000000_1", JobStatus.FAILED)


def test_list_jobs_newest_first(log: JobLog) -> None:
    ids = []
    for hour in (9, 11, 10):
        job = log.start_job(make_request(), thread_id=1, now=NOON.replace(hour=hour))
        log.finish_job(job.id, JobStatus.COMPLETED)
        ids.append(job.id)

    assert [job.id for job in log.list_jobs()] == [ids[1], ids[2], ids[0]]
    assert [job.id for job in log.list_jobs(limit=1)] == [ids[1]]


def test_failed_details_and_done_codes(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 2))])
    log.record_items(job.id, [failure("sz.000001", "超时"), skipped("sz.000002")])

    record = log.get_job(job.id, with_failures=True)

    assert record is not None
    (failed,) = record.failed_details
    assert (failed.code, failed.error_code, failed.error_message, failed.attempts) == (
        "sz.000001",
        "10002007",
        "超时",
        3,
    )
    assert failed.finished_at is not None
    assert log.get_job(job.id) is not None and log.get_job(job.id).failed_details == []
    assert log.done_codes(job.id) == {"sh.600000", "sz.000002"}
    assert [i.code for i in log.items(job.id, ItemStatus.SKIPPED)] == ["sz.000002"]
    assert log.get_job("historical_collection_20240101_000000_1") is None
    assert log.get_request("historical_collection_20240101_000000_1") is None
