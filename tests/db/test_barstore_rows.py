"""Rows stored across transactions, and the items they complete (fetching by date)."""

from __future__ import annotations

import datetime as dt

from dbfactories import make_bars, make_request, success

from stockdesk.db.barstore import BarStore
from stockdesk.db.joblog import JobLog


def test_an_item_completed_by_later_rows_counts_every_row_the_job_stored(
    log: JobLog, store: BarStore
) -> None:
    job = log.start_job(make_request())
    log.set_plan(job.id, total=2, strategy="per-date")
    first_days = make_bars("sh.600000", 3) + make_bars("sz.000001", 3)
    later = dt.date(2024, 1, 5)
    last_days = make_bars("sh.600000", 2, first=later) + make_bars("sz.000001", 2, first=later)

    store.commit_rows(job.id, first_days)
    middle = log.get_job(job.id)
    store.commit_rows(job.id, last_days, [success("sh.600000", rows=5)])

    assert (middle.processed_stocks, middle.collected_count) == (0, 0)
    done = log.get_job(job.id)
    assert (done.processed_stocks, done.success_count, done.collected_count) == (1, 1, 5)
    assert store.count_bars() == 10
    assert [item.rows for item in log.items(job.id)] == [5]
