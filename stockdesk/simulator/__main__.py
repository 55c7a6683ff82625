"""``python -m stockdesk.simulator``: run the simulator in the foreground.

For benchmarks and manual runs that need the server in its own process.
"""

from __future__ import annotations

import argparse
import threading

from stockdesk.simulator.faults import FaultPlan
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; prints the address first so callers can read it."""
    parser = argparse.ArgumentParser(
        prog="python -m stockdesk.simulator", description="A baostock-protocol simulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--stocks", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    args = parser.parse_args(argv)
    server = SimulatorServer(
        Market(seed=args.seed, stocks=args.stocks),
        faults=FaultPlan(latency=args.latency),
        host=args.host,
        port=args.port,
    )
    print(server.start(), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
