"""Fault injection, observed at the socket level and through the baostock client."""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter

import pytest
import simulator_wire as wire

from stockdesk.simulator.faults import FaultKind, FaultPlan, Probe
from stockdesk.simulator.protocol import TERMINATOR


@pytest.fixture
def sock(simulator):
    with wire.logged_in((simulator.host, simulator.port)) as connection:
        yield connection


def test_hang_reads_the_request_and_never_answers(simulator, sock):
    simulator.faults.add(FaultKind.HANG, method="query_history_k_data_plus")
    sock.sendall(wire.k_request())
    sock.settimeout(0.5)
    with pytest.raises(TimeoutError):
        sock.recv(1)
    assert simulator.requests["query_history_k_data_plus"] == 1
    assert simulator.faults.injected[FaultKind.HANG] == 1


def test_close_mid_reply_sends_part_then_closes(simulator, sock):
    simulator.faults.add(FaultKind.CLOSE_MID_REPLY, code="sh.600000")
    sock.sendall(wire.k_request())
    data = wire.read_until_closed(sock)
    assert len(data) > 21 and data.startswith(b"00.9.40\x0196\x01")
    assert not data.endswith(TERMINATOR)


def test_reset_aborts_the_connection(simulator, sock):
    simulator.faults.add(FaultKind.RESET)
    sock.sendall(wire.k_request())
    with pytest.raises(ConnectionResetError):
        sock.recv(1)


def test_error_carries_the_given_code(simulator, sock):
    simulator.faults.add(FaultKind.ERROR, error_code="10002007", error_msg="网络接收错误。")
    sock.sendall(wire.k_request())
    assert wire.fields_of(wire.read_reply(sock))[:2] == ["10002007", "网络接收错误。"]
    sock.sendall(wire.k_request())
    assert wire.fields_of(wire.read_reply(sock))[0] == "0", "times=1 by default"


def test_malformed_breaks_the_json(simulator, sock):
    simulator.faults.add(FaultKind.MALFORMED)
    sock.sendall(wire.k_request())
    fields = wire.fields_of(wire.read_reply(sock))
    assert fields[0] == "0" and fields[6].startswith('{"record"')
    with pytest.raises(ValueError):
        json.loads(fields[6])


def test_undecodable_is_framed_but_not_zlib(simulator, sock):
    simulator.faults.add(FaultKind.UNDECODABLE)
    sock.sendall(wire.k_request())
    reply = wire.read_reply(sock)
    length = int(reply[:21].decode().split("\x01")[2])
    with pytest.raises(zlib.error):
        zlib.decompress(reply[21 : 21 + length])
    sock.sendall(
        wire.request(
            "33", "query_trade_dates", "anonymous", "1", "2000", "2024-01-01", "2024-01-05"
        )
    )
    assert wire.fields_of(wire.read_reply(sock))[0] == "0", "the connection stays usable"


def test_client_sees_error_malformed_and_undecodable(simulator, baostock_session):
    bs = baostock_session
    args = ("sh.600000", "date,close", "2024-01-01", "2024-01-31")
    simulator.faults.add(FaultKind.ERROR, times=1)
    assert bs.query_history_k_data_plus(*args).error_code == "10004011"
    simulator.faults.add(FaultKind.UNDECODABLE, times=1)
    assert bs.query_history_k_data_plus(*args).error_code == "10002007"
    simulator.faults.add(FaultKind.MALFORMED, times=1)
    with pytest.raises(ValueError):
        bs.query_history_k_data_plus(*args)
    assert bs.query_history_k_data_plus(*args).error_code == "0"


def test_rules_match_method_code_page_and_date(simulator, baostock_session):
    bs = baostock_session
    simulator.faults.add(
        FaultKind.ERROR, method="query_daily_history_k_AStock", date="2024-01-04", times=None
    )
    simulator.faults.add(FaultKind.ERROR, code="sz.000001", page=2, times=2)
    assert bs.query_daily_history_k_AStock("2024-01-03").error_code == "0"
    for _ in range(2):
        assert bs.query_daily_history_k_AStock("2024-01-04").error_code == "10004011"
    assert (
        bs.query_history_k_data_plus("sz.000001", "date", "2024-01-01", "2024-01-31").error_code
        == "0"
    )
    result = bs.query_history_k_data_plus("sz.000001", "date", "2018-01-01", "2026-12-31")
    assert result.error_code == "0"
    rows = 0
    while result.next():
        result.get_row_data()
        rows += 1
    assert rows == 2000, "page 2 failed, so the client stops after page 1"
    assert simulator.faults.injected[FaultKind.ERROR] == 3


def test_login_can_be_faulted(simulator, baostock_client):
    simulator.faults.add(FaultKind.ERROR, method="login", error_code="10001005")
    assert baostock_client.login().error_code == "10001005"
    assert baostock_client.login().error_code == "0"


def test_latency_delays_replies(simulator, sock):
    simulator.faults.latency = 0.2
    started = time.monotonic()
    sock.sendall(wire.k_request())
    wire.read_reply(sock)
    assert time.monotonic() - started >= 0.2


def test_plan_times_none_clear_and_randomize():
    plan = FaultPlan()
    plan.add(FaultKind.RESET, method="m", times=None)
    assert all(plan.take(Probe("m")) for _ in range(5))
    assert plan.take(Probe("other")) is None
    plan.clear()
    assert plan.take(Probe("m")) is None
    plan.randomize(0.3, seed=1, kinds=[FaultKind.ERROR, FaultKind.HANG])
    outcomes = [plan.take(Probe("query_history_k_data_plus")) for _ in range(1000)]
    kinds = Counter(fault.kind for fault in outcomes if fault)
    assert 200 < sum(kinds.values()) < 400 and set(kinds) == {FaultKind.ERROR, FaultKind.HANG}
    assert plan.take(Probe("login")) is None, "sessions are never faulted at random"
    assert plan.injected == kinds + Counter({FaultKind.RESET: 5})
    again = FaultPlan()
    again.randomize(0.3, seed=1, kinds=[FaultKind.ERROR, FaultKind.HANG])
    assert [again.take(Probe("q")) for _ in range(1000)] == outcomes
