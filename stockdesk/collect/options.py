"""The knobs of a collection run, as the window, the command line and tests set them.

A module of its own, importing nothing but the outage policy: the options travel to every
worker process by pickle, and unpickling them must not load the collector, the database
layer or SQLAlchemy there (+36 MB and ~0.5 s of CPU per worker, measured).
"""

from __future__ import annotations

from dataclasses import dataclass

from stockdesk.source.outage import OutagePolicy

MAX_SESSIONS = 4
"""The most baostock sessions (worker processes) a job may open; more risks the public
server's blacklist (users with 8 sessions from one IP were blacklisted)."""


@dataclass(frozen=True, slots=True)
class CollectOptions:
    """Knobs of a collection run; the defaults are polite to the public server."""

    server: str | None = None
    """``HOST:PORT`` of the baostock server; None means the public one."""
    timeout: float = 10.0
    """Seconds any single request may take before it counts as failed."""
    retries: int = 3
    """Attempts per stock before it is recorded as failed."""
    backoff: float = 0.5
    """First pause between attempts, doubled each time."""
    per_date_min_stocks: int = 300
    """Fewest stocks to fetch for which fetching by date is considered."""
    sessions: int = 1
    """Baostock sessions fetching at once, each in a worker process, 1 to
    :data:`MAX_SESSIONS` (the command line's ``--sessions``)."""
    requests_per_second: float = 50.0
    """Ceiling on requests per second of the worker sessions together.

    About what one session reaches on its own at 20 ms per request (38/s measured), so
    that a second session still helps (at 25/s, two sessions took 41.5 s for 1,032
    stocks where one, which the ceiling does not pace, took 27.1 s), while four sessions
    send less than a fifth of what eight unpaced ones did, which got users blacklisted.
    """
    outage_timeout: float = 600.0
    """Seconds to wait for a server that went away mid-job before the job fails."""
    outage_backoff: float = 1.0
    """First pause between attempts to reach a server that went away, doubled each time."""
    outage_backoff_max: float = 30.0
    """Longest such pause: how late, at worst, a server that came back is noticed."""

    @property
    def outage(self) -> OutagePolicy:
        """The outage knobs as the source adapter takes them."""
        return OutagePolicy(
            timeout=self.outage_timeout,
            first_wait=self.outage_backoff,
            max_wait=self.outage_backoff_max,
        )
