"""Fault injection: which requests the simulator answers badly, and how.

A :class:`FaultPlan` is shared between the test (or demo) that changes it and the server
threads that consult it for every request, so all of it is guarded by one lock.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

_SESSION_METHODS = frozenset({"login", "logout"})


class FaultKind(StrEnum):
    """Ways a reply can go wrong, each seen in the wild from a flaky service or network."""

    HANG = "hang"
    """Read the request and never answer (the client's recv blocks forever)."""
    CLOSE_MID_REPLY = "close_mid_reply"
    """Send part of the reply, then close the connection gracefully."""
    RESET = "reset"
    """Close with an RST instead of answering."""
    ERROR = "error"
    """A well-formed reply carrying an error code."""
    MALFORMED = "malformed"
    """A well-framed reply whose data or fields are broken."""
    UNDECODABLE = "undecodable"
    """A framed reply whose bytes fail zlib or UTF-8 decoding."""
    EMPTY = "empty"
    """A successful reply with no rows: what a server without the data answers."""


@dataclass(frozen=True, slots=True)
class Probe:
    """What a fault rule can match in a request."""

    method: str
    code: str | None = None
    page: int | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault to apply to one reply."""

    kind: FaultKind
    error_code: str = "10004011"
    error_msg: str | None = None


@dataclass(slots=True)
class _Rule:
    fault: Fault
    method: str | None
    code: str | None
    page: int | None
    date: str | None
    remaining: int | None

    def matches(self, probe: Probe) -> bool:
        return all(
            want is None or want == got
            for want, got in (
                (self.method, probe.method),
                (self.code, probe.code),
                (self.page, probe.page),
                (self.date, probe.date),
            )
        )


class FaultPlan:
    """The faults a running simulator injects; change it at any time from any thread.

    Attributes:
        latency: seconds added before every reply.
        login_error: when set, every login is refused with this baostock error code.
        injected: how many faults of each kind were injected so far.
    """

    def __init__(self, *, latency: float = 0.0, login_error: str | None = None) -> None:
        self.latency = latency
        self.login_error = login_error
        self.injected: Counter[FaultKind] = Counter()
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._rate = 0.0
        self._kinds: tuple[FaultKind, ...] = ()
        self._random = random.Random(0)

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        code: str | None = None,
        page: int | None = None,
        date: str | None = None,
        times: int | None = 1,
        error_code: str = "10004011",
        error_msg: str | None = None,
    ) -> None:
        """Fault the next ``times`` requests (None: all) that match every given criterion.

        ``method`` is baostock's method name, ``code`` a security code, ``page`` the
        1-based page number and ``date`` the ``YYYY-MM-DD`` date of a per-date request.
        Rules are consulted in the order they were added.
        """
        if times is not None and times <= 0:
            return
        rule = _Rule(Fault(FaultKind(kind), error_code, error_msg), method, code, page, date, times)
        with self._lock:
            self._rules.append(rule)

    def randomize(
        self, rate: float, *, seed: int, kinds: Iterable[FaultKind] = tuple(FaultKind)
    ) -> None:
        """Fault each data request (not login/logout) with probability ``rate``, drawing
        the kind uniformly from ``kinds``; for soak tests. ``rate=0`` turns it off."""
        with self._lock:
            self._rate = rate
            self._kinds = tuple(FaultKind(kind) for kind in kinds)
            self._random = random.Random(seed)

    def clear(self) -> None:
        """Remove every rule, random faults, latency and login refusal (keeps ``injected``)."""
        with self._lock:
            self._rules.clear()
            self._rate = 0.0
            self.latency = 0.0
            self.login_error = None

    def take(self, probe: Probe) -> Fault | None:
        """The fault for the request described by ``probe``, consuming one use of it."""
        with self._lock:
            fault = self._from_rules(probe) or self._from_random(probe)
            if fault is not None:
                self.injected[fault.kind] += 1
            return fault

    def _from_rules(self, probe: Probe) -> Fault | None:
        for rule in self._rules:
            if rule.matches(probe):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                return rule.fault
        return None

    def _from_random(self, probe: Probe) -> Fault | None:
        if self._rate <= 0 or not self._kinds or probe.method in _SESSION_METHODS:
            return None
        if self._random.random() >= self._rate:
            return None
        return Fault(self._random.choice(self._kinds), "10005001")
