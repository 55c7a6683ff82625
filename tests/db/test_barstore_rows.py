"""Rows stored across transactions of a batch, and the items they complete (by date)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

import pytest
from dbfactories import make_bars, make_request, success
from sqlalchemy import update

from stockdesk.db import gate
from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog
from stockdesk.db.models import CollectionJobRow
from stockdesk.domain.values import JobStatus

LATER = dt.date(2024, 1, 5)


def test_an_item_completed_by_later_rows_counts_every_row_the_job_stored(
    log: JobLog, store: BarStore
) -> None:
    job = log.start_job(make_request())
    log.set_plan(job.id, total=2, strategy="per-date")
    first_days = make_bars("sh.600000", 3) + make_bars("sz.000001", 3)
    last_days = make_bars("sh.600000", 2, first=LATER) + make_bars("sz.000001", 2, first=LATER)

    with store.batch(job.id) as batch:
        batch.add(first_days)
        batch.commit()
        middle = log.get_job(job.id)
        batch.add(last_days)
        batch.commit([success("sh.600000", rows=5)])

    assert (middle.processed_stocks, middle.collected_count) == (0, 0)
    done = log.get_job(job.id)
    assert (done.processed_stocks, done.success_count, done.collected_count) == (1, 1, 5)
    assert store.count_bars() == 10
    assert [item.rows for item in log.items(job.id)] == [5]


def test_rows_are_invisible_until_committed_and_lost_if_never_committed(
    log: JobLog, store: BarStore
) -> None:
    job = log.start_job(make_request())
    with store.batch(job.id) as batch:
        batch.add(make_bars("sh.600000", 3))
        batch.commit()
        batch.add(make_bars("sh.600000", 2, first=LATER))
        assert (batch.rows, store.count_bars()) == (2, 3)
        assert batch.age() is not None

    assert store.count_bars() == 3
    assert log.items(job.id) == []


def test_a_reader_sees_committed_stocks_only_and_never_waits_for_the_writer(
    db: Database, log: JobLog, store: BarStore
) -> None:
    """An analyst's reads (another connection, as another program's) while a job holds
    a transaction with rows in it: they answer at once, with what was committed."""
    job = log.start_job(make_request())
    reader = open_database(db.path or db.engine.url.render_as_string(hide_password=False))
    reader_store, reader_log = BarStore(reader), JobLog(reader)
    try:
        with store.batch(job.id) as batch:
            batch.add(make_bars("sh.600000", 3))
            batch.commit([success("sh.600000", rows=3)])
            batch.add(make_bars("sz.000001", 200))  # open, uncommitted
            seen: dict[str, object] = {}

            def read() -> None:
                started = time.monotonic()
                seen["bars"] = reader_store.count_bars()
                seen["counts"] = reader_store.row_counts(
                    dt.date(2024, 1, 1), dt.date(2024, 12, 31), "3"
                )
                seen["job"] = reader_log.get_job(job.id)
                seen["seconds"] = time.monotonic() - started

            thread = threading.Thread(target=read)
            thread.start()
            thread.join(timeout=5)
            assert not thread.is_alive(), "the reader waited for the writer"
            batch.commit([success("sz.000001", rows=200)])
        assert seen["bars"] == 3 and seen["counts"] == {"sh.600000": 3}
        assert seen["job"].success_count == 1
        assert seen["seconds"] < 2.0
        assert reader_store.count_bars() == 203
    finally:
        reader.close()


@pytest.mark.sqlite_only
def test_the_batch_gives_back_its_page_cache_and_the_write_lock(
    db: Database, log: JobLog, store: BarStore
) -> None:
    job = log.start_job(make_request())
    with store.batch(job.id) as batch:
        batch.add(make_bars("sh.600000", 1))
        batch.commit()

    with db.engine.connect() as connection:  # the pool hands the batch's connection back
        cache = connection.connection.driver_connection.execute("PRAGMA cache_size")
        assert cache.fetchone()[0] == -2000
    with sqlite3.connect(db.path, timeout=0) as other:  # no lock left behind
        other.execute("BEGIN IMMEDIATE")
        other.rollback()


def test_stocks_per_day_counts_each_stock_only_within_its_own_span(
    log: JobLog, store: BarStore
) -> None:
    job = log.start_job(make_request())
    with store.batch(job.id) as batch:
        batch.add(make_bars("sh.600000", 5) + make_bars("sz.000001", 3))
        batch.commit()
    first = dt.date.fromisoformat(make_bars("sh.600000", 1)[0][1])

    counts = store.stocks_per_day(
        [
            ("sh.600000", first, first + dt.timedelta(days=3)),
            ("sz.000001", first + dt.timedelta(days=1), first + dt.timedelta(days=9)),
        ],
        "3",
    )

    assert counts == {
        first: 1,
        first + dt.timedelta(days=1): 2,
        first + dt.timedelta(days=2): 2,
        first + dt.timedelta(days=3): 1,
    }
    assert store.stocks_per_day([("sh.600000", first, first)], "1") == {}


def _advanced_job(log: JobLog, store: BarStore) -> tuple[str, tuple[int, int, int]]:
    """A by-date job with 2 of 3 stocks' first days committed with progress 40, and one
    stock finished (5 rows) with progress 60; returns the job id and, after the first
    commit, (progress, collected_count, processed_stocks)."""
    job = log.start_job(make_request())
    log.set_plan(job.id, total=3, strategy="per-date")
    with store.batch(job.id) as batch:
        batch.add(make_bars("sh.600000", 3) + make_bars("sz.000001", 3))
        batch.commit(progress=40)
        middle = log.get_job(job.id)
        assert middle is not None
        batch.add(make_bars("sh.600000", 2, first=LATER) + make_bars("sz.000001", 2, first=LATER))
        batch.commit([success("sh.600000", rows=5)], progress=60)
    return job.id, (middle.progress, middle.collected_count, middle.processed_stocks)


def test_a_commit_with_progress_shows_the_days_and_rows_before_any_stock_is_done(
    log: JobLog, store: BarStore
) -> None:
    job_id, middle = _advanced_job(log, store)

    assert middle == (40, 6, 0)
    later = log.get_job(job_id)
    assert later is not None
    assert (later.progress, later.collected_count, later.processed_stocks) == (60, 10, 1)


@pytest.mark.parametrize("end", ["finished", "interrupted"])
def test_a_job_that_ends_counts_only_its_items_again(
    db: Database, log: JobLog, store: BarStore, end: str
) -> None:
    job_id, _ = _advanced_job(log, store)

    if end == "finished":
        log.finish_job(job_id, JobStatus.CANCELLED)
    else:
        with db.writing() as session:  # its process is gone (a pid reused since)
            session.execute(
                update(CollectionJobRow)
                .where(CollectionJobRow.id == job_id)
                .values(owner_started=0.0)
            )
        gate.release(db, job_id)  # on PostgreSQL a dead process's session ends its lock
        assert log.recover_interrupted() == [job_id]

    ended = log.get_job(job_id)
    assert ended is not None and ended.status != JobStatus.RUNNING
    assert (ended.progress, ended.collected_count, ended.success_count) == (33, 5, 1)
    assert store.count_bars() == 10
