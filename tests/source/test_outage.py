"""Waiting out a server that went away: the source adapter against the simulator.

The collector's three fetching paths riding out an outage are in tests/test_recovery.py;
here the source alone shows what counts as an outage (a server that cannot be logged in
to) and what does not (a reply that fails while the server still answers).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from stockdesk.domain.errors import ServerGoneError, SourceError
from stockdesk.simulator import FaultKind
from stockdesk.source.baostock_source import BaostockSource
from stockdesk.source.outage import OutagePolicy, duration

START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)
TIMEOUT = 0.5
QUICK = OutagePolicy(timeout=5.0, first_wait=0.05, max_wait=0.2)
STOCK_QUERY = "query_history_k_data_plus"


def first_stock(market) -> str:
    return next(s.code for s in market.stocks() if s.status == "1" and s.ipo_date < START)


class Lines:
    """Collects what the source says; ``on_wait`` runs at each line about a wait."""

    def __init__(self, on_wait=lambda _count: None) -> None:
        self.lines: list[str] = []
        self.waits = 0
        self.on_wait = on_wait

    def __call__(self, text: str) -> None:
        self.lines.append(text)
        if "等待其恢复" in text:
            self.waits += 1
            self.on_wait(self.waits)


def test_a_refused_login_mid_job_is_waited_out_and_the_cut_request_sent_again(simulator):
    code = first_stock(simulator.market)

    def accept_again(waits):
        if waits == 2:
            simulator.faults.login_error = None

    lines = Lines(accept_again)
    with BaostockSource(simulator.address, timeout=TIMEOUT, outage=QUICK, say=lines) as source:
        simulator.faults.login_error = "10001011"
        simulator.faults.add(FaultKind.RESET, method=STOCK_QUERY, code=code)
        bars = source.daily_bars(code, START, END, "3")

    assert len(bars) == len(simulator.market.bars(code, START, END, "3"))
    assert lines.waits == 2
    assert simulator.address in lines.lines[0] and "拒绝登录" in lines.lines[0]
    assert "已恢复" in lines.lines[-1]
    assert simulator.requests[STOCK_QUERY] == 2, "the cut request and its one resend"


def test_a_server_that_stays_away_ends_in_server_gone_naming_it(simulator):
    code = first_stock(simulator.market)
    lines = Lines()
    policy = OutagePolicy(timeout=0.6, first_wait=0.1, max_wait=0.2)
    with BaostockSource(simulator.address, timeout=TIMEOUT, outage=policy, say=lines) as source:
        simulator.pause()
        began = time.monotonic()
        with pytest.raises(ServerGoneError) as gone:
            source.daily_bars(code, START, END, "3")
    took = time.monotonic() - began

    assert simulator.address in str(gone.value) and "中断超过" in str(gone.value)
    assert policy.timeout <= took < policy.timeout + TIMEOUT + 0.5
    assert lines.waits >= 3, "it kept trying, with growing waits, until the budget ran out"


def test_cancel_ends_the_wait_at_once(simulator):
    cancel = threading.Event()
    lines = Lines(lambda _waits: threading.Timer(0.2, cancel.set).start())
    policy = OutagePolicy(timeout=60.0, first_wait=30.0, max_wait=30.0)
    with BaostockSource(
        simulator.address, timeout=TIMEOUT, cancel=cancel, outage=policy, say=lines
    ) as source:
        simulator.pause()
        began = time.monotonic()
        with pytest.raises(SourceError) as failure:
            source.daily_bars(first_stock(simulator.market), START, END, "3")

    assert failure.value.code == "cancelled"
    assert time.monotonic() - began < 1.0
    assert lines.waits == 1


@pytest.mark.parametrize(
    "kind", [FaultKind.HANG, FaultKind.RESET, FaultKind.ERROR, FaultKind.MALFORMED]
)
def test_a_bad_reply_from_a_server_that_still_answers_is_no_outage(simulator, kind):
    """The request failed, not the server: the stock's retry loop decides, nobody waits."""
    code = first_stock(simulator.market)
    lines = Lines()
    with BaostockSource(simulator.address, timeout=TIMEOUT, outage=QUICK, say=lines) as source:
        simulator.faults.add(kind, method=STOCK_QUERY, code=code)
        with pytest.raises(SourceError):
            source.daily_bars(code, START, END, "3")
        assert len(source.daily_bars(code, START, END, "3")) > 50
    assert lines.lines == []
    assert simulator.requests[STOCK_QUERY] == 2


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.25, "0.2 秒"),
        (1.0, "1 秒"),
        (9.94, "9.9 秒"),
        (12.4, "12 秒"),
        (60, "1 分钟"),
        (90.2, "1 分 30 秒"),
        (600, "10 分钟"),
    ],
)
def test_durations_read_as_a_person_says_them(seconds, text):
    assert duration(seconds) == text
