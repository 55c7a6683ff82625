"""Shared fixtures: a running baostock simulator and the baostock client pointed at it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import baostock
import baostock.common.contants as baostock_constants
import baostock.common.context as baostock_context
import pytest

from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

CLIENT_SOCKET_TIMEOUT = 10.0
"""baostock's socket has no timeout; tests bound every wait with this one."""


@pytest.fixture(scope="session")
def simulator_market() -> Market:
    """A small market (60 stocks, 4 indices, 1990-12-19 to 2026), shared so its caches are
    reused."""
    return Market(seed=7, stocks=60, indices=4)


@pytest.fixture
def simulator(simulator_market: Market) -> Iterator[SimulatorServer]:
    """A running simulator over :func:`simulator_market` with a fresh fault plan."""
    with SimulatorServer(simulator_market) as server:
        yield server


def close_baostock_socket() -> None:
    """Close and forget the baostock client's module-global socket, if any."""
    sock = getattr(baostock_context, "default_socket", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.close()
        baostock_context.default_socket = None


@pytest.fixture
def baostock_client(simulator: SimulatorServer) -> Iterator:
    """The ``baostock`` module pointed at :func:`simulator`, not logged in.

    Restores the server address and closes the client's global socket afterwards.
    """
    saved = baostock_constants.BAOSTOCK_SERVER_IP, baostock_constants.BAOSTOCK_SERVER_PORT
    baostock_constants.BAOSTOCK_SERVER_IP = simulator.host
    baostock_constants.BAOSTOCK_SERVER_PORT = simulator.port
    try:
        yield baostock
    finally:
        close_baostock_socket()
        baostock_constants.BAOSTOCK_SERVER_IP, baostock_constants.BAOSTOCK_SERVER_PORT = saved


@pytest.fixture
def baostock_session(baostock_client):
    """:func:`baostock_client` logged in, its socket given a timeout so no test can hang."""
    result = baostock_client.login()
    assert result.error_code == "0", result.error_msg
    baostock_context.default_socket.settimeout(CLIENT_SOCKET_TIMEOUT)
    return baostock_client
