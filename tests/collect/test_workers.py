"""Parallel sessions: worker processes with their own baostock sessions, real SQLite."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import pickle
import subprocess
import sys
import threading
import time

import pytest
from support.dbread import read_rows

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.collect.strategy import PER_STOCK
from stockdesk.collect.workers import Pace
from stockdesk.db.joblog import JobLog
from stockdesk.domain.values import AdjustFlag, JobRequest, JobStatus

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


def all_rows(database):
    return read_rows(database, "SELECT * FROM daily_bar ORDER BY code, date, adjustflag")


def test_three_sessions_store_the_same_rows_as_one(simulator, open_db):
    request = JobRequest(START, END, adjustflag=AdjustFlag.FORWARD)
    one, three = open_db("one.db"), open_db("three.db")
    options = CollectOptions(
        server=simulator.address, timeout=2.0, backoff=0.01, requests_per_second=0
    )

    single = Collector(one, options).run(request)
    logins = simulator.requests["login"]
    parallel = Collector(
        three,
        CollectOptions(
            server=simulator.address, timeout=2.0, backoff=0.01, sessions=3, requests_per_second=0
        ),
    ).run(request)

    assert parallel.strategy == PER_STOCK and parallel.status is JobStatus.COMPLETED
    # Planning logs in once; each worker that got work logs in once: never more than 3.
    assert 1 + 1 <= simulator.requests["login"] - logins <= 1 + 3
    assert all_rows(three) == all_rows(one) and len(all_rows(one)) > 0
    assert (parallel.success_count, parallel.failed_count) == (single.success_count, 0)
    assert parallel.collected_count == single.collected_count == len(all_rows(three))
    items = JobLog(three).items(parallel.id)
    assert sorted(item.code for item in items) == sorted(
        item.code for item in JobLog(one).items(single.id)
    )


def test_cancel_reaches_the_workers_promptly_and_keeps_what_was_committed(simulator, open_db):
    database = open_db("stockdesk.db")
    simulator.faults.latency = 0.05
    cancel = threading.Event()
    cancelled_at = []

    class CancelAfterFive(JobListener):
        done = 0

        def item_finished(self, item):
            self.done += 1
            if self.done == 5 and not cancel.is_set():
                cancel.set()
                cancelled_at.append(simulator.requests["query_history_k_data_plus"])

    job = Collector(
        database,
        CollectOptions(
            server=simulator.address,
            timeout=2.0,
            sessions=2,
            requests_per_second=0,
        ),
    ).run(
        JobRequest(START, END, adjustflag=AdjustFlag.FORWARD),
        listener=CancelAfterFive(),
        cancel=cancel,
    )

    assert job.status is JobStatus.CANCELLED
    assert 5 <= job.success_count < job.total_stocks
    # Each session had at most the request in flight and the next one it had queued.
    assert simulator.requests["query_history_k_data_plus"] <= cancelled_at[0] + 2 * 2
    stored = {row[0] for row in all_rows(database)}
    assert stored == {item.code for item in JobLog(database).items(job.id)}
    assert job.collected_count == len(all_rows(database))


def test_a_worker_gets_every_option_without_importing_the_collector_or_sqlalchemy():
    options = CollectOptions(server="127.0.0.1:1", timeout=3.5, retries=7)
    worker = (
        "import pickle, sys\n"
        "from stockdesk.collect import workers\n"
        "options = pickle.loads(sys.stdin.buffer.read())\n"
        "print(options.server, options.timeout, options.retries, options.outage.timeout,\n"
        "      [m for m in ('stockdesk.collect.collector', 'stockdesk.db', 'sqlalchemy')\n"
        "       if m in sys.modules])\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", worker], check=True, capture_output=True, input=pickle.dumps(options)
    ).stdout.decode()
    assert shown.split() == ["127.0.0.1:1", "3.5", "7", "600.0", "[]"]


@pytest.fixture
def spawn():
    return multiprocessing.get_context("spawn")


def test_the_pace_keeps_requests_under_the_ceiling_with_one_catch_up_at_most(spawn):
    pace, cancel = Pace(spawn, requests_per_second=10), spawn.Event()
    starts = []
    for _ in range(6):
        pace.wait(cancel)
        starts.append(time.monotonic())

    assert starts[1] - starts[0] < 0.05  # the first two may go at once, never a third
    assert starts[-1] - starts[0] >= (len(starts) - 2) / 10 - 0.002
    assert all(later - earlier >= 0.1 - 0.002 for earlier, later in itertools.pairwise(starts[1:]))


def test_a_session_late_for_its_turn_does_not_lose_it(spawn):
    pace, cancel = Pace(spawn, requests_per_second=4), spawn.Event()
    pace.wait(cancel)
    pace.wait(cancel)
    began = time.monotonic()
    pace.wait(cancel)  # waits for its turn, 0.25 s on
    assert time.monotonic() - began >= 0.245
    cancel.wait(0.35)  # a worker still busy: late for the next turn by 0.1 s
    began = time.monotonic()
    pace.wait(cancel)  # takes the late turn at once
    pace.wait(cancel)  # and the one after keeps its time: 0.15 s on, not 0.25 s
    assert 0.14 <= time.monotonic() - began < 0.21


def test_a_hold_pauses_every_session_and_cancel_ends_the_wait(spawn):
    pace, cancel = Pace(spawn, requests_per_second=0), spawn.Event()
    began = time.monotonic()
    pace.hold(0.1, cancel)
    assert time.monotonic() - began >= 0.095
    cancel.set()
    with pytest.raises(JobCancelled):
        pace.hold(5.0, cancel)
    assert time.monotonic() - began < 1.0


def test_pages_charged_after_a_reply_take_turns_of_their_own(spawn):
    pace, cancel = Pace(spawn, requests_per_second=10), spawn.Event()
    pace.wait(cancel)
    began = time.monotonic()
    pace.charge(3)  # the reply ran to 4 pages: 3 more requests than its turn
    pace.wait(cancel)  # after those 3 turns (one interval of tolerance, as ever)
    assert 0.295 <= time.monotonic() - began < 0.45
    pace.charge(0)
    began = time.monotonic()
    pace.wait(cancel)
    assert 0.095 <= time.monotonic() - began < 0.2
