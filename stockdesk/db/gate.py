"""The database's one-job gate: at most one running job per database, across processes.

This covers every process that opens the same database: the window, ``stockdesk collect``
and a scheduled run, on this machine or, with a PostgreSQL server, on any other. (Within
one process the window's ``QMutex`` refuses a second Start before anything reaches the
database; see :mod:`stockdesk.ui.controller`.)

SQLite: a job row in ``running`` status whose owner process still lives
(:mod:`stockdesk.db.owner`) closes the gate; a ``running`` row whose owner is gone was
interrupted by a crash, and is marked so here instead of blocking every later job. The
check and the insert are one write transaction (``BEGIN IMMEDIATE``), so of two processes
starting at once exactly one gets the job.

PostgreSQL: the gate is a session-level advisory lock (``pg_try_advisory_lock``) taken on
a connection of its own that the job keeps open, idle, until it ends. The server releases
it when that session ends, whatever ended it: the job finishing, its process killed, or
its machine gone (the session asks the server to probe an idle client every few seconds,
so a dead machine is noticed within about 40 seconds rather than TCP's two hours). So
whoever holds the lock knows every ``running`` row is left over from a dead job and marks
it ``interrupted``; nobody needs to see another machine's processes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import suppress

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from stockdesk.db import tally
from stockdesk.db.database import Database
from stockdesk.db.errors import denied, translate_errors
from stockdesk.db.models import CollectionJobRow
from stockdesk.db.owner import is_alive
from stockdesk.domain.errors import DatabaseError, JobRunningError
from stockdesk.domain.values import JobRecord, JobStatus

log = logging.getLogger(__name__)

JOB_LOCK_KEY = 0x5354_4B44_4A4F_4247  # "STKDJOBG"
"""PostgreSQL advisory lock key of the one-job gate (advisory locks are per database)."""

SESSION_SETTINGS = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "6",
    "idle_session_timeout": "0",
}
"""Settings of the gate's session: server-side TCP keepalives, so a client machine that
vanished without closing its connection is found dead after 10 + 6 x 5 = 40 seconds of
silence and its lock released; and no idle timeout (PostgreSQL 14+), which a server may
set for everyone but would end a live job's hold on the gate."""

_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key), pg_backend_pid()")
_STILL_HELD = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = :pid AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :key)"
)
_PID = "stockdesk_gate_pid"
"""Key of the gate session's backend pid in its connection's ``info``."""
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")
_SESSION = text(
    "SELECT "
    + ", ".join(
        f"set_config('{name}', '{value}', false)" for name, value in SESSION_SETTINGS.items()
    )
)

RECOVER_WAIT = 0.5
"""Seconds :func:`recover` keeps trying a held gate while jobs are marked running."""

Insert = Callable[[Session], JobRecord]


def start_job(database: Database, now: dt.datetime, insert: Insert) -> JobRecord:
    """Run ``insert`` (which logs the new job) if the gate is open; return its record.

    On PostgreSQL the job then holds the gate until :func:`release` (or until its
    process or connection ends).

    Raises:
        JobRunningError: a job with a live owner is running; no job was added.
    """
    if database.postgresql:
        return _start_postgresql(database, now, insert)
    with database.writing() as session:
        # Return rather than raise here: the interrupted marks are true either way.
        record = insert(session) if gate_is_open(session, now) else None
    if record is None:
        raise JobRunningError()
    return record


def is_open(database: Database, now: dt.datetime) -> bool:
    """Whether a job could start now, without starting one (the answer may change a
    moment later: only :func:`start_job` claims the gate). On SQLite, jobs whose owner
    died are marked ``interrupted`` on the way."""
    if not database.postgresql:
        with database.writing() as session:
            return gate_is_open(session, now)
    connection = _try_lock(database)
    if connection is None:
        return False
    _unlock(connection)
    return True


def check_held(database: Database, job_id: str, executor: Connection | Session) -> None:
    """Before a commit of the job ``job_id``: raise unless its hold on the gate lasts.

    On PostgreSQL the server ends the gate's session when it stops hearing from the
    client (the keepalives above), which releases the lock while this process may still
    be writing: a network cut of a minute would let another machine start a second job.
    A job that lost the gate stops at its next commit instead, which is rolled back.
    Nothing to check on SQLite, or for a job this process does not run.

    Raises:
        DatabaseError: the gate's session is gone.
    """
    connection = database.held(job_id) if database.postgresql else None
    if connection is None:
        return
    pid = connection.info.get(_PID)
    if executor.execute(_STILL_HELD, {"pid": pid, "key": JOB_LOCK_KEY}).scalar():
        return
    where = database.url
    raise DatabaseError(
        f"与 PostgreSQL 数据库（{where}）的任务锁连接已断开（网络中断或服务器重启），"
        "其他计算机上可能已经开始了新的采集任务。为避免两个任务同时写入，本任务已停止；"
        "已提交的股票数据都已保存，可以稍后继续该任务。"
    )


def release(database: Database, job_id: str) -> None:
    """Open the gate the job ``job_id`` holds (PostgreSQL); nothing on SQLite."""
    connection = database.release(job_id)
    if connection is not None:
        _unlock(connection)


def recover(database: Database, now: dt.datetime) -> list[str]:
    """Mark ``running`` jobs whose process is gone as ``interrupted``; their ids.

    On PostgreSQL that is every ``running`` job, if the gate is free; while it is held,
    the job holding it is alive and nothing is marked. A job killed a moment ago may
    hold it for a few milliseconds more (until the server reads the closed socket), so
    with jobs marked running the lock is tried for up to :data:`RECOVER_WAIT` seconds.
    """
    if not database.postgresql:
        with database.writing() as session:
            return interrupt_dead(session, now)
    deadline = time.monotonic() + RECOVER_WAIT
    while (connection := _try_lock(database)) is None:
        if time.monotonic() >= deadline or not _any_running(database):
            return []
        time.sleep(0.05)
    try:
        with database.writing() as session:
            return _interrupt(session, now, lambda _row: True)
    except DatabaseError as refused:
        if not denied(refused):
            raise
        # A read-only analyst's account: leave the marking to the next collector.
        log.info("jobs left running were not marked interrupted: no write permission")
        return []
    finally:
        _unlock(connection)


def _any_running(database: Database) -> bool:
    running = select(CollectionJobRow.id).where(CollectionJobRow.status == JobStatus.RUNNING)
    with database.reading() as session:
        return session.scalar(running.limit(1)) is not None


def gate_is_open(session: Session, now: dt.datetime) -> bool:
    """Whether a new job may start on SQLite: no job is running with a live owner.

    Call it inside the write transaction that will insert the job. Jobs whose owner died
    are marked ``interrupted`` on the way; that is true whatever the answer.
    """
    interrupt_dead(session, now)
    running = select(CollectionJobRow.id).where(CollectionJobRow.status == JobStatus.RUNNING)
    return session.scalar(running.limit(1)) is None


def interrupt_dead(session: Session, now: dt.datetime) -> list[str]:
    """Mark ``running`` jobs whose owner process is gone as ``interrupted``; their ids."""
    return _interrupt(
        session,
        now,
        lambda row: (
            not is_alive(row.owner_pid, row.owner_host, row.owner_started, row.heartbeat_at, now)
        ),
    )


def interrupted_message(row: CollectionJobRow) -> str:
    """``error_message`` of a job whose process ended while it ran."""
    return (
        f"采集进程（PID {row.owner_pid}，主机 {row.owner_host}）在任务运行期间结束，"
        "任务已中断。已提交的股票数据都已保存，可以继续该任务，只采集尚未完成的股票。"
    )


def _interrupt(
    session: Session, now: dt.datetime, dead: Callable[[CollectionJobRow], bool]
) -> list[str]:
    running = session.scalars(
        select(CollectionJobRow).where(CollectionJobRow.status == JobStatus.RUNNING)
    )
    interrupted = []
    for row in running:
        if not dead(row):
            continue
        row.status = JobStatus.INTERRUPTED
        row.end_time = now
        row.error_message = interrupted_message(row)
        interrupted.append(row.id)
    session.flush()
    for job_id in interrupted:  # its counters are its items, as for any job that ended
        tally.recount(session, job_id, now)
    return interrupted


def _start_postgresql(database: Database, now: dt.datetime, insert: Insert) -> JobRecord:
    connection = _try_lock(database)
    if connection is None:
        raise JobRunningError()
    try:
        with database.writing() as session:
            # Holding the gate: any job still marked running lost its session, so died.
            _interrupt(session, now, lambda _row: True)
            record = insert(session)
    except BaseException:
        _unlock(connection)
        raise
    database.hold(record.id, connection)
    return record


def _try_lock(database: Database) -> Connection | None:
    """A connection of its own holding the gate's lock, or None when another holds it."""
    with translate_errors(database.where):
        connection = database.engine.connect()
        try:
            connection.execute(_SESSION)
            got, pid = connection.execute(_TRY_LOCK, {"key": JOB_LOCK_KEY}).one()
            connection.info[_PID] = pid
            connection.commit()  # the lock is the session's; the connection idles outside
        except BaseException:
            _discard(connection)
            raise
    if not got:
        connection.close()
        return None
    return connection


def _unlock(connection: Connection) -> None:
    """Release the gate's lock and give the connection back; a connection that fails is
    thrown away, which ends its session and so releases the lock all the same."""
    try:
        connection.execute(_UNLOCK, {"key": JOB_LOCK_KEY})
        connection.commit()
        connection.close()
    except Exception as exc:
        log.warning(
            "could not release the job gate cleanly (%s); closing its connection",
            type(exc).__name__,
        )
        _discard(connection)


def _discard(connection: Connection) -> None:
    with suppress(Exception):
        connection.invalidate()
    with suppress(Exception):
        connection.close()
