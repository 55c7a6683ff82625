"""The built-in demo: the simulator with the demo market, on a free loopback port."""

from __future__ import annotations

from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

DEMO_STOCKS = 300
"""Stocks of the demo market: enough to watch the table stream, quick to collect."""


def start_demo_server() -> SimulatorServer:
    """Start the simulator with the demo market; the caller stops it."""
    server = SimulatorServer(Market(stocks=DEMO_STOCKS))
    server.start()
    return server
