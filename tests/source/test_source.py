"""The baostock source adapter against the simulator, through the real baostock client.

Every fault here would hang or spin the bare client forever; each test bounds the time
the adapter takes and checks that the next request works again (reconnect + login).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest

from stockdesk.domain.errors import InputError, LoginError, SourceError
from stockdesk.domain.values import BAR_COLUMNS
from stockdesk.simulator import FaultKind
from stockdesk.source.baostock_source import BaostockSource, parse_server

START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)
TIMEOUT = 0.6


@pytest.fixture
def source(simulator):
    with BaostockSource(simulator.address, timeout=TIMEOUT) as session:
        yield session


def first_stock(market) -> str:
    return next(s.code for s in market.stocks() if s.status == "1" and s.ipo_date < START)


def test_daily_bars_are_typed_and_match_the_market(source, simulator):
    code = first_stock(simulator.market)
    bars = source.daily_bars(code, START, END, "3")
    wire = simulator.market.bars(code, START, END, "3")
    assert len(bars) == len(wire) > 50
    row = dict(zip(BAR_COLUMNS, bars[0], strict=True))
    assert row["code"] == code and row["date"] == wire[0][0]
    assert isinstance(row["close"], float) and isinstance(row["volume"], int)
    assert row["close"] == float(wire[0][5])
    suspended = [bar for bar in bars if bar[BAR_COLUMNS.index("tradestatus")] == 0]
    for bar in suspended:  # empty strings on the wire are NULLs, not zeros
        assert bar[BAR_COLUMNS.index("pct_chg")] is None


def test_every_adjustflag_is_fetched_as_asked(source, simulator):
    code = first_stock(simulator.market)
    for flag in "123":
        bars = source.daily_bars(code, START, END, flag)
        assert {bar[2] for bar in bars} == {flag}
        assert bars[-1][6] == float(simulator.market.bars(code, START, END, flag)[-1][5])


def test_a_long_history_is_read_across_pages(source, simulator):
    code = first_stock(simulator.market)
    first, last = simulator.market.first_day, simulator.market.last_day
    bars = source.daily_bars(code, first, last, "3")
    assert len(bars) > 2000
    assert len(bars) == len(simulator.market.bars(code, first, last, "3"))
    assert len({bar[1] for bar in bars}) == len(bars)


def test_calendar_and_securities(source, simulator):
    days = source.trade_days(START, END)
    assert days == simulator.market.trading_days(START, END)
    securities = {s.code: s for s in source.securities()}
    assert set(securities) == {s.code for s in simulator.market.securities}
    assert {s.type for s in securities.values()} == {"1", "2"}


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.HANG,
        FaultKind.CLOSE_MID_REPLY,
        FaultKind.RESET,
        FaultKind.MALFORMED,
        FaultKind.UNDECODABLE,
    ],
)
def test_a_bad_reply_fails_in_bounded_time_and_the_next_request_works(source, simulator, kind):
    code = first_stock(simulator.market)
    simulator.faults.add(kind, method="query_history_k_data_plus", code=code)
    began = time.monotonic()
    with pytest.raises(SourceError) as failure:
        source.daily_bars(code, START, END, "3")
    assert time.monotonic() - began < TIMEOUT + 1.0
    assert failure.value.retryable
    assert str(failure.value)
    assert len(source.daily_bars(code, START, END, "3")) > 50  # reconnected and logged in


def test_a_history_cut_short_on_page_two_is_never_returned_as_complete(source, simulator):
    code = first_stock(simulator.market)
    simulator.faults.add(
        FaultKind.CLOSE_MID_REPLY, method="query_history_k_data_plus", code=code, page=2
    )
    with pytest.raises(SourceError, match=r"分页|关闭"):
        source.daily_bars(code, simulator.market.first_day, simulator.market.last_day, "3")


def test_an_error_code_becomes_a_user_message(source, simulator):
    code = first_stock(simulator.market)
    simulator.faults.add(
        FaultKind.ERROR,
        method="query_history_k_data_plus",
        code=code,
        error_code="10004011",
        error_msg="bad code",
    )
    with pytest.raises(SourceError) as failure:
        source.daily_bars(code, START, END, "3")
    assert failure.value.code == "10004011"
    assert "无效的证券代码" in str(failure.value)
    assert not failure.value.retryable


def test_a_refused_login_says_why(simulator):
    simulator.faults.login_error = "10001011"
    with pytest.raises(LoginError) as failure, BaostockSource(simulator.address, timeout=TIMEOUT):
        pass
    assert "拒绝" in str(failure.value) and simulator.address in str(failure.value)
    assert not failure.value.retryable


def test_an_unreachable_server_is_named_in_the_message():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    began = time.monotonic()
    with pytest.raises(LoginError) as failure, BaostockSource(address, timeout=TIMEOUT):
        pass
    assert time.monotonic() - began < TIMEOUT + 1.0
    assert address in str(failure.value) and "--demo" in str(failure.value)
    assert "拒绝连接" in str(failure.value), "the refused connect, not the send after it"


@pytest.fixture
def unanswered_address():
    """An address whose connects hang: a listener that never accepts, its backlog full.

    Like a server gone dark behind a silent network, not one that refuses at once.
    """
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        with socket.create_connection(listener.getsockname(), timeout=TIMEOUT):
            yield "{}:{}".format(*listener.getsockname())


def test_a_connect_that_hangs_gives_up_at_the_timeout(unanswered_address):
    began = time.monotonic()
    with (
        pytest.raises(LoginError, match="连不上"),
        BaostockSource(unanswered_address, timeout=TIMEOUT),
    ):
        pass
    assert TIMEOUT <= time.monotonic() - began < TIMEOUT + 1.0


def test_cancel_ends_a_connect_that_hangs_quickly(unanswered_address):
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    began = time.monotonic()
    with (
        pytest.raises(LoginError) as failure,
        BaostockSource(unanswered_address, timeout=30, cancel=cancel),
    ):
        pass
    assert failure.value.code == "cancelled"
    assert time.monotonic() - began < 1.0


def test_cancel_ends_a_hanging_request_quickly(simulator):
    cancel = threading.Event()
    code = first_stock(simulator.market)
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus", code=code)
    with BaostockSource(simulator.address, timeout=30, cancel=cancel) as source:
        threading.Timer(0.2, cancel.set).start()
        began = time.monotonic()
        with pytest.raises(SourceError) as failure:
            source.daily_bars(code, START, END, "3")
    assert failure.value.code == "cancelled"
    assert time.monotonic() - began < 1.0


@pytest.mark.parametrize("text", ["localhost", "host:port", ":10030", "h:70000"])
def test_a_bad_server_address_is_refused(text):
    with pytest.raises(InputError, match="服务器地址格式错误"):
        parse_server(text)
