"""A baostock-protocol server with a synthetic market, for the demo and the tests."""

from stockdesk.simulator.faults import FaultKind, FaultPlan
from stockdesk.simulator.market import K_FIELDS, Market
from stockdesk.simulator.server import SimulatorServer

__all__ = ["K_FIELDS", "FaultKind", "FaultPlan", "Market", "SimulatorServer"]
