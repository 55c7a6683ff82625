"""The coverage summary and the adjust factors a job keeps, against the simulator."""

from __future__ import annotations

import datetime as dt

from support.dbread import execute, read_rows

from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.db.coverage import CoverageStore
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.simulator import FaultKind

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 28)


def exact_coverage(database):
    return read_rows(
        database,
        "SELECT code, adjustflag, min(date), max(date), count(*) "
        "FROM daily_bar GROUP BY code, adjustflag ORDER BY 1, 2",
    )


def summary(database):
    return read_rows(
        database,
        "SELECT code, adjustflag, first_day, last_day, rows FROM bar_coverage ORDER BY 1, 2",
    )


def collector_for(database, simulator, **options):
    return Collector(
        database, CollectOptions(server=simulator.address, timeout=2.0, backoff=0.01, **options)
    )


def test_by_date_the_summary_and_factors_are_kept_exact(open_db, simulator):
    database = open_db("bydate.db")
    collector = collector_for(database, simulator, per_date_min_stocks=10)
    job = collector.run(JobRequest(START, dt.date(2024, 2, 29)))
    assert job.status is JobStatus.COMPLETED and job.strategy == "per-date"
    assert summary(database) == exact_coverage(database)
    assert read_rows(database, "SELECT count(*) FROM coverage_pending") == [(0,)]
    assert {m for (m,) in read_rows(database, "SELECT missing_days FROM bar_coverage")} == {0}
    checked = CoverageStore(database).factors_checked()
    stored = {code for (code,) in read_rows(database, "SELECT DISTINCT code FROM daily_bar")}
    assert stored <= set(checked)
    # A second range extends the summary; the days between them are counted as missing.
    later = collector.run(JobRequest(dt.date(2024, 9, 2), dt.date(2024, 9, 30)))
    assert later.status is JobStatus.COMPLETED and later.strategy == "per-date"
    assert summary(database) == exact_coverage(database)
    gaps = dict(read_rows(database, "SELECT code, missing_days FROM bar_coverage"))
    summer = len(simulator.market.trading_days(dt.date(2024, 3, 1), dt.date(2024, 8, 31)))
    assert summer in set(gaps.values())


def test_a_factor_reply_cut_off_fails_the_stock_and_stores_nothing_of_it(open_db, simulator):
    database = open_db("cut.db")
    codes = tuple(
        s.code for s in simulator.market.stocks() if s.status == "1" and s.ipo_date < START
    )[:3]
    simulator.faults.add(
        FaultKind.CLOSE_MID_REPLY, method="query_adjust_factor", code=codes[1], times=None
    )
    collector = collector_for(database, simulator)
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes))
    assert (job.success_count, job.failed_count) == (2, 1)
    (failed,) = [item for item in collector_job_items(database) if item[1] == "failed"]
    assert failed[0] == codes[1] and "复权因子" in failed[2]
    assert codes[1] not in CoverageStore(database).factors_checked()
    assert read_rows(
        database, "SELECT count(*) FROM daily_bar WHERE code = :code", code=codes[1]
    ) == [(0,)]

    simulator.faults.clear()
    from stockdesk.collect.resume import resume_request
    from stockdesk.db.joblog import JobLog

    again = collector.run(resume_request(JobLog(database), job.id))
    assert (again.success_count, again.failed_count) == (1, 0)
    assert codes[1] in CoverageStore(database).factors_checked()


def collector_job_items(database):
    return read_rows(database, "SELECT code, status, coalesce(error_message, '') FROM job_item")


def test_a_job_that_died_mid_batch_has_its_coverage_recounted_by_the_next(open_db, simulator):
    database = open_db("died.db")
    collector = collector_for(database, simulator, per_date_min_stocks=10)
    assert collector.run(JobRequest(START, dt.date(2024, 2, 29))).status is JobStatus.COMPLETED
    # As a process killed between a batch's commits leaves it: rows not counted, a mark.
    assert execute(database, "UPDATE bar_coverage SET rows = rows - 7") > 0
    execute(database, "INSERT INTO coverage_pending (job_id) VALUES ('gone')")
    job = collector.run(JobRequest(START, dt.date(2024, 1, 31)))
    assert job.status is JobStatus.COMPLETED
    assert summary(database) == exact_coverage(database)
    assert read_rows(database, "SELECT count(*) FROM coverage_pending") == [(0,)]


def test_by_date_a_history_cut_off_fails_its_stock_and_the_summary_stays_exact(open_db, simulator):
    """Fetched between the days by the same workers, a stock's factor history that fails
    fails the stock (its item waits for the history), and it is retried by a resume."""
    database = open_db("bydate-cut.db")
    victim = next(
        s.code for s in simulator.market.stocks() if s.status == "1" and s.ipo_date < START
    )
    simulator.faults.add(
        FaultKind.CLOSE_MID_REPLY, method="query_adjust_factor", code=victim, times=None
    )
    collector = collector_for(database, simulator, per_date_min_stocks=10)
    job = collector.run(JobRequest(START, dt.date(2024, 2, 29)))
    assert job.status is JobStatus.COMPLETED and job.strategy == "per-date"
    assert job.failed_count == 1 and job.success_count == job.total_stocks - 1
    (failed,) = [item for item in collector_job_items(database) if item[1] == "failed"]
    assert failed[0] == victim and "复权因子" in failed[2]
    assert victim not in CoverageStore(database).factors_checked()
    assert summary(database) == exact_coverage(database)
    assert read_rows(database, "SELECT count(*) FROM coverage_pending") == [(0,)]

    simulator.faults.clear()
    from stockdesk.collect.resume import resume_request
    from stockdesk.db.joblog import JobLog

    again = collector.run(resume_request(JobLog(database), job.id))
    # Its days were all stored by date: only its factors were missing.
    assert (again.skipped_count, again.failed_count) == (1, 0)
    assert victim in CoverageStore(database).factors_checked()
    assert summary(database) == exact_coverage(database)
