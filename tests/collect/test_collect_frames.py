"""Jobs collecting weekly, monthly and minute bars from the simulator, on both stores,
with one session and with two (worker processes): stored row for row as served, re-run
and resumed without duplicates, a page lost in the middle of a minute history never
stored as complete, and a cancelled job's log matching what it stored."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from support.dbread import read_rows

from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import open_database
from stockdesk.domain.frequency import MINUTE_FIELDS, PERIOD_FIELDS
from stockdesk.domain.values import ItemStatus, JobRequest, JobStatus
from stockdesk.simulator import FaultKind
from stockdesk.source.frames import parse_frames

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


@pytest.fixture
def database(database_target):
    db = open_database(database_target)
    yield db
    db.close()


@pytest.fixture
def collector(database, simulator):
    return Collector(database, CollectOptions(server=simulator.address, backoff=0.01))


def codes_of(market, count):
    return tuple(s.code for s in market.stocks() if s.status == "1" and s.ipo_date < START)[:count]


def served(market, codes, frequency, start=START, end=END):
    rows = []
    for code in codes:
        if frequency in ("w", "m"):
            wire = market.period_bars(code, start, end, frequency)
            rows += parse_frames(PERIOD_FIELDS, wire, frequency)
        else:
            block = market.minute_bars(code, start, end, frequency)
            rows += parse_frames(MINUTE_FIELDS, block.rows(0, len(block)), frequency)
    return sorted(rows)


def stored(database, table):
    rows = read_rows(database, f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4")
    return [
        tuple(
            str(v).replace("T", " ") if k == 3 and table == "minute_bar" else v
            for k, v in enumerate(row)
        )
        for row in rows
    ]


def normal(rows):
    """Minute times as SQLite stores them; PostgreSQL gives them back without fraction."""
    return [(*row[:3], row[3][:19], *row[4:]) for row in rows]


@pytest.mark.parametrize("frequency", ["w", "m"])
def test_weeks_and_months_are_stored_row_for_row(collector, database, simulator, frequency):
    codes = codes_of(simulator.market, 3)
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes, frequency=frequency))
    assert (job.status, job.success_count, job.failed_count) == (JobStatus.COMPLETED, 3, 0)
    expected = served(simulator.market, codes, frequency)
    assert stored(database, "period_bar") == expected
    assert job.collected_count == len(expected)


def test_minute_bars_are_stored_row_for_row_and_a_rerun_adds_none(collector, database, simulator):
    codes = codes_of(simulator.market, 2)
    request = JobRequest(START, END, universe="codes", codes=codes, frequency="5")
    job = collector.run(request)
    assert (job.status, job.success_count) == (JobStatus.COMPLETED, 2)
    expected = served(simulator.market, codes, "5")
    assert normal(stored(database, "minute_bar")) == normal(expected)
    collector.run(request)
    assert len(stored(database, "minute_bar")) == len(expected)
    assert read_rows(database, "SELECT count(*) FROM daily_bar") == [(0,)]


def test_a_page_lost_mid_history_fails_the_stock_and_resume_completes_it(
    collector, database, simulator
):
    codes = codes_of(simulator.market, 2)
    simulator.faults.add(
        FaultKind.EMPTY, method="query_history_k_data_plus", code=codes[1], page=3, times=None
    )
    request = JobRequest(START, END, universe="codes", codes=codes, frequency="5")
    job = collector.run(request)
    assert (job.success_count, job.failed_count) == (1, 1)
    rows = stored(database, "minute_bar")
    assert {row[0] for row in rows} == {codes[0]}
    simulator.faults.clear()
    resumed = collector.run(
        JobRequest(START, END, universe="codes", codes=codes, frequency="5", resumes=job.id)
    )
    assert (resumed.total_stocks, resumed.success_count) == (1, 1)
    assert normal(stored(database, "minute_bar")) == normal(served(simulator.market, codes, "5"))
    items = read_rows(database, "SELECT status FROM job_item WHERE job_id = :id", id=job.id)
    assert sorted(row[0] for row in items) == sorted([ItemStatus.SUCCESS, ItemStatus.FAILED])


def test_load_bars_reads_minute_and_weekly_bars_adjusted_with_the_stored_factors(
    collector, database, simulator
):
    from stockdesk.data import load_bars

    market = simulator.market
    code = next(
        s.code
        for s in market.stocks()
        if s.status == "1"
        and s.ipo_date < START
        and market._profile(s).ex_days.size
        and any(
            START.year <= market._timeline.day(d).year <= 2024
            for d in market._profile(s).ex_days.tolist()
        )
    )
    for frequency in ("60", "w"):
        job = collector.run(
            JobRequest(START, END, universe="codes", codes=(code,), frequency=frequency)
        )
        assert job.success_count == 1
    raw = load_bars(code, frequency="60", db=database)
    back = load_bars(code, frequency="60", adjust="hfq", db=database)
    block = market.minute_bars(code, START, END, "60", "1")
    served_back = [float(row[6]) for row in block.rows(0, len(block))]
    assert len(raw) == len(back) == len(served_back) > 0
    assert back["close"].tolist() == pytest.approx(served_back, rel=1e-9)
    assert raw.index.name == "time" and str(raw.index[0]).endswith("10:30:00")
    assert list(raw.columns[:4]) == ["code", "frequency", "adjustflag", "trading_day"]
    assert set(back["adjustflag"]) == {"1"} and (back["close"] != raw["close"]).any()
    forward = load_bars(code, frequency="60", adjust="qfq", db=database)
    ratio = (forward["close"] / back["close"]).round(12)
    assert ratio.nunique() == 1  # forward = backward / the latest factor, every bar alike
    weeks = load_bars(code, frequency="w", adjust="hfq", db=database)
    served_weeks = market.period_bars(code, START, END, "w", "1")
    assert weeks.index.strftime("%Y-%m-%d").tolist() == [row[0] for row in served_weeks]
    assert weeks["volume"].tolist() == [int(row[6]) for row in served_weeks]


@pytest.fixture
def pooled(database, simulator):
    """Two sessions: worker processes fetch and check, this process writes."""
    options = CollectOptions(server=simulator.address, backoff=0.01, timeout=5.0, sessions=2)
    return Collector(database, options)


@pytest.mark.parametrize("frequency", ["5", "w"])
def test_two_sessions_store_row_for_row_as_served_and_a_rerun_adds_none(
    pooled, database, simulator, frequency
):
    codes = codes_of(simulator.market, 4)
    request = JobRequest(START, END, universe="codes", codes=codes, frequency=frequency)
    logins = simulator.requests["login"]
    job = pooled.run(request)
    assert (job.status, job.success_count, job.failed_count) == (JobStatus.COMPLETED, 4, 0)
    assert 1 + 1 <= simulator.requests["login"] - logins <= 1 + 2  # the job's, the workers'
    table = "minute_bar" if frequency == "5" else "period_bar"
    expected = served(simulator.market, codes, frequency)
    assert normal(stored(database, table)) == normal(expected)
    assert job.collected_count == len(expected)
    items = read_rows(database, "SELECT code, rows FROM job_item WHERE job_id = :id", id=job.id)
    assert sorted(items) == sorted(
        (code, sum(row[0] == code for row in expected)) for code in codes
    )
    again = pooled.run(request)  # stored complete: skipped without a request
    assert (again.status, again.success_count, again.skipped_count) == (
        JobStatus.COMPLETED,
        0,
        4,
    )
    assert len(stored(database, table)) == len(expected)


def test_two_sessions_fail_a_stock_with_a_lost_page_and_resume_completes_it(
    pooled, database, simulator
):
    codes = codes_of(simulator.market, 3)
    simulator.faults.add(
        FaultKind.EMPTY, method="query_history_k_data_plus", code=codes[1], page=3, times=None
    )
    request = JobRequest(START, END, universe="codes", codes=codes, frequency="5")
    job = pooled.run(request)
    assert (job.status, job.success_count, job.failed_count) == (JobStatus.COMPLETED, 2, 1)
    assert {row[0] for row in stored(database, "minute_bar")} == {codes[0], codes[2]}
    simulator.faults.clear()
    resumed = pooled.run(
        JobRequest(START, END, universe="codes", codes=codes, frequency="5", resumes=job.id)
    )
    assert (resumed.total_stocks, resumed.success_count) == (1, 1)
    assert normal(stored(database, "minute_bar")) == normal(served(simulator.market, codes, "5"))


def test_cancel_stops_two_sessions_and_keeps_logged_equal_to_stored(pooled, database, simulator):
    codes = codes_of(simulator.market, 12)
    simulator.faults.latency = 0.02
    cancel = threading.Event()

    class CancelAfterTwo(JobListener):
        done = 0

        def item_finished(self, item):
            self.done += 1
            if self.done == 2:
                cancel.set()

    job = pooled.run(
        JobRequest(START, END, universe="codes", codes=codes, frequency="5"),
        listener=CancelAfterTwo(),
        cancel=cancel,
    )
    assert job.status is JobStatus.CANCELLED
    assert 2 <= job.success_count < len(codes)
    items = read_rows(database, "SELECT code, rows FROM job_item WHERE job_id = :id", id=job.id)
    rows = stored(database, "minute_bar")
    assert {code for code, _count in items} == {row[0] for row in rows}
    assert sum(count for _code, count in items) == len(rows) == job.collected_count
