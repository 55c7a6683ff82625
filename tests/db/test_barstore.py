"""The bar store: idempotent upserts, atomic stock commits and the counters they move."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from dbfactories import FIRST_DAY, failure, make_bars, make_request, skipped, success

from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import ItemStatus, Security

YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_upsert_twice_stores_no_duplicates_and_the_new_values_win(
    log: JobLog, store: BarStore
) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 5))])
    newer = make_bars("sh.600000", 5, close=20.0)

    store.commit_stocks(job.id, [(success("sh.600000"), newer)])

    assert store.count_bars() == 5
    assert store.bars("sh.600000", *YEAR, "3") == newer


def test_adjust_types_are_stored_side_by_side(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 3))])
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 3, adjustflag="1"))])
    assert store.count_bars() == 6
    assert store.row_counts(*YEAR, "1") == {"sh.600000": 3}


def test_bars_keep_empty_fields_as_none(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    bars = make_bars("sz.000001", 2)
    store.commit_stocks(job.id, [(success("sz.000001"), bars)])

    first = store.bars("sz.000001", FIRST_DAY, FIRST_DAY, "3")

    assert first == bars[:1]
    assert first[0][15:17] == (None, None)


def test_commit_updates_items_and_counters(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    log.set_plan(job.id, total=4, strategy="per-stock")

    store.commit_stocks(
        job.id,
        [
            (success("sh.600000"), make_bars("sh.600000", 5)),
            (success("sh.600004"), make_bars("sh.600004", 3)),
        ],
    )
    log.record_items(job.id, [failure("sh.600006"), skipped("sh.600007")])

    record = log.get_job(job.id)
    assert record is not None
    assert (record.success_count, record.failed_count, record.skipped_count) == (2, 1, 1)
    assert record.processed_stocks == 4
    assert record.collected_count == 8
    assert record.progress == 100
    assert [(i.code, i.rows) for i in log.items(job.id, ItemStatus.SUCCESS)] == [
        ("sh.600000", 5),
        ("sh.600004", 3),
    ]


def test_a_stock_failed_earlier_and_stored_later_counts_once(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    log.set_plan(job.id, total=2, strategy="per-stock")
    log.record_items(job.id, [failure("sh.600000")])

    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 4))])

    record = log.get_job(job.id)
    assert record is not None
    assert (record.processed_stocks, record.success_count, record.failed_count) == (1, 1, 0)
    assert (record.collected_count, record.progress) == (4, 50)
    assert [item.status for item in log.items(job.id)] == [ItemStatus.SUCCESS]


def test_commit_is_all_or_nothing(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    log.set_plan(job.id, total=3, strategy="per-stock")
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 5))])
    before = log.get_job(job.id)
    broken = [*make_bars("sh.600004", 3), ("sh.600004", "2024-02-01", "3")]  # wrong arity

    # SQLite's driver and PostgreSQL's COPY each refuse the short row in their words.
    with pytest.raises(Exception, match=r"binding|expected 18 values"):
        store.commit_stocks(
            job.id,
            [
                (success("sh.600004"), broken),
                (success("sh.600006"), make_bars("sh.600006", 2)),
            ],
        )

    assert store.count_bars() == 5
    assert [item.code for item in log.items(job.id)] == ["sh.600000"]
    after = log.get_job(job.id)
    assert after is not None and before is not None
    assert dataclasses.replace(after) == before


def test_row_counts_per_code_within_the_range(log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(
        job.id,
        [
            (success("sh.600000"), make_bars("sh.600000", 10)),
            (success("sz.000001"), make_bars("sz.000001", 4)),
        ],
    )
    first_five = (FIRST_DAY, FIRST_DAY + dt.timedelta(days=4))

    assert store.row_counts(*first_five, "3") == {"sh.600000": 5, "sz.000001": 4}
    assert store.row_counts(*first_five, "3", codes=["sz.000001", "sh.688001"]) == {
        "sz.000001": 4,
    }
    assert store.row_counts(*first_five, "2") == {}


def test_row_counts_with_more_codes_than_one_query_takes(log: JobLog, store: BarStore) -> None:
    codes = [f"sz.{n:06d}" for n in range(1200)]
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success(code), make_bars(code, 2)) for code in codes])

    counts = store.row_counts(*YEAR, "3", codes=codes)

    assert len(counts) == 1200 and set(counts.values()) == {2}


@pytest.mark.sqlite_only
def test_row_counts_are_answered_from_the_primary_key_index(db: Database) -> None:
    query = (
        "EXPLAIN QUERY PLAN SELECT code, count(*) FROM daily_bar "
        "WHERE adjustflag = ? AND date >= ? AND date <= ? GROUP BY code"
    )
    with db.engine.connect() as connection:
        plan = " ".join(
            row[-1] for row in connection.exec_driver_sql(query, ("3", "2024-01-01", "2024-12-31"))
        )
    assert "USING COVERING INDEX sqlite_autoindex_daily_bar_1" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.postgresql_only
def test_on_postgresql_the_reads_use_the_primary_key_index(
    db: Database, log: JobLog, store: BarStore
) -> None:
    """The bar reads (counts per code, a stock's range, stocks per day) can be answered
    from ``pk_daily_bar`` without touching the table. The test's table is tiny, where a
    plain scan is cheaper, so scans are priced out to see what the index serves."""
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 5))])
    reads = [
        "SELECT code, count(*) FROM daily_bar WHERE adjustflag = '3' AND code IN "
        "('sh.600000', 'sz.000001') AND date BETWEEN '2024-01-01' AND '2024-12-31' "
        "GROUP BY code",
        "SELECT * FROM daily_bar WHERE code = 'sh.600000' AND adjustflag = '3' "
        "AND date BETWEEN '2024-01-01' AND '2024-12-31' ORDER BY date",
    ]
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_bitmapscan = off")
        plans = [
            " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {read}"))
            for read in reads
        ]
    assert all("pk_daily_bar" in plan for plan in plans), plans
    assert "Sort" not in plans[1], "a stock's range comes in date order from the index"


def test_securities_upsert_and_filter(store: BarStore) -> None:
    store.save_securities(
        [
            Security("sh.600000", "浦发银行", ipo_date=dt.date(1999, 11, 10)),
            Security("sh.000001", "上证指数", type="2"),
        ]
    )
    store.save_securities(
        [
            Security(
                "sh.600000",
                "浦发银行",
                status="0",
                ipo_date=dt.date(1999, 11, 10),
                out_date=dt.date(2030, 1, 1),
            )
        ]
    )

    assert [s.code for s in store.securities()] == ["sh.000001", "sh.600000"]
    (pufa,) = store.securities(["sh.600000", "sh.999999"])
    assert pufa == Security(
        "sh.600000", "浦发银行", "1", "0", dt.date(1999, 11, 10), dt.date(2030, 1, 1)
    )
    store.save_securities([])
