"""The database's one-job gate: at most one running job per database, across processes.

This covers every process that opens the same database: the window, ``stockdesk collect``
and a scheduled run. (Within one process the window's ``QMutex`` refuses a second Start
before anything reaches the database; see :mod:`stockdesk.ui.controller`.) A job row in
``running`` status whose owner process still lives (:mod:`stockdesk.db.owner`) closes
the gate; a ``running`` row whose owner is gone was interrupted by a crash, and is marked
so here instead of blocking every later job. The caller checks and inserts in one write
transaction (``BEGIN IMMEDIATE`` on SQLite), so of two processes starting at once exactly
one gets the job.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockdesk.db import tally
from stockdesk.db.models import CollectionJobRow
from stockdesk.db.owner import is_alive
from stockdesk.domain.values import JobStatus


def gate_is_open(session: Session, now: dt.datetime) -> bool:
    """Whether a new job may start: no job is running with a live owner.

    Call it inside the write transaction that will insert the job. Jobs whose owner died
    are marked ``interrupted`` on the way; that is true whatever the answer.
    """
    interrupt_dead(session, now)
    running = select(CollectionJobRow.id).where(CollectionJobRow.status == JobStatus.RUNNING)
    return session.scalar(running.limit(1)) is None


def interrupt_dead(session: Session, now: dt.datetime) -> list[str]:
    """Mark ``running`` jobs whose owner process is gone as ``interrupted``; their ids."""
    running = session.scalars(
        select(CollectionJobRow).where(CollectionJobRow.status == JobStatus.RUNNING)
    )
    interrupted = []
    for row in running:
        if is_alive(row.owner_pid, row.owner_host, row.owner_started, row.heartbeat_at, now):
            continue
        row.status = JobStatus.INTERRUPTED
        row.end_time = now
        row.error_message = interrupted_message(row)
        interrupted.append(row.id)
    session.flush()
    for job_id in interrupted:  # its counters are its items, as for any job that ended
        tally.recount(session, job_id, now)
    return interrupted


def interrupted_message(row: CollectionJobRow) -> str:
    """``error_message`` of a job whose process ended while it ran."""
    return (
        f"采集进程（PID {row.owner_pid}，主机 {row.owner_host}）在任务运行期间结束，"
        "任务已中断。已提交的股票数据都已保存，可以继续该任务，只采集尚未完成的股票。"
    )
