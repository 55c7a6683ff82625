"""``update``: a stored history brought to the server's last trading day, by date."""

from __future__ import annotations

import datetime as dt

import pytest
from support.dbread import read_rows

from stockdesk.collect.collector import UPDATE, Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.db.coverage import CoverageStore
from stockdesk.domain.errors import InputError
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.simulator.calendar import trading_days
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

D = dt.date


def find_week(market: Market) -> tuple[dt.date, dt.date]:
    """A week in which a stock lists and another has an ex-rights day: (the last day
    before it, its last day)."""
    timeline = market._timeline
    events = {
        timeline.day(day) for s in market.stocks() for day in market._profile(s).ex_days.tolist()
    }
    for security in sorted(market.stocks(), key=lambda s: s.ipo_date):
        ipo = security.ipo_date
        if ipo < D(2020, 1, 1) or ipo > D(2026, 6, 1):
            continue
        week = trading_days(ipo - dt.timedelta(days=2), ipo + dt.timedelta(days=5))
        if any(day in events for day in week) and week[0] < ipo:
            before = trading_days(ipo - dt.timedelta(days=10), week[0] - dt.timedelta(days=1))
            return before[-1], week[-1]
    raise AssertionError("no week with a listing and an ex-rights day")


@pytest.fixture
def market() -> Market:
    return Market(seed=7, stocks=60, indices=4)


@pytest.fixture
def server(market):
    with SimulatorServer(market) as running:
        yield running


def update_request() -> JobRequest:
    today = dt.date.today()
    return JobRequest(today, today, universe=UPDATE)


def test_update_stores_the_new_days_listings_and_factors_by_date(open_db, market, server):
    before, after = find_week(market)
    market.today = before
    start = before - dt.timedelta(days=120)
    database = open_db("update.db")
    collector = Collector(
        database, CollectOptions(server=server.address, timeout=2.0, backoff=0.01)
    )
    first = collector.run(JobRequest(start, before))
    assert first.status is JobStatus.COMPLETED and first.failed_count == 0
    stocks_before = {code for (code,) in read_rows(database, "SELECT DISTINCT code FROM daily_bar")}

    market.today = after
    server.requests.clear()
    job = collector.run(update_request())
    assert job.status is JobStatus.COMPLETED, job.error_message
    assert job.failed_count == 0 and job.universe == UPDATE
    new_days = trading_days(before + dt.timedelta(days=1), after)
    assert (job.start_date, job.end_date) == (new_days[0], after)
    assert job.strategy == "per-date"
    assert server.requests["query_daily_history_k_AStock"] == len(new_days)
    assert server.requests["query_daily_adjust_factor"] == len(new_days)
    assert server.requests["query_history_k_data_plus"] == 0, "no request per stock"
    assert server.requests["query_adjust_factor"] == 0

    listed = [s for s in market.stocks() if before < s.ipo_date <= after]
    assert listed, "the week has a new listing"
    codes = stocks_before | {s.code for s in listed}
    for code in sorted(codes):
        want = [(row[0], float(row[5])) for row in market.bars(code, start, after)]
        got = read_rows(
            database,
            "SELECT date, close FROM daily_bar WHERE code = :code ORDER BY date",
            code=code,
        )
        assert got == want, code
    # The coverage summary is what the bars say.
    exact = read_rows(
        database,
        "SELECT code, adjustflag, min(date), max(date), count(*) "
        "FROM daily_bar GROUP BY code, adjustflag ORDER BY code",
    )
    summary = read_rows(
        database,
        "SELECT code, adjustflag, first_day, last_day, rows FROM bar_coverage ORDER BY code",
    )
    assert summary == exact
    assert {m for (m,) in read_rows(database, "SELECT missing_days FROM bar_coverage")} == {0}
    # The factors are the server's, every event up to today.
    checked = CoverageStore(database).factors_checked()
    for code in sorted(codes):
        security = market.security(code)
        until = min(after, security.out_date) if security.out_date else after
        assert checked[code] >= until
        server_rows = market_factor_dates(market, code, after)
        got = [
            day
            for (day,) in read_rows(
                database,
                "SELECT divid_operate_date FROM adjust_factor WHERE code = :code ORDER BY 1",
                code=code,
            )
        ]
        assert got == server_rows, code

    # Nothing left: the database is current, no day or stock is asked again.
    server.requests.clear()
    again = collector.run(update_request())
    assert again.status is JobStatus.COMPLETED and again.success_count == 0
    assert server.requests["query_daily_history_k_AStock"] == 0
    assert server.requests["query_history_k_data_plus"] == 0


def test_stored_indices_are_updated_stock_by_stock_beside_the_market_by_date(
    open_db, market, server
):
    """The market's reply of a day holds no index: an update asks each index its days
    at once, rather than finding them missing from every day, and says how many of its
    items are indices."""
    before, after = D(2024, 6, 14), D(2024, 6, 28)
    market.today = before
    database = open_db("indices.db")
    collector = Collector(database, CollectOptions(server=server.address, backoff=0.01))
    for universe in ("index", "all"):
        job = collector.run(JobRequest(D(2024, 5, 6), before, universe=universe))
        assert (job.status, job.failed_count) == (JobStatus.COMPLETED, 0)
    indices = sorted(s.code for s in market.securities if s.type == "2")
    assert len(indices) == 4

    market.today = after
    server.requests.clear()
    messages: list[str] = []
    listener = JobListener()
    listener.message = messages.append  # type: ignore[method-assign]
    job = collector.run(update_request(), listener=listener)
    assert (job.status, job.failed_count, job.strategy) == (JobStatus.COMPLETED, 0, "per-date")
    assert server.requests["query_history_k_data_plus"] == len(indices)
    assert not [text for text in messages if "不完整" in text]
    assert any("其中 4 个指数" in text for text in messages)
    for code in indices:
        want = [(row[0], float(row[5])) for row in market.bars(code, D(2024, 5, 6), after)]
        got = read_rows(
            database,
            "SELECT date, close FROM daily_bar WHERE code = :code ORDER BY date",
            code=code,
        )
        assert got == want, code


def market_factor_dates(market: Market, code: str, today: dt.date) -> list[str]:
    profile = market._profile(market.security(code))
    return [
        market._timeline.day(day).isoformat()
        for day in profile.ex_days.tolist()
        if market._timeline.day(day) <= today
    ]


def test_update_of_an_empty_database_is_refused_before_any_job(open_db, server):
    database = open_db("empty.db")
    collector = Collector(database, CollectOptions(server=server.address))
    with pytest.raises(InputError, match="collect"):
        collector.run(update_request())
    assert read_rows(database, "SELECT count(*) FROM collection_job") == [(0,)]


def test_an_update_whose_day_fails_finishes_stock_by_stock_and_exactly(open_db, market, server):
    from stockdesk.simulator import FaultKind

    before, after = find_week(market)
    market.today = before
    start = before - dt.timedelta(days=60)
    database = open_db("faulty.db")
    collector = Collector(
        database, CollectOptions(server=server.address, timeout=2.0, backoff=0.01)
    )
    assert collector.run(JobRequest(start, before)).failed_count == 0
    market.today = after
    new_days = trading_days(before + dt.timedelta(days=1), after)
    server.faults.add(
        FaultKind.ERROR,
        method="query_daily_history_k_AStock",
        date=new_days[1].isoformat(),
        times=None,
        error_code="10002007",
    )
    server.faults.add(
        FaultKind.RESET,
        method="query_daily_adjust_factor",
        date=new_days[0].isoformat(),
        times=None,
    )
    server.requests.clear()
    job = collector.run(update_request())
    assert job.status is JobStatus.COMPLETED and job.failed_count == 0, job.error_message
    assert server.requests["query_history_k_data_plus"] > 0  # the stocks the day left
    assert server.requests["query_adjust_factor"] > 0  # the window failed: histories
    for code in {c for (c,) in read_rows(database, "SELECT DISTINCT code FROM daily_bar")}:
        want = [(row[0], float(row[5])) for row in market.bars(code, start, after)]
        got = read_rows(
            database,
            "SELECT date, close FROM daily_bar WHERE code = :code ORDER BY date",
            code=code,
        )
        assert got == want, code
        assert CoverageStore(database).factors_checked()[code] >= min(
            after, market.security(code).out_date or after
        )
    exact = read_rows(
        database,
        "SELECT code, adjustflag, min(date), max(date), count(*) "
        "FROM daily_bar GROUP BY code, adjustflag ORDER BY code",
    )
    assert (
        read_rows(
            database,
            "SELECT code, adjustflag, first_day, last_day, rows FROM bar_coverage ORDER BY code",
        )
        == exact
    )


def test_resuming_an_update_runs_the_update_again(open_db, market, server):
    from stockdesk.collect.resume import resume_request
    from stockdesk.db.joblog import JobLog

    before, after = find_week(market)
    market.today = before
    database = open_db("resume.db")
    collector = Collector(
        database, CollectOptions(server=server.address, timeout=2.0, backoff=0.01)
    )
    assert collector.run(JobRequest(before - dt.timedelta(days=30), before)).failed_count == 0
    market.today = after
    cut = collector.run(update_request(), cancel=_set_event())
    assert cut.status is JobStatus.CANCELLED
    request = resume_request(JobLog(database), cut.id)
    assert request.universe == UPDATE and request.resumes == cut.id
    job = collector.run(request)
    assert job.status is JobStatus.COMPLETED and job.failed_count == 0
    assert job.resumes == cut.id and job.end_date == after
    last = read_rows(database, "SELECT max(date) FROM daily_bar")[0][0]
    assert last == after.isoformat()


def _set_event():
    import threading

    event = threading.Event()
    event.set()
    return event


def test_a_stock_delisted_since_gets_its_last_days_and_its_out_date(open_db):
    market = Market(seed=7, stocks=200, indices=2)
    gone = next(
        s
        for s in market.stocks()
        if s.out_date is not None
        and s.out_date > D(2020, 6, 1)
        and s.ipo_date < s.out_date - dt.timedelta(days=90)
    )
    before = trading_days(
        gone.out_date - dt.timedelta(days=20), gone.out_date - dt.timedelta(days=10)
    )[-1]
    market.today = before
    database = open_db("delisted.db")
    with SimulatorServer(market) as running:
        collector = Collector(
            database, CollectOptions(server=running.address, timeout=2.0, backoff=0.01)
        )
        job = collector.run(
            JobRequest(before - dt.timedelta(days=40), before, universe="codes", codes=(gone.code,))
        )
        assert job.status is JobStatus.COMPLETED
        assert read_rows(
            database, "SELECT status, out_date FROM security WHERE code = :code", code=gone.code
        ) == [("1", None)]
        market.today = gone.out_date + dt.timedelta(days=30)
        job = collector.run(update_request())
    assert job.status is JobStatus.COMPLETED and job.failed_count == 0
    assert read_rows(
        database, "SELECT status, out_date FROM security WHERE code = :code", code=gone.code
    ) == [("0", gone.out_date.isoformat())]
    last = read_rows(database, "SELECT max(date) FROM daily_bar WHERE code = :code", code=gone.code)
    assert last == [(gone.out_date.isoformat(),)]
    want = [row[0] for row in market.bars(gone.code, before - dt.timedelta(days=40), gone.out_date)]
    got = [
        day
        for (day,) in read_rows(
            database, "SELECT date FROM daily_bar WHERE code = :code ORDER BY date", code=gone.code
        )
    ]
    assert got == want
