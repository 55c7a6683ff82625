"""Weekly, monthly and minute bars stored row for row as served, on both stores, stored
again without duplicates, with their job items and an exact ``frame_coverage``."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import pytest
from dbfactories import make_request
from support.dbread import read_rows

from stockdesk.db.coverage import CoverageStore
from stockdesk.db.database import Database
from stockdesk.db.framestore import FinishedStock, FrameStore
from stockdesk.db.joblog import JobLog
from stockdesk.domain.frequency import MINUTE_FIELDS, PERIOD_FIELDS
from stockdesk.domain.values import FrameCoverage, ItemResult, ItemStatus, JobStatus
from stockdesk.simulator.market import Market
from stockdesk.source.frames import parse_frames

D = dt.date
MARKET = Market(seed=7, stocks=20, indices=2)
STOCK = next(s.code for s in MARKET.stocks() if s.status == "1" and s.ipo_date < D(2022, 1, 1))


def served(code: str, frequency: str, start: dt.date, end: dt.date) -> list[tuple]:
    if frequency in ("w", "m"):
        return parse_frames(
            PERIOD_FIELDS, MARKET.period_bars(code, start, end, frequency), frequency
        )
    block = MARKET.minute_bars(code, start, end, frequency)
    return parse_frames(MINUTE_FIELDS, block.rows(0, len(block)), frequency)


def save(
    db: Database,
    frequency: str,
    rows: Sequence[tuple],
    *,
    flag: str = "3",
    complete: tuple[dt.date, dt.date] | None = None,
) -> list[FrameCoverage]:
    """Commit ``rows`` (of one or more stocks) as a job of ``frequency`` does: each
    stock with its item, in one transaction; returns the coverage rows written."""
    log = JobLog(db)
    job = log.start_job(make_request(frequency=frequency))
    stocks = [
        FinishedStock(
            ItemResult(code, "", ItemStatus.SUCCESS, len(part), frequency=frequency),
            part,
            complete,
        )
        for code, group in itertools.groupby(rows, key=lambda row: row[0])
        if (part := list(group))
    ]
    written = FrameStore(db).commit_stocks(job.id, frequency, flag, stocks)
    log.finish_job(job.id, JobStatus.COMPLETED)
    return written


def stored(db: Database, table: str, order: str) -> list[tuple]:
    rows = read_rows(db, f"SELECT * FROM {table} ORDER BY {order}")
    return [tuple(str(v) if isinstance(v, dt.date) else v for v in row) for row in rows]


@pytest.mark.parametrize("frequency", ["w", "m"])
def test_period_bars_are_stored_as_served_and_again_without_duplicates(db, frequency):
    rows = served(STOCK, frequency, D(2023, 1, 1), D(2024, 6, 30))
    rows += served("sh.000001", frequency, D(2023, 1, 1), D(2024, 6, 30))
    assert len(save(db, frequency, rows)) == 2
    assert stored(db, "period_bar", "code, date") == sorted(rows)
    changed = [(*row[:7], 1.0, *row[8:]) for row in sorted(rows)[:3]]
    save(db, frequency, rows)  # a re-run
    save(db, frequency, changed)  # a correction
    result = stored(db, "period_bar", "code, date")
    assert len(result) == len(rows)
    assert [row[7] for row in result[:3]] == [1.0, 1.0, 1.0]
    assert any(row[10] is None for row in result)  # an index's turnover


def test_minute_bars_keep_their_timestamp_and_trading_day(db):
    rows = served(STOCK, "5", D(2024, 1, 2), D(2024, 1, 31))
    save(db, "5", rows)
    save(db, "5", rows)
    result = read_rows(
        db,
        "SELECT code, frequency, adjustflag, bar_time, trading_day, close, volume "
        "FROM minute_bar ORDER BY bar_time",
    )
    assert len(result) == len(rows) == 48 * len({row[4] for row in rows})
    first = result[0]
    assert (first[0], first[1], first[2]) == (STOCK, "5", "3")
    assert str(first[3]).replace("T", " ").startswith("2024-01-02 09:35:00")
    assert str(first[4]) == "2024-01-02"
    assert [(row[5], row[6]) for row in result] == [(row[8], row[9]) for row in rows]


def test_each_frequency_and_adjust_flag_has_its_own_rows(db):
    five = served(STOCK, "5", D(2024, 1, 2), D(2024, 1, 2))
    sixty = served(STOCK, "60", D(2024, 1, 2), D(2024, 1, 2))
    save(db, "5", five)
    save(db, "60", sixty)
    save(db, "60", [(*row[:2], "1", *row[3:]) for row in sixty], flag="1")
    counts = read_rows(
        db,
        "SELECT frequency, adjustflag, count(*) FROM minute_bar "
        "GROUP BY frequency, adjustflag ORDER BY frequency, adjustflag",
    )
    assert [tuple(row) for row in counts] == [("5", "3", 48), ("60", "1", 4), ("60", "3", 4)]
    keys = {(row.frequency, row.adjustflag) for row in CoverageStore(db).frames()}
    assert keys == {("5", "3"), ("60", "1"), ("60", "3")}


def test_coverage_counts_what_is_stored_through_extensions_and_re_runs(db):
    january = served(STOCK, "5", D(2024, 1, 1), D(2024, 1, 31))
    february = served(STOCK, "5", D(2024, 2, 1), D(2024, 2, 29))
    save(db, "5", january, complete=(D(2024, 1, 1), D(2024, 1, 31)))
    # An extension (as an update makes) adds to the count without recounting.
    (row,) = save(db, "5", february, complete=(D(2024, 1, 1), D(2024, 2, 29)))
    assert row.rows == len(january) + len(february)
    assert (row.first_day, row.last_day) == (
        D.fromisoformat(january[0][4]),
        D.fromisoformat(february[-1][4]),
    )
    assert (row.complete_from, row.complete_through) == (D(2024, 1, 1), D(2024, 2, 29))
    # A re-run over days already stored is counted again, never twice; a commit that
    # says nothing of completeness keeps what was known.
    (again,) = save(db, "5", february[:96])
    assert again.rows == len(january) + len(february)
    assert (again.complete_from, again.complete_through) == (D(2024, 1, 1), D(2024, 2, 29))
    (count,) = read_rows(db, "SELECT count(*) FROM minute_bar")
    assert count[0] == again.rows
    assert CoverageStore(db).frames(frequency="5") == [again]


def test_items_of_one_stock_in_several_frequencies_share_a_job(db):
    log = JobLog(db)
    job = log.start_job(make_request(universe="update"))
    store = FrameStore(db)
    for frequency in ("5", "60"):
        rows = served(STOCK, frequency, D(2024, 1, 2), D(2024, 1, 3))
        item = ItemResult(STOCK, "", ItemStatus.SUCCESS, len(rows), frequency=frequency)
        store.commit_stocks(job.id, frequency, "3", [FinishedStock(item, rows)])
    items = log.items(job.id)
    assert [(item.code, item.frequency, item.rows) for item in items] == [
        (STOCK, "5", 96),
        (STOCK, "60", 8),
    ]
    log.finish_job(job.id, JobStatus.COMPLETED)
