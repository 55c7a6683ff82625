"""Server life cycle: pause/resume, prompt stop, the command line entry."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import simulator_wire as wire

from stockdesk.simulator.faults import FaultKind
from stockdesk.simulator.server import SimulatorServer


def test_address_and_context_manager(simulator_market):
    with SimulatorServer(simulator_market) as server:
        host, port = server.address.split(":")
        assert host == "127.0.0.1" and int(port) == server.port > 0
        with wire.logged_in((host, server.port)):
            pass
    with pytest.raises(ConnectionRefusedError):
        wire.connect((host, int(port)))


def test_pause_drops_connections_and_resume_listens_again(simulator):
    address = (simulator.host, simulator.port)
    sock = wire.logged_in(address)
    simulator.pause()
    assert sock.recv(1) == b""
    sock.close()
    with pytest.raises(ConnectionRefusedError):
        wire.connect(address)
    simulator.resume()
    with wire.logged_in(address) as again:
        again.sendall(wire.k_request())
        assert wire.fields_of(wire.read_reply(again))[0] == "0"
    assert simulator.port == address[1]


def test_stop_is_prompt_with_a_hanging_connection(simulator_market):
    server = SimulatorServer(simulator_market)
    server.start()
    server.faults.add(FaultKind.HANG, method="query_history_k_data_plus")
    sock = wire.logged_in((server.host, server.port))
    sock.sendall(wire.k_request())
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    assert sock.recv(1) == b""
    sock.close()


def test_several_connections_at_once(simulator):
    socks = [wire.logged_in((simulator.host, simulator.port)) for _ in range(3)]
    for sock in socks:
        sock.sendall(wire.k_request())
    assert all(wire.fields_of(wire.read_reply(sock))[0] == "0" for sock in socks)
    for sock in socks:
        sock.close()
    assert simulator.requests["login"] == 3


def test_command_line_prints_the_address_and_serves():
    process = subprocess.Popen(
        [sys.executable, "-m", "stockdesk.simulator", "--port", "0", "--stocks", "20"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        host, port = process.stdout.readline().strip().split(":")
        with wire.logged_in((host, int(port))) as sock:
            sock.sendall(wire.k_request())
            assert wire.fields_of(wire.read_reply(sock))[0] == "0"
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_kept_replies_are_sent_again_without_asking_the_market(simulator_market, monkeypatch):
    with SimulatorServer(simulator_market, keep_replies=True) as server:
        address = (server.host, server.port)
        with wire.logged_in(address) as sock:
            sock.sendall(wire.k_request())
            first = wire.read_reply(sock)
            sock.sendall(wire.k_request(start="2024-02-01"))
            wire.read_reply(sock)

        def broken(*_args, **_kwargs):
            raise RuntimeError("the market was asked again")

        monkeypatch.setattr(simulator_market, "bars", broken)
        with wire.logged_in(address) as sock:
            sock.sendall(wire.k_request())
            assert wire.read_reply(sock) == first
            sock.sendall(wire.k_request(start="2024-01-15"))
            assert wire.fields_of(wire.read_reply(sock))[0] == "10005001"  # not kept: asked


def test_a_fault_still_applies_to_a_request_whose_reply_is_kept(simulator_market):
    with (
        SimulatorServer(simulator_market, keep_replies=True) as server,
        wire.logged_in((server.host, server.port)) as sock,
    ):
        sock.sendall(wire.k_request())
        kept = wire.read_reply(sock)
        server.faults.add(FaultKind.ERROR, method="query_history_k_data_plus", times=1)
        sock.sendall(wire.k_request())
        assert wire.fields_of(wire.read_reply(sock))[0] != "0"
        sock.sendall(wire.k_request())
        assert wire.read_reply(sock) == kept
