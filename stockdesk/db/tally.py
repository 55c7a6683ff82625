"""Writing a job's items and recounting its counters, inside the caller's transaction.

Both the job log (skipped and failed stocks) and the bar store (stocks with rows) record
items; the counters are recomputed from ``job_item`` in the same transaction, so whatever
happens to the process, a job's counters are exactly the items it committed
(docs/contracts.md, "Job record"). Recounting is one indexed GROUP BY over the job's items:
well under a millisecond for a market of 5,000 stocks, and it cannot drift the way
increments can when a stock that failed earlier succeeds on a later pass.

One exception, while a job runs: fetching by date finishes most stocks only on their last
day, so their items (and the counters recounted from them) stay at 0 for most of the job.
The by-date path therefore passes an :class:`Advance` with each commit, and the job row's
``progress`` and ``collected_count`` show the days and rows stored so far, so that every
reader of the job log (``jobs show``, the HTTP API, a second window) sees the job move.
When the job ends (:func:`recount` from the job log and the gate) the counters are the
items' again, exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Executable, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from stockdesk.db.models import Base, CollectionJobRow, JobItemRow
from stockdesk.domain.values import ItemResult, ItemStatus, JobStatus

_ITEM = Base.metadata.tables[JobItemRow.__tablename__]
_JOB = Base.metadata.tables[CollectionJobRow.__tablename__]
_UPDATED = ("name", "status", "rows", "attempts", "error_code", "error_message", "finished_at")

# Built once: a job commits thousands of times, and building a statement costs more than
# running it (SQLAlchemy then only looks its compiled form up in the cache). SQLite and
# PostgreSQL spell the upsert alike, but each dialect has its own construct.
_sqlite_upsert = sqlite.insert(_ITEM)
_postgresql_upsert = postgresql.insert(_ITEM)
_UPSERT_ITEMS: dict[str, Executable] = {
    "sqlite": _sqlite_upsert.on_conflict_do_update(
        index_elements=[_ITEM.c.job_id, _ITEM.c.code, _ITEM.c.frequency],
        set_={name: _sqlite_upsert.excluded[name] for name in _UPDATED},
    ),
    "postgresql": _postgresql_upsert.on_conflict_do_update(
        index_elements=[_ITEM.c.job_id, _ITEM.c.code, _ITEM.c.frequency],
        set_={name: _postgresql_upsert.excluded[name] for name in _UPDATED},
    ),
}
_PER_STATUS = (
    select(_ITEM.c.status, func.count(), func.coalesce(func.sum(_ITEM.c.rows), 0))
    .where(_ITEM.c.job_id == bindparam("job_id"))
    .group_by(_ITEM.c.status)
)
_TOTAL_AND_STATUS = select(_JOB.c.total_stocks, _JOB.c.status).where(
    _JOB.c.id == bindparam("job_id")
)
_SET_COUNTERS = update(_JOB).where(_JOB.c.id == bindparam("job_id"))


@dataclass(frozen=True, slots=True)
class Advance:
    """What a running job has stored that its items do not show yet."""

    progress: int
    """0-100: the share of the job done by the writer's own measure (days stored)."""
    rows: int
    """Rows the writer has committed for the job so far, finished stocks or not."""


def progress_of(processed: int, total: int, status: JobStatus | str) -> int:
    """``collection_job.progress``: 0-100; a completed job with nothing to do is at 100."""
    if total > 0:
        return min(100, processed * 100 // total)
    return 100 if status == JobStatus.COMPLETED else 0


def record(
    executor: Connection | Session,
    job_id: str,
    items: Sequence[ItemResult],
    now: dt.datetime,
    advance: Advance | None = None,
) -> None:
    """Upsert ``items`` as the job's ``job_item`` rows, then recount the job and beat.

    With ``advance``, ``progress`` and ``collected_count`` are at least its figures.
    """
    if items:
        dialect = (
            executor.get_bind().dialect.name
            if isinstance(executor, Session)
            else executor.dialect.name
        )
        executor.execute(
            _UPSERT_ITEMS[dialect], [_item_values(job_id, item, now) for item in items]
        )
    _recount(executor, job_id, now, advance)


def recount(executor: Connection | Session, job_id: str, now: dt.datetime) -> None:
    """Set the job's counters from its items alone (a job that ends drops any advance)."""
    _recount(executor, job_id, now, None)


def _item_values(job_id: str, item: ItemResult, now: dt.datetime) -> dict[str, object]:
    return {
        "job_id": job_id,
        "code": item.code,
        "name": item.name,
        "status": str(item.status),
        "rows": item.rows,
        "attempts": item.attempts,
        "error_code": item.error_code,
        "error_message": item.error_message,
        "finished_at": item.finished_at or now,
        "frequency": item.frequency,
    }


def _recount(
    executor: Connection | Session, job_id: str, now: dt.datetime, advance: Advance | None
) -> None:
    per_status = executor.execute(_PER_STATUS, {"job_id": job_id})
    counts = {ItemStatus.SUCCESS: 0, ItemStatus.FAILED: 0, ItemStatus.SKIPPED: 0}
    stored = 0
    for status, count, rows in per_status:
        counts[ItemStatus(status)] = count
        if status == ItemStatus.SUCCESS:
            stored = rows
    processed = sum(counts.values())
    total, status = executor.execute(_TOTAL_AND_STATUS, {"job_id": job_id}).one()
    progress = progress_of(processed, total, status)
    if advance is not None:
        progress = max(progress, min(100, advance.progress))
        stored = max(stored, advance.rows)
    executor.execute(
        _SET_COUNTERS,
        {
            "job_id": job_id,
            "processed_stocks": processed,
            "success_count": counts[ItemStatus.SUCCESS],
            "failed_count": counts[ItemStatus.FAILED],
            "skipped_count": counts[ItemStatus.SKIPPED],
            "collected_count": stored,
            "progress": progress,
            "heartbeat_at": now,
        },
    )
