"""What a weekly, monthly or minute job knows it has stored, on both stores: a re-run
skips stocks stored complete without a request, and ``update`` extends every frequency a
stock has, in the same job as its daily bars, from where each ends."""

from __future__ import annotations

import datetime as dt

import pytest
from support.dbread import read_rows

from stockdesk.collect.collector import UPDATE, Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.db.coverage import CoverageStore
from stockdesk.domain.frequency import MINUTE_FIELDS, PERIOD_FIELDS
from stockdesk.domain.values import ItemStatus, JobRequest, JobStatus
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer
from stockdesk.source.frames import parse_frames

D = dt.date
START = D(2024, 5, 6)
BEFORE, AFTER = D(2024, 6, 14), D(2024, 6, 28)
"""Two Fridays: what the server has at the first collect, and at the update."""


@pytest.fixture
def market() -> Market:
    return Market(seed=11, stocks=20, indices=2)


@pytest.fixture
def server(market):
    with SimulatorServer(market) as running:
        yield running


@pytest.fixture
def database(open_db):
    return open_db("frames.db")


@pytest.fixture
def collector(database, server):
    return Collector(database, CollectOptions(server=server.address, backoff=0.01))


def codes_of(market: Market, count: int) -> tuple[str, ...]:
    return tuple(s.code for s in market.stocks() if s.status == "1" and s.ipo_date < D(2023, 1, 1))[
        :count
    ]


def served(market: Market, codes, frequency: str, start: dt.date, end: dt.date) -> list:
    rows = []
    for code in codes:
        if frequency in ("w", "m"):
            rows += parse_frames(
                PERIOD_FIELDS, market.period_bars(code, start, end, frequency), frequency
            )
        else:
            block = market.minute_bars(code, start, end, frequency)
            rows += parse_frames(MINUTE_FIELDS, block.rows(0, len(block)), frequency)
    return sorted(rows)


def stored(database, frequency: str) -> list:
    """The stored bars in the served tuples' form (minute times without fractions)."""
    if frequency in ("w", "m"):
        rows = read_rows(
            database, "SELECT * FROM period_bar WHERE frequency = :f ORDER BY 1, 4", f=frequency
        )
        return [tuple(row) for row in rows]
    rows = read_rows(
        database, "SELECT * FROM minute_bar WHERE frequency = :f ORDER BY 1, 4", f=frequency
    )
    return [(*row[:3], str(row[3]).replace("T", " ")[:19], *row[4:]) for row in rows]


def normal(rows: list) -> list:
    return [(*row[:3], row[3][:19], *row[4:]) if len(row) == 11 else row for row in rows]


def test_a_rerun_skips_stocks_stored_complete_and_asks_nothing(collector, database, market, server):
    market.today = BEFORE
    codes = codes_of(market, 2)
    request = JobRequest(START, BEFORE, universe="codes", codes=codes, frequency="15")
    first = collector.run(request)
    assert (first.status, first.success_count) == (JobStatus.COMPLETED, 2)
    rows = stored(database, "15")

    server.requests.clear()
    again = collector.run(request)
    assert (again.status, again.skipped_count, again.success_count) == (
        JobStatus.COMPLETED,
        2,
        0,
    )
    assert server.requests["query_history_k_data_plus"] == 0
    assert stored(database, "15") == rows

    # A range reaching past what is known complete is fetched again, and then known.
    market.today = AFTER
    longer = collector.run(JobRequest(START, AFTER, universe="codes", codes=codes, frequency="15"))
    assert (longer.success_count, longer.skipped_count) == (2, 0)
    coverage = CoverageStore(database).frames(frequency="15")
    assert [(row.code, row.complete_from, row.complete_through) for row in coverage] == [
        (code, START, AFTER) for code in sorted(codes)
    ]
    assert [row.rows for row in coverage] == [
        len(served(market, (code,), "15", START, AFTER)) for code in sorted(codes)
    ]


@pytest.mark.parametrize("sessions", [1, 2])
def test_update_extends_every_frequency_a_stock_has_in_one_job(database, market, server, sessions):
    """With two sessions the workers fetch each frequency the update asks them for,
    not the update request's own (daily)."""
    collector = Collector(
        database, CollectOptions(server=server.address, backoff=0.01, sessions=sessions)
    )
    market.today = BEFORE
    codes = codes_of(market, 2)
    for frequency in ("d", "5", "w"):
        job = collector.run(
            JobRequest(START, BEFORE, universe="codes", codes=codes, frequency=frequency)
        )
        assert (job.status, job.failed_count) == (JobStatus.COMPLETED, 0), job.error_message

    market.today = AFTER
    today = dt.date.today()
    update = collector.run(JobRequest(today, today, universe=UPDATE))
    assert update.status is JobStatus.COMPLETED, update.error_message
    assert update.failed_count == 0
    assert update.end_date == AFTER
    items = read_rows(
        database,
        "SELECT code, frequency, status FROM job_item WHERE job_id = :id",
        id=update.id,
    )
    assert sorted(items) == sorted(
        (code, frequency, ItemStatus.SUCCESS) for code in codes for frequency in ("d", "5", "w")
    )
    assert normal(stored(database, "5")) == normal(served(market, codes, "5", START, AFTER))
    assert stored(database, "w") == served(market, codes, "w", START, AFTER)
    known = {
        (row.code, row.frequency): (row.complete_from, row.complete_through)
        for row in CoverageStore(database).frames()
    }
    assert known == {(code, f): (START, AFTER) for code in codes for f in ("5", "w")}

    # Nothing new: every frequency is current, no bars are asked for.
    server.requests.clear()
    current = collector.run(JobRequest(today, today, universe=UPDATE))
    assert current.status is JobStatus.COMPLETED
    assert current.success_count == 0
    assert server.requests["query_history_k_data_plus"] == 0


def test_update_of_a_database_holding_only_minute_bars(collector, database, market):
    market.today = BEFORE
    codes = codes_of(market, 1)
    first = collector.run(JobRequest(START, BEFORE, universe="codes", codes=codes, frequency="60"))
    assert first.success_count == 1

    market.today = AFTER
    today = dt.date.today()
    update = collector.run(JobRequest(today, today, universe=UPDATE))
    assert (update.status, update.success_count, update.total_stocks) == (
        JobStatus.COMPLETED,
        1,
        1,
    )
    assert normal(stored(database, "60")) == normal(served(market, codes, "60", START, AFTER))
    assert read_rows(database, "SELECT count(*) FROM daily_bar") == [(0,)]
