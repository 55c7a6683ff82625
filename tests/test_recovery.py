"""Nothing lost, nothing hung: kill -9, resume, the job gate, a vanishing server, bad files.

Real ``stockdesk`` processes against the simulator, killed with SIGKILL where a laptop
would lose power, and the database read back with its plain driver (``sqlite3``, or
psycopg for PostgreSQL) and compared row by row with the simulator's own data. Every wait
has a deadline; nothing sleeps blindly. The kill, resume and race tests run on SQLite and
PostgreSQL alike; the outage and damaged-file tests are about SQLite and the source.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from recovery_helpers import (
    PROCESS_TIMEOUT,
    job_counts,
    jobs,
    mismatches,
    run_stockdesk,
    started,
    wait_for,
)
from sqlalchemy import event
from support.audit import expected_rows, item_counts, query, stored_rows
from support.processes import kill_hard

from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import JobRecord, JobRequest, JobStatus
from stockdesk.simulator import Market, SimulatorServer

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
BUSY_MESSAGE = "已有采集任务正在运行，请等待完成后再启动新任务"
as_root = os.name == "posix" and os.geteuid() == 0


def listed_codes(market: Market, count: int) -> list[str]:
    """Stocks trading over the whole range, so every one has rows to store."""
    return [s.code for s in market.stocks() if s.status == "1" and s.ipo_date < START][:count]


def collect_args(
    db_path: Path, server: SimulatorServer, codes: list[str], *extra: str
) -> list[str]:
    return [
        "collect",
        "--start",
        START.isoformat(),
        "--end",
        END.isoformat(),
        "--codes",
        ",".join(codes),
        "--db",
        str(db_path),
        "--server",
        server.address,
        "--timeout",
        "2",
        *extra,
    ]


def items_committed(db_path: Path) -> int:
    return query(db_path, "SELECT count(*) FROM job_item")[0][0]


def job_with(listing: list[dict], **fields: object) -> dict:
    """The one job of ``jobs list --json`` with these field values. Not by position:
    jobs started within the same second are not reliably listed newest first."""
    [job] = [j for j in listing if all(j[k] == v for k, v in fields.items())]
    return job


@pytest.fixture
def db_path(backend: str, database_target: str) -> Path | str:
    """The test's database: a SQLite file's path, or a PostgreSQL URL."""
    return Path(database_target) if backend == "sqlite" else database_target


@pytest.fixture
def killed_job(simulator: SimulatorServer, db_path: Path) -> tuple[list[str], int]:
    """A collect of 12 stocks killed with SIGKILL once at least 3 stocks are committed.

    Returns the codes and the number of job items committed when the kill landed.
    """
    codes = listed_codes(simulator.market, 12)
    simulator.faults.latency = 0.1  # ~0.1 s a stock: the kill lands mid-job
    with started(*collect_args(db_path, simulator, codes)) as process:
        wait_for(
            lambda: items_committed(db_path) >= 3,
            timeout=30,
            what="3 stocks committed",
            alive=process,
        )
        kill_hard(process)
    committed = items_committed(db_path)
    assert 3 <= committed < len(codes), "the kill must land mid-job for this test to mean much"
    simulator.faults.latency = 0.0
    return codes, committed


# -- (a) kill -9 ----------------------------------------------------------------------------


def test_a_killed_job_is_interrupted_at_the_next_start_with_its_committed_counts(
    killed_job: tuple[list[str], int], db_path: Path, simulator: SimulatorServer
) -> None:
    codes, committed = killed_job
    assert query(db_path, "SELECT status FROM collection_job") == [("running",)]

    [job] = jobs(db_path)

    assert job["status"] == "interrupted"
    assert job["end_time"] and "中断" in job["error_message"]
    assert job_counts(job) == item_counts(db_path, job["id"])
    assert job["processed_stocks"] == committed == job["success_count"]
    assert job["total_stocks"] == len(codes)
    done = [
        code
        for (code,) in query(
            db_path, "SELECT code FROM job_item WHERE job_id = ? AND status = 'success'", job["id"]
        )
    ]
    assert mismatches(db_path, simulator.market, done, START, END) == {}
    assert (
        job["collected_count"]
        == query(
            db_path,
            f"SELECT count(*) FROM daily_bar WHERE code IN ({','.join('?' * len(done))})",
            *done,
        )[0][0]
    )


# -- (b) resume -----------------------------------------------------------------------------


def test_resume_collects_only_what_is_left_and_the_database_equals_the_market(
    killed_job: tuple[list[str], int], db_path: Path, simulator: SimulatorServer
) -> None:
    codes, committed = killed_job
    [killed] = jobs(db_path)
    asked_before = simulator.requests["query_history_k_data_plus"]

    done = run_stockdesk(
        "collect",
        "--resume",
        killed["id"],
        "--json",
        "--db",
        str(db_path),
        "--server",
        simulator.address,
    )

    assert done.returncode == 0, done.stderr
    listing = jobs(db_path)
    newest, old = job_with(listing, resumes=killed["id"]), job_with(listing, id=killed["id"])
    assert newest["status"] == "completed"
    assert newest["total_stocks"] == len(codes) - committed == newest["success_count"]
    assert simulator.requests["query_history_k_data_plus"] - asked_before == len(codes) - committed
    resumed_codes = {
        c for (c,) in query(db_path, "SELECT code FROM job_item WHERE job_id = ?", newest["id"])
    }
    first_codes = {
        c for (c,) in query(db_path, "SELECT code FROM job_item WHERE job_id = ?", old["id"])
    }
    assert resumed_codes.isdisjoint(first_codes) and resumed_codes | first_codes == set(codes)
    assert old == killed, "resuming must not rewrite the interrupted job's record"
    assert mismatches(db_path, simulator.market, codes, START, END) == {}
    assert query(
        db_path,
        "SELECT count(*) FROM (SELECT 1 FROM daily_bar GROUP BY code, "
        "date, adjustflag HAVING count(*) > 1) AS doubled",
    ) == [(0,)]


def test_resuming_a_resumed_job_skips_what_the_whole_chain_did(
    killed_job: tuple[list[str], int], db_path: Path, simulator: SimulatorServer
) -> None:
    """Killed, resumed, killed again, resumed again: the last job is what is left of the
    original request, not of the middle job alone."""
    codes, _ = killed_job
    [first] = jobs(db_path)
    simulator.faults.latency = 0.1
    with started(
        "collect",
        "--resume",
        first["id"],
        "--db",
        str(db_path),
        "--server",
        simulator.address,
        "--timeout",
        "2",
    ) as process:
        wait_for(
            lambda: (
                query(db_path, "SELECT count(*) FROM job_item WHERE job_id != ?", first["id"])[0][0]
                >= 2
            ),
            timeout=30,
            what="2 stocks of the resumed job",
            alive=process,
        )
        kill_hard(process)
    simulator.faults.latency = 0.0
    second = job_with(jobs(db_path), resumes=first["id"])
    assert second["status"] == "interrupted"
    left = len(codes) - first["success_count"] - second["success_count"]

    done = run_stockdesk(
        "collect",
        "--resume",
        second["id"],
        "--json",
        "--db",
        str(db_path),
        "--server",
        simulator.address,
    )

    assert done.returncode == 0, done.stderr
    third = job_with(jobs(db_path), resumes=second["id"])
    assert mismatches(db_path, simulator.market, codes, START, END) == {}
    assert (third["total_stocks"], third["skipped_count"]) == (left, 0)


@pytest.mark.sqlite_only
def test_a_kill_leaves_no_worker_process_behind(simulator: SimulatorServer, db_path: Path) -> None:
    """With several sessions the fetching runs in child processes; they must not outlive
    a killed parent (each holds a server session, and the public server limits those).
    Nothing runs in the killed parent, so the workers must notice on their own."""
    codes = listed_codes(simulator.market, 12)
    simulator.faults.latency = 0.1
    with started(*collect_args(db_path, simulator, codes, "--sessions", "2")) as process:
        wait_for(
            lambda: items_committed(db_path) >= 2,
            timeout=30,
            what="2 stocks committed",
            alive=process,
        )
        assert psutil.Process(process.pid).children(), "a 2-session job fetches in worker processes"
        survivors = kill_hard(process, workers_grace=10)
    assert survivors == [], f"worker processes outlived the killed job: {survivors}"


@pytest.fixture(scope="module")
def big_market() -> Market:
    """Enough stocks (1,200: over 300, and more than the range's trading days) that a whole-
    market job fetches by date, one whole-market reply a day, in a worker process."""
    return Market(seed=11, stocks=1200, indices=4)


@pytest.mark.sqlite_only
def test_a_kill_mid_per_date_job_leaves_no_worker_process_behind(
    big_market: Market, db_path: Path
) -> None:
    """Per-date replies are large (a row per stock): a worker's result can fill the pipe
    to a parent that is gone, and the worker must still end."""
    with SimulatorServer(big_market) as server:
        server.faults.latency = 0.05
        argv = [
            "collect",
            "--start",
            "2024-01-01",
            "--end",
            "2024-03-31",
            "--universe",
            "all",
            "--db",
            str(db_path),
            "--server",
            server.address,
            "--timeout",
            "2",
        ]
        with started(*argv) as process:
            wait_for(
                lambda: query(db_path, "SELECT strategy FROM collection_job") == [("per-date",)],
                timeout=30,
                what="the per-date plan",
                alive=process,
            )
            wait_for(
                lambda: server.requests["query_daily_history_k_AStock"] >= 8,
                timeout=30,
                what="8 days fetched",
                alive=process,
            )
            # A worker checks for its parent every 0.5 s, or after its request (<= 2 s).
            survivors = kill_hard(process, workers_grace=5)
    assert survivors == [], f"worker processes outlived the killed job: {survivors}"


def test_jobs_started_in_the_same_second_are_listed_newest_first(db_path: Path) -> None:
    database = open_database(db_path)
    try:
        log = JobLog(database)
        second = dt.datetime(2024, 5, 6, 9, 30, 0)
        request = JobRequest(START, END)
        older = log.start_job(request, thread_id=900, now=second)
        log.finish_job(older.id, JobStatus.INTERRUPTED)
        newer = log.start_job(request, thread_id=100, now=second + dt.timedelta(0, 0, 500_000))
        assert [job.id for job in log.list_jobs()] == [newer.id, older.id]
    finally:
        database.close()


# -- (c) two processes, one database --------------------------------------------------------


def test_two_collects_started_together_one_runs_the_other_exits_3(
    simulator: SimulatorServer, database_targets: Callable[..., str]
) -> None:
    """Both start on a database that does not exist yet (SQLite) or has no tables yet
    (PostgreSQL): creating it is part of the race."""
    db_path = database_targets("race", empty=True)
    codes = listed_codes(simulator.market, 6)
    simulator.faults.latency = 0.2  # the winner runs ~1.5 s: long after the loser has tried
    with (
        started(*collect_args(db_path, simulator, codes)) as first,
        started(*collect_args(db_path, simulator, codes)) as second,
    ):
        outputs = [process.communicate(timeout=PROCESS_TIMEOUT) for process in (first, second)]
        codes_seen = sorted((first.returncode, second.returncode))
    assert codes_seen == [0, 3], outputs
    loser = outputs[[first.returncode, second.returncode].index(3)]
    assert BUSY_MESSAGE in loser[1]
    [job] = jobs(db_path)
    assert job["status"] == "completed" and job["success_count"] == len(codes)


# -- (d) a gate left by a dead process ------------------------------------------------------


def test_a_job_killed_while_running_does_not_block_the_next_collect(
    simulator: SimulatorServer, db_path: Path
) -> None:
    codes = listed_codes(simulator.market, 4)
    simulator.faults.latency = 0.3
    with started(*collect_args(db_path, simulator, codes)) as process:
        wait_for(
            lambda: query(db_path, "SELECT status FROM collection_job") == [("running",)],
            timeout=30,
            what="the job row",
            alive=process,
        )
        kill_hard(process)
    [(killed_id,)] = query(db_path, "SELECT id FROM collection_job")
    simulator.faults.latency = 0.0

    done = run_stockdesk(*collect_args(db_path, simulator, codes[:2]))

    assert done.returncode == 0, done.stderr
    listing = jobs(db_path)
    assert job_with(listing, id=killed_id)["status"] == "interrupted"
    assert [j["status"] for j in listing if j["id"] != killed_id] == ["completed"]
    assert mismatches(db_path, simulator.market, codes[:2], START, END) == {}


# -- (e) the server goes away mid-job and comes back ---------------------------------------

JUNE = dt.date(2024, 6, 1)
"""Universe ``all`` from here to END: fewer trading days than stocks, so by-date can be chosen."""

OUTAGE_OPTIONS = {"timeout": 0.5, "backoff": 0.05, "outage_backoff": 0.2, "outage_backoff_max": 0.5}
"""Small waits, so that a test's outage lasts about a second (the defaults: 1 s to 30 s)."""

PATHS = {
    "per-stock": {},
    "two-sessions": {"sessions": 2, "requests_per_second": 0},
    "per-date": {"per_date_min_stocks": 10},
}
"""The three ways a job fetches: stock by stock in this process, stock by stock in two
worker processes, and by date in a worker process."""


class _Outage(JobListener):
    """Takes the server away once the job is under way, and keeps what the job says.

    The server goes when the third stock is done or, fetching by date (where stocks are
    done only on their last day), at the first line about a stored day. ``on_wait`` runs
    with the count of lines so far that say the job waits for the server.
    """

    def __init__(self, server: SimulatorServer, on_wait: Callable[[int], None]) -> None:
        self.server, self.on_wait = server, on_wait
        self.done = 0
        self.gone_at: float | None = None
        self.waits: list[str] = []
        self.back_at: list[float] = []

    def item_finished(self, item: object) -> None:
        self.done += 1
        if self.done == 3:
            self._take_away()

    def message(self, text: str) -> None:
        if text.startswith("按日期采集"):
            self._take_away()
        elif "等待其恢复" in text:
            self.waits.append(text)
            self.on_wait(len(self.waits))
        elif "已恢复" in text:
            self.back_at.append(time.monotonic())

    def _take_away(self) -> None:
        if self.gone_at is None:
            self.gone_at = time.monotonic()
            self.server.pause()


def _run_bounded(
    collector: Collector,
    request: JobRequest,
    listener: JobListener,
    timeout: float,
    cancel: threading.Event | None = None,
) -> JobRecord:
    """Run the job in a thread; a job that does not end within ``timeout`` fails the test."""
    outcome: list[JobRecord] = []
    runner = threading.Thread(
        target=lambda: outcome.append(collector.run(request, listener=listener, cancel=cancel)),
        daemon=True,
    )
    runner.start()
    runner.join(timeout)
    assert not runner.is_alive(), f"the job did not end within {timeout} s"
    assert outcome, "the job raised instead of ending with a status"
    return outcome[0]


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db = open_database(db_path)
    yield db
    db.close()


def _outage_job(
    simulator: SimulatorServer,
    database: Database,
    path: str,
    listener: _Outage,
    cancel: threading.Event | None = None,
    **options: float,
) -> JobRecord:
    """Collect the market for June through ``path``; the server is back afterwards."""
    collector = Collector(
        database,
        CollectOptions(server=simulator.address, **{**OUTAGE_OPTIONS, **PATHS[path], **options}),
    )
    try:
        job = _run_bounded(collector, JobRequest(JUNE, END), listener, timeout=60, cancel=cancel)
    finally:
        simulator.resume()
    assert job.strategy == ("per-date" if path == "per-date" else "per-stock")
    assert listener.gone_at is not None, "the server must go away mid-job"
    return job


def _codes(db_path: Path, job_id: str, status: str) -> list[str]:
    return [
        c
        for (c,) in query(
            db_path, "SELECT code FROM job_item WHERE job_id = ? AND status = ?", job_id, status
        )
    ]


def _wrong_rows(db_path: Path, market: Market) -> list[tuple]:
    """Stored rows that are not the market's (by date a job keeps days of unfinished
    stocks, so rows are checked one by one, not stock by stock)."""
    stored = query(db_path, "SELECT DISTINCT code FROM daily_bar")
    right = {row for (code,) in stored for row in expected_rows(market, code, JUNE, END)}
    return [
        row
        for (code,) in stored
        for row in stored_rows(db_path, code, JUNE, END)
        if row not in right
    ]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("path", PATHS)
def test_an_outage_mid_job_is_waited_out_and_every_stock_is_stored(
    simulator: SimulatorServer, database: Database, db_path: Path, path: str
) -> None:
    back: list[float] = []

    def come_back(waits: int) -> None:
        if waits == 3:  # the job has tried the server three times: a real outage
            back.append(time.monotonic())
            simulator.resume()

    outage = _Outage(simulator, come_back)
    job = _outage_job(simulator, database, path, outage)

    assert job.status is JobStatus.COMPLETED, job.error_message
    assert job.total_stocks > 40
    assert (job.success_count, job.failed_count) == (job.total_stocks, 0)
    assert simulator.address in outage.waits[0]
    noticed = outage.back_at[0] - back[0]
    assert noticed < OUTAGE_OPTIONS["outage_backoff_max"] + 1.0, f"back after {noticed:.2f} s"
    items = JobLog(database).items(job.id)
    assert {item.attempts for item in items} == {1}, "the outage is not a failed attempt"
    counts = item_counts(db_path, job.id)
    assert {k: getattr(job, k) for k in counts} == counts
    assert mismatches(db_path, simulator.market, [i.code for i in items], JUNE, END) == {}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("path", PATHS)
def test_an_outage_longer_than_the_budget_fails_the_job_naming_the_server(
    simulator: SimulatorServer, database: Database, db_path: Path, path: str
) -> None:
    outage = _Outage(simulator, on_wait=lambda _waits: None)
    job = _outage_job(simulator, database, path, outage, outage_timeout=1.0)
    ended = time.monotonic()

    assert job.status is JobStatus.FAILED
    assert simulator.address in job.error_message and "中断超过" in job.error_message
    assert outage.gone_at is not None
    assert 1.0 <= ended - outage.gone_at < 1.0 + OUTAGE_OPTIONS["timeout"] + 2.0
    logged = JobLog(database).get_job(job.id)
    assert (logged.status, logged.error_message) == (job.status, job.error_message)
    counts = item_counts(db_path, job.id)
    assert {k: getattr(logged, k) for k in counts} == counts
    succeeded = _codes(db_path, job.id, "success")
    assert mismatches(db_path, simulator.market, succeeded, JUNE, END) == {}
    assert _wrong_rows(db_path, simulator.market) == []
    if path != "per-date":
        assert len(succeeded) >= 3, "stocks committed before the outage are kept"
        others = query(
            db_path,
            f"SELECT count(*) FROM daily_bar WHERE code NOT IN ({','.join('?' * len(succeeded))})",
            *succeeded,
        )
        assert others == [(0,)]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("path", PATHS)
def test_cancel_while_waiting_for_the_server_ends_the_job_quickly(
    simulator: SimulatorServer, database: Database, db_path: Path, path: str
) -> None:
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def cancel_now() -> None:
        cancelled_at.append(time.monotonic())
        cancel.set()

    def cancel_soon(waits: int) -> None:
        if waits == 1:  # from another thread, once the job is well into a 30 s wait
            threading.Timer(0.3, cancel_now).start()

    outage = _Outage(simulator, cancel_soon)
    job = _outage_job(
        simulator,
        database,
        path,
        outage,
        cancel=cancel,
        outage_backoff=30.0,
        outage_backoff_max=30.0,
    )
    latency = time.monotonic() - cancelled_at[0]

    assert job.status is JobStatus.CANCELLED
    # The window's promise is 2 s (idle: 0.4 s; worker processes must exit too, slower on a
    # busy machine).
    assert latency < 2.0, f"cancelled after {latency:.2f} s"
    assert JobLog(database).get_job(job.id).status is JobStatus.CANCELLED
    assert _wrong_rows(db_path, simulator.market) == []


# -- (f) damaged files and a full disk ------------------------------------------------------


@pytest.mark.parametrize("command", ["jobs", "collect"])
def test_a_corrupted_file_is_refused_with_a_clear_message_and_left_untouched(
    simulator: SimulatorServer, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "stockdesk.db"
    junk = bytes(range(256)) * 64
    path.write_bytes(junk)
    argv = (
        ["jobs", "list", "--db", str(path)]
        if command == "jobs"
        else collect_args(path, simulator, listed_codes(simulator.market, 2))
    )

    done = run_stockdesk(*argv)

    assert done.returncode != 0
    assert "已损坏" in done.stderr and str(path) in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == junk
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stockdesk.db"]
    assert simulator.requests["login"] == 0, "nothing is fetched for a database that cannot store"


@pytest.mark.sqlite_only
def test_a_database_damaged_inside_fails_with_a_clear_message_and_does_not_hang(
    simulator: SimulatorServer, db_path: Path
) -> None:
    """The header is intact (it opens), but the bar pages are junk: found mid-job."""
    codes = listed_codes(simulator.market, 8)
    assert run_stockdesk(*collect_args(db_path, simulator, codes)).returncode == 0
    page_size = query(db_path, "PRAGMA page_size")[0][0]
    pages = query(db_path, "PRAGMA page_count")[0][0]
    data = bytearray(db_path.read_bytes())
    for page in range(pages // 2, pages):  # the later pages: bars, their index, the job log
        data[page * page_size : (page + 1) * page_size] = b"\xa5" * page_size
    db_path.write_bytes(bytes(data))

    done = run_stockdesk(*collect_args(db_path, simulator, codes), "--json")

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "已损坏" in done.stderr + done.stdout


class _DiskFills(JobListener):
    """After ``after`` stocks, limit the file to the pages it has (SQLite's page limit):
    the next stock finds the disk full. A connect listener applies it to every new
    connection; the pool is disposed so no old connection escapes the limit."""

    def __init__(self, database: Database, after: int) -> None:
        self.database, self.after, self.seen = database, after, 0
        self.committed: list[str] = []

    def item_finished(self, item: object) -> None:
        self.seen += 1
        self.committed.append(item.code)  # type: ignore[attr-defined]
        if self.seen == self.after:
            with self.database.engine.connect() as connection:
                pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
            event.listen(self.database.engine, "connect", self.limit(pages))
            self.database.engine.dispose()

    @staticmethod
    def limit(pages: int) -> object:
        def small_disk(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        return small_disk


@pytest.mark.sqlite_only
def test_a_full_disk_fails_the_job_with_a_message_and_keeps_the_stocks_before(
    simulator: SimulatorServer, database: Database, db_path: Path
) -> None:
    codes = listed_codes(simulator.market, 8)
    fills = _DiskFills(database, after=3)
    collector = Collector(database, CollectOptions(server=simulator.address, timeout=2))
    # Two years a stock: each needs new pages, so the 4th cannot fit.
    request = JobRequest(dt.date(2023, 1, 1), END, universe="codes", codes=tuple(codes))

    job = _run_bounded(collector, request, fills, timeout=60)

    assert job.status is JobStatus.FAILED
    assert "磁盘空间不足" in job.error_message
    assert fills.committed == codes[:3]
    database.engine.dispose()
    logged = jobs(db_path)[0]  # a new process, without the page limit
    assert logged["status"] == "failed" and "磁盘空间不足" in logged["error_message"]
    assert job_counts(logged) == item_counts(db_path, job.id)
    assert logged["success_count"] == 3
    assert mismatches(db_path, simulator.market, codes[:3], request.start_date, END) == {}
    assert query(db_path, "SELECT count(*) FROM daily_bar WHERE code IN (?, ?)", *codes[3:5]) == [
        (0,)
    ]


# -- (g) read-only ---------------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.skipif(as_root, reason="root writes through file permissions")
def test_a_read_only_database_is_refused_and_left_untouched(
    simulator: SimulatorServer, db_path: Path
) -> None:
    codes = listed_codes(simulator.market, 2)
    assert run_stockdesk(*collect_args(db_path, simulator, codes)).returncode == 0
    before = db_path.read_bytes()
    db_path.chmod(0o444)
    try:
        done = run_stockdesk(*collect_args(db_path, simulator, codes))
    finally:
        db_path.chmod(0o644)
    assert done.returncode == 2 and "只读" in done.stderr
    assert db_path.read_bytes() == before


def test_an_update_killed_mid_batch_resumes_and_leaves_rows_and_coverage_exact(
    db_path: Path,
) -> None:
    """kill -9 during an update fetching by date in worker sessions: the next update
    finishes it; every stock's rows equal the market's and the coverage summary the
    bars, though the killed job committed days of stocks it never finished."""
    market = Market(seed=7, stocks=60, indices=4)
    market.today = dt.date(2024, 3, 29)
    start = dt.date(2024, 1, 2)
    with SimulatorServer(market) as server:
        database = open_database(db_path)
        first = Collector(database, CollectOptions(server=server.address, timeout=2.0)).run(
            JobRequest(start, market.today)
        )
        database.close()
        assert first.status is JobStatus.COMPLETED and first.failed_count == 0
        market.today = dt.date(2024, 5, 24)  # ~35 trading days on: by date, in workers
        server.faults.latency = 0.2  # commits every second: several batches
        argv = ["update", "--db", str(db_path), "--server", server.address, "--timeout", "2"]
        with started(*argv) as process:
            wait_for(
                lambda: query(db_path, "SELECT count(*) FROM coverage_pending")[0][0],
                timeout=60,
                what="a batch committed",
                alive=process,
            )
            kill_hard(process, workers_grace=5)
        listed = jobs(db_path)
        assert listed[0]["status"] == "interrupted" and listed[0]["universe"] == "update"
        server.faults.latency = 0.0
        done = run_stockdesk(*argv, "--json")
        assert done.returncode == 0, done.stderr
    stocks = [code for (code,) in query(db_path, "SELECT DISTINCT code FROM daily_bar")]
    assert mismatches(db_path, market, stocks, start, market.today) == {}
    exact = query(
        db_path,
        "SELECT code, adjustflag, min(date), max(date), count(*) "
        "FROM daily_bar GROUP BY code, adjustflag ORDER BY 1, 2",
    )
    assert (
        query(
            db_path,
            "SELECT code, adjustflag, first_day, last_day, rows FROM bar_coverage ORDER BY 1, 2",
        )
        == exact
    )
    assert query(db_path, "SELECT count(*) FROM coverage_pending") == [(0,)]
