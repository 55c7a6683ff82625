"""The job log: every collection job and its stocks.

The window's history panel, the CLI's ``jobs`` commands and ``--resume`` all read from
here. Every method opens its own short session, so a JobLog may be used from any thread;
what it returns are the plain values of :mod:`stockdesk.domain.values`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from stockdesk.db import gate, tally
from stockdesk.db.database import Database
from stockdesk.db.models import CollectionJobRow, JobItemRow
from stockdesk.db.owner import Owner
from stockdesk.domain.taskid import make_task_id
from stockdesk.domain.values import (
    AdjustFlag,
    ItemResult,
    ItemStatus,
    JobRecord,
    JobRequest,
    JobStatus,
)

_Value = TypeVar("_Value", JobRecord, ItemResult)


class JobLog:
    """Reads and writes ``collection_job`` and ``job_item`` of one database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def start_job(
        self,
        request: JobRequest,
        *,
        thread_id: int | None = None,
        now: dt.datetime | None = None,
    ) -> JobRecord:
        """Log a new ``running`` job owned by this process and return it.

        The job passes the one-job gate (:mod:`stockdesk.db.gate`) first, so of two
        processes starting at once exactly one gets the job. On PostgreSQL the job holds
        the gate until :meth:`finish_job`.

        Raises:
            JobRunningError: a job with a live owner is running; no job was added.
        """
        now = now or dt.datetime.now()
        owner = Owner.current()
        return gate.start_job(
            self._db, now, lambda session: _insert_job(session, request, owner, thread_id, now)
        )

    def gate_open(self, now: dt.datetime | None = None) -> bool:
        """Whether a job could start now (no job with a live owner is running)."""
        return gate.is_open(self._db, now or dt.datetime.now())

    def set_plan(
        self,
        job_id: str,
        *,
        total: int,
        strategy: str | None,
        start_date: dt.date | None = None,
        end_date: dt.date | None = None,
    ) -> None:
        """Store how many stocks the job will process and how it fetches them, and the
        range, when only planning found it (an update)."""
        with self._db.writing() as session:
            row = _job(session, job_id)
            row.total_stocks = total
            row.strategy = strategy
            if start_date is not None:
                row.start_date = start_date
            if end_date is not None:
                row.end_date = end_date
            row.progress = tally.progress_of(row.processed_stocks, total, row.status)

    def record_items(self, job_id: str, items: Sequence[ItemResult]) -> None:
        """Log stocks that stored no rows (skipped, failed) and update the job's counters.

        Stocks with rows go through :meth:`BarStore.commit_stocks`, which writes the rows
        and the item together.
        """
        with self._db.writing() as session:
            gate.check_held(self._db, job_id, session)
            tally.record(session, job_id, items, dt.datetime.now())

    def finish_job(
        self,
        job_id: str,
        status: JobStatus,
        *,
        error_message: str | None = None,
        now: dt.datetime | None = None,
    ) -> JobRecord:
        """End the job with ``status`` and return its final record; the job's hold on
        the gate ends with it, even when logging the end fails.

        The counters are recounted from the items: an ended job shows exactly the stocks
        it committed, not the days a by-date run had stored for stocks it did not finish.
        """
        try:
            with self._db.writing() as session:
                row = _job(session, job_id)
                ended = now or dt.datetime.now()
                row.status = status
                row.end_time = ended
                row.error_message = error_message
                session.flush()
                tally.recount(session, job_id, ended)
                session.refresh(row)
                return _record(row)
        finally:
            gate.release(self._db, job_id)

    def get_job(self, job_id: str, *, with_failures: bool = False) -> JobRecord | None:
        """The job, with ``failed_details`` filled when asked; None if there is none."""
        with self._db.reading() as session:
            row = session.get(CollectionJobRow, job_id)
            if row is None:
                return None
            record = _record(row)
            if with_failures:
                record.failed_details = _items(session, job_id, ItemStatus.FAILED)
            return record

    def get_request(self, job_id: str) -> JobRequest | None:
        """What the job was asked to do, for ``--resume``; None if there is no such job."""
        with self._db.reading() as session:
            row = session.get(CollectionJobRow, job_id)
            if row is None:
                return None
            return JobRequest(
                start_date=row.start_date,
                end_date=row.end_date,
                adjustflag=AdjustFlag(row.adjustflag),
                universe=row.universe,
                codes=tuple(row.codes.split(",")) if row.codes else (),
                resumes=row.resumes,
                frequency=row.frequency,
            )

    def list_jobs(self, limit: int | None = None) -> list[JobRecord]:
        """Jobs, newest first.

        Start times have whole seconds and the ID's last part is a thread id, so jobs started
        in one second are told apart by their end: the gate lets a job start only once the
        one before it has ended (or been marked interrupted, at that start), so of two jobs
        in one second the newer is still running (no end) or ended later. The same order on
        SQLite and PostgreSQL, without relying on either's row ids.
        """
        query = select(CollectionJobRow).order_by(
            CollectionJobRow.start_time.desc(),
            CollectionJobRow.end_time.desc().nulls_first(),
            CollectionJobRow.id.desc(),
        )
        with self._db.reading() as session:
            return [_record(row) for row in session.scalars(query.limit(limit))]

    def items(self, job_id: str, status: ItemStatus | None = None) -> list[ItemResult]:
        """The job's stocks in the order they were first logged, optionally of one status."""
        with self._db.reading() as session:
            return _items(session, job_id, status)

    def done_codes(self, job_id: str) -> set[str]:
        """Codes the job stored or skipped: what a resumed job does not fetch again.

        A job that itself resumed another continues that job's request, so the codes of
        the whole ``resumes`` chain count: resuming a resumed job must not plan again the
        stocks the first job of the chain already did.
        """
        with self._db.reading() as session:
            chain: list[str] = []
            current: str | None = job_id
            while current is not None and current not in chain:
                chain.append(current)
                current = session.scalar(
                    select(CollectionJobRow.resumes).where(CollectionJobRow.id == current)
                )
            query = select(JobItemRow.code).where(
                JobItemRow.job_id.in_(chain),
                JobItemRow.status.in_([ItemStatus.SUCCESS, ItemStatus.SKIPPED]),
            )
            return set(session.scalars(query))

    def recover_interrupted(self, now: dt.datetime | None = None) -> list[str]:
        """Mark ``running`` jobs whose process is gone as ``interrupted``; return their ids."""
        return gate.recover(self._db, now or dt.datetime.now())


def _insert_job(
    session: Session,
    request: JobRequest,
    owner: Owner,
    thread_id: int | None,
    now: dt.datetime,
) -> JobRecord:
    """Insert the job row with a fresh task ID (the caller holds the write lock)."""

    def taken(task_id: str) -> bool:
        return bool(session.scalar(select(exists().where(CollectionJobRow.id == task_id))))

    job_id, start_time = make_task_id(now=now, thread_id=thread_id, taken=taken)
    row = CollectionJobRow(
        id=job_id,
        status=JobStatus.RUNNING,
        progress=0,
        total_stocks=0,
        processed_stocks=0,
        success_count=0,
        failed_count=0,
        collected_count=0,
        skipped_count=0,
        start_time=start_time,
        start_date=request.start_date,
        end_date=request.end_date,
        adjustflag=str(request.adjustflag),
        universe=request.universe,
        codes=",".join(request.codes) if request.universe == "codes" else None,
        resumes=request.resumes,
        frequency=request.frequency,
        owner_pid=owner.pid,
        owner_host=owner.host,
        owner_started=owner.started,
        heartbeat_at=now,
    )
    session.add(row)
    session.flush()
    return _record(row)


def _job(session: Session, job_id: str) -> CollectionJobRow:
    row = session.get(CollectionJobRow, job_id)
    if row is None:
        raise KeyError(f"no job {job_id!r} in the job log")
    return row


def _items(session: Session, job_id: str, status: ItemStatus | None) -> list[ItemResult]:
    query = select(JobItemRow).where(JobItemRow.job_id == job_id).order_by(JobItemRow.id)
    if status is not None:
        query = query.where(JobItemRow.status == status)
    return [
        _copy(row, ItemResult, name=row.name or "", status=ItemStatus(row.status))
        for row in session.scalars(query)
    ]


def _record(row: CollectionJobRow) -> JobRecord:
    return _copy(
        row,
        JobRecord,
        status=JobStatus(row.status),
        adjustflag=AdjustFlag(row.adjustflag),
        failed_details=[],
    )


def _copy(row: object, kind: type[_Value], **converted: Any) -> _Value:
    """A domain value from a row's like-named columns: the domain types keep the column
    names of docs/contracts.md ("Job record"), so only the fields that need converting
    are spelled out. A field with no column fails here, not later as a silent default."""
    values: dict[str, Any] = {
        f.name: getattr(row, f.name) for f in fields(kind) if f.name not in converted
    }
    return kind(**values, **converted)
