"""The collector end to end: simulator, real baostock client, real SQLite file."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from support.dbread import read_rows

from stockdesk.collect.collector import Collector
from stockdesk.collect.early_stop import IDENTICAL_FAILURES
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.collect.resume import resume_request
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import InputError, JobRunningError
from stockdesk.domain.taskid import TASK_ID_PATTERN
from stockdesk.domain.values import ItemStatus, JobRequest, JobStatus
from stockdesk.simulator import FaultKind

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


class Recorder(JobListener):
    """Keeps every event, to check what the window and the CLI are told."""

    def __init__(self) -> None:
        self.started = []
        self.items = []
        self.progress_reports = []

    def job_started(self, job):
        self.started.append(job)

    def item_finished(self, item):
        self.items.append(item)

    def progress(self, progress):
        self.progress_reports.append(progress)


@pytest.fixture
def database(database_target):
    db = open_database(database_target)
    yield db
    db.close()


@pytest.fixture
def collector(database, simulator):
    return Collector(database, CollectOptions(server=simulator.address, timeout=1.0, backoff=0.01))


def codes_of(market, count):
    return tuple(s.code for s in market.stocks() if s.status == "1" and s.ipo_date < START)[:count]


def stored_rows(database):
    return read_rows(
        database, "SELECT code, date, close, volume FROM daily_bar ORDER BY code, date"
    )


def test_a_job_stores_exactly_the_market_rows_and_logs_the_counts(collector, database, simulator):
    codes = codes_of(simulator.market, 5)
    recorder = Recorder()
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes), listener=recorder)
    assert TASK_ID_PATTERN.match(job.id)
    assert job.status is JobStatus.COMPLETED
    expected = {
        (code, bar[0], float(bar[5]), int(bar[7]))
        for code in codes
        for bar in simulator.market.bars(code, START, END)
    }
    assert set(stored_rows(database)) == expected
    assert (job.total_stocks, job.success_count, job.failed_count) == (5, 5, 0)
    assert job.collected_count == len(expected) and job.progress == 100
    assert recorder.started[0].id == job.id
    assert [item.code for item in recorder.items] == list(codes)
    assert recorder.progress_reports[-1].processed == 5


def test_a_second_identical_run_skips_every_stock_and_adds_no_row(collector, database, simulator):
    request = JobRequest(START, END, universe="codes", codes=codes_of(simulator.market, 4))
    collector.run(request)
    before = stored_rows(database)
    again = collector.run(request)
    assert (again.skipped_count, again.success_count, again.collected_count) == (4, 0, 0)
    assert stored_rows(database) == before
    assert simulator.requests["query_history_k_data_plus"] == 4


def test_universe_all_is_the_stocks_listed_on_the_last_trading_day(collector, simulator):
    job = collector.run(JobRequest(START, END))
    market = simulator.market
    last_day = market.trading_days(START, END)[-1]
    listed = [s for s in market.stocks() if s.listed_between(last_day, last_day)]
    assert job.total_stocks == len(listed) and job.success_count == len(listed)


def test_index_universes_use_the_index_members(collector, simulator):
    job = collector.run(JobRequest(START, END, universe="sz50"))
    last_day = simulator.market.trading_days(START, END)[-1]
    assert job.total_stocks == len(simulator.market.members("sz50", last_day))


def test_the_index_universe_stores_the_listed_indices_apart_from_stocks(
    collector, database, simulator
):
    job = collector.run(JobRequest(START, END, universe="index"))
    market, last_day = simulator.market, simulator.market.trading_days(START, END)[-1]
    indices = [
        s for s in market.securities if s.type == "2" and s.listed_between(last_day, last_day)
    ]
    assert indices and job.total_stocks == job.success_count == len(indices)
    expected = [
        (s.code, row[0], float(row[5]), int(row[7]))
        for s in indices
        for row in market.bars(s.code, START, END)
    ]
    assert [tuple(row) for row in stored_rows(database)] == sorted(expected)
    types = read_rows(
        database, "SELECT DISTINCT s.type FROM daily_bar b JOIN security s USING (code)"
    )
    assert [tuple(row) for row in types] == [("2",)]


def test_a_stock_that_keeps_failing_is_logged_with_its_reason(collector, database, simulator):
    codes = codes_of(simulator.market, 3)
    simulator.faults.add(
        FaultKind.RESET, method="query_history_k_data_plus", code=codes[1], times=None
    )
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes))
    assert job.status is JobStatus.COMPLETED
    assert (job.success_count, job.failed_count) == (2, 1)
    failed = JobLog(database).get_job(job.id, with_failures=True).failed_details
    assert [(f.code, f.attempts) for f in failed] == [(codes[1], 3)]
    assert failed[0].error_code and "重置" in failed[0].error_message


def test_a_transient_fault_is_retried(collector, simulator):
    codes = codes_of(simulator.market, 2)
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", code=codes[0])
    recorder = Recorder()
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes), listener=recorder)
    assert job.success_count == 2
    assert recorder.items[0].attempts == 2


def test_a_server_error_code_is_not_retried_in_vain(collector, simulator, database):
    codes = codes_of(simulator.market, 1)
    simulator.faults.add(
        FaultKind.ERROR,
        method="query_history_k_data_plus",
        code=codes[0],
        error_code="10004011",
        times=None,
    )
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes))
    item = JobLog(database).items(job.id, ItemStatus.FAILED)[0]
    assert (item.attempts, item.error_code) == (1, "10004011")


def test_unknown_codes_are_bad_input_and_the_job_is_logged_failed(collector, database):
    with pytest.raises(InputError, match=r"sh\.699999") as failure:
        collector.run(JobRequest(START, END, universe="codes", codes=("sh.699999",)))
    job = JobLog(database).get_job(failure.value.job_id)
    assert job.status is JobStatus.FAILED and "sh.699999" in job.error_message


def test_an_unreachable_server_fails_the_job_naming_the_address(database):
    address = "127.0.0.1:9"
    job = Collector(database, CollectOptions(server=address, timeout=0.5)).run(
        JobRequest(START, END)
    )
    assert job.status is JobStatus.FAILED and address in job.error_message
    assert JobLog(database).get_job(job.id).status is JobStatus.FAILED


def test_cancel_keeps_what_was_committed(collector, database, simulator):
    codes = codes_of(simulator.market, 6)
    cancel = threading.Event()

    class CancelAfterTwo(Recorder):
        def item_finished(self, item):
            super().item_finished(item)
            if len(self.items) == 2:
                cancel.set()

    job = collector.run(
        JobRequest(START, END, universe="codes", codes=codes),
        listener=CancelAfterTwo(),
        cancel=cancel,
    )
    assert job.status is JobStatus.CANCELLED and job.success_count == 2
    assert {row[0] for row in stored_rows(database)} == set(codes[:2])


def test_a_second_job_on_the_same_database_is_refused(collector, simulator, database):
    simulator.faults.latency = 0.05
    started = threading.Event()
    release = threading.Event()

    class Holder(JobListener):
        def plan_ready(self, job):
            started.set()
            release.wait(10)

    request = JobRequest(START, END, universe="codes", codes=codes_of(simulator.market, 1))
    runner = threading.Thread(target=collector.run, args=(request,), kwargs={"listener": Holder()})
    runner.start()
    try:
        assert started.wait(10)
        with pytest.raises(JobRunningError, match="已有采集任务正在运行"):
            collector.run(request)
    finally:
        release.set()
        runner.join(10)
    assert [job.status for job in JobLog(database).list_jobs()] == [JobStatus.COMPLETED]


def test_resume_collects_only_the_stocks_not_done(collector, simulator):
    codes = codes_of(simulator.market, 5)
    cancel = threading.Event()

    class CancelAfterThree(JobListener):
        count = 0

        def item_finished(self, item):
            self.count += 1
            if self.count == 3:
                cancel.set()

    first = collector.run(
        JobRequest(START, END, universe="codes", codes=codes),
        listener=CancelAfterThree(),
        cancel=cancel,
    )
    recorder = Recorder()
    resumed = collector.run(
        JobRequest(START, END, universe="codes", codes=codes, resumes=first.id), listener=recorder
    )
    assert [item.code for item in recorder.items] == list(codes[3:])
    assert resumed.status is JobStatus.COMPLETED and resumed.resumes == first.id


def test_a_job_whose_first_stocks_all_fail_the_same_way_stops_and_resumes(
    collector, database, simulator
):
    # A server that answers every K-line request successfully but with no rows.
    simulator.faults.add(FaultKind.EMPTY, method="query_history_k_data_plus", times=None)
    codes = codes_of(simulator.market, 30)
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes))

    assert job.status is JobStatus.FAILED
    assert (job.processed_stocks, job.failed_count) == (IDENTICAL_FAILURES, IDENTICAL_FAILURES)
    assert "MISSING_DAYS" in job.error_message and "继续" in job.error_message
    assert simulator.requests["query_history_k_data_plus"] <= IDENTICAL_FAILURES * 3
    failed = JobLog(database).items(job.id, ItemStatus.FAILED)
    assert "回复正常结束" in failed[0].error_message
    assert "回复可能不完整" not in failed[0].error_message
    assert stored_rows(database) == []

    simulator.faults.clear()
    request = resume_request(JobLog(database), job.id)
    resumed = collector.run(request)
    assert resumed.status is JobStatus.COMPLETED
    assert (resumed.total_stocks, resumed.success_count) == (len(codes), len(codes))
    assert {row[0] for row in stored_rows(database)} == set(codes)


def test_failures_after_a_success_never_stop_the_job(collector, simulator):
    codes = codes_of(simulator.market, IDENTICAL_FAILURES + 3)
    for code in codes[1:]:
        simulator.faults.add(
            FaultKind.EMPTY, method="query_history_k_data_plus", code=code, times=None
        )
    job = collector.run(JobRequest(START, END, universe="codes", codes=codes))
    assert job.status is JobStatus.COMPLETED
    assert (job.success_count, job.failed_count) == (1, len(codes) - 1)
