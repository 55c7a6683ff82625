"""Baostock sessions in worker processes: fetch and parse there, store in the parent.

The baostock client keeps one socket per process, so N sessions need N worker
processes. Workers only fetch and parse and send back plain tuples; the parent alone
writes the database, in its own transactions. Processes are spawned, never forked, so a
Qt application or the threads of the parent are not copied half-alive (and the same code
runs in a PyInstaller bundle, whose entry point calls ``freeze_support``).

All sessions share one :class:`Pace`: a ceiling on requests per second across processes,
and a common pause when the server complains, so more sessions never mean more pressure
than the ceiling allows (users with 8 sessions from one IP were blacklisted).

A frame task's reply runs to several pages (a year of 5-minute bars is six), each a
request to the server, so every page beyond the first is charged to the ceiling after
the reply (:meth:`Pace.charge`): counted as one, six sessions' worth of pages would fit
under a ceiling meant for one session's pace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.fetch import (
    DayPlan,
    fetch_day,
    fetch_factors,
    fetch_stock,
    planned_rows,
)
from stockdesk.collect.frame_fetch import FrameDays, fetch_frames
from stockdesk.collect.options import MAX_SESSIONS, CollectOptions
from stockdesk.domain.errors import ServerGoneError, SourceError
from stockdesk.domain.values import JobRequest, Security
from stockdesk.source.baostock_source import BaostockSource

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event as ProcessEvent

_POLL = 0.1
"""Seconds between checks of the cancel flag and the workers while waiting."""
_JOIN = 2.0
"""Seconds workers get to log out before they are terminated."""


@dataclass(frozen=True, slots=True)
class Result:
    """What a worker sends back: ``kind`` is a task's kind, ``message``, ``gone`` (the
    server stayed away too long) or ``error``."""

    kind: str
    key: int
    payload: Any


class Pace:
    """A request-rate ceiling and a shared backoff, across processes.

    Turns are ``1 / requests_per_second`` apart. A session that comes late for its turn
    may still use it, up to one interval late: with strict spacing, a worker still
    parsing its last reply lost the turn for good, and a market-year's 257 requests
    at 25/s took ~1.4 s beyond the 10.3 s the ceiling allows. Over any stretch of time
    at most one request beyond the ceiling starts (a generic cell-rate algorithm, one
    interval of tolerance).
    """

    def __init__(self, context: Any, requests_per_second: float) -> None:
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._due = context.Value("d", 0.0)
        """``time.monotonic`` (system-wide) one interval after the next turn."""

    def wait(self, cancel: ProcessEvent) -> None:
        """Wait for this session's turn; raises :class:`JobCancelled` on cancel."""
        with self._due.get_lock():
            now = time.monotonic()
            turn = max(now, self._due.value - self._interval)
            self._due.value = max(self._due.value, turn) + self._interval
        if turn > now and cancel.wait(turn - now):
            raise JobCancelled

    def charge(self, turns: int) -> None:
        """``turns`` more requests were just sent (pages of one reply): the next turns
        come that much later, as if each had waited for a turn of its own."""
        if turns > 0:
            with self._due.get_lock():
                self._due.value = max(self._due.value, time.monotonic()) + turns * self._interval

    def hold(self, seconds: float, cancel: ProcessEvent) -> None:
        """The server complained: no session sends anything for ``seconds``."""
        with self._due.get_lock():
            self._due.value = max(self._due.value, time.monotonic() + seconds + self._interval)
        self.wait(cancel)


class WorkerPool:
    """``workers`` worker processes, one baostock session each, serving fetch tasks; used
    as a context manager.

    Tasks are ``("day", key, date)``, ``("stock", key, security, span, expected_days)``,
    ``("factors", key, code, start, end)`` or
    ``("frame", key, security, span, expected, (frequency, adjustflag))``; each gives one
    :class:`Result` of the same kind and key. Leaving the context (or a cancel) stops the
    workers: they see the cancel flag within ~0.2 s even mid-request.
    """

    def __init__(
        self,
        options: CollectOptions,
        request: JobRequest,
        cancel: threading.Event,
        *,
        workers: int,
        on_message: Callable[[str], None],
        day_plan: DayPlan | None = None,
    ) -> None:
        """``workers`` is at most :data:`~stockdesk.collect.options.MAX_SESSIONS`; the
        strategy (:mod:`~stockdesk.collect.strategy`) chooses it. ``on_message`` gets the
        workers' lines for the user, in the thread that takes the results.

        With ``day_plan``, a day task's key is the day's position in it, and the worker
        sends back only the rows of the stocks that expect the day
        (:func:`~stockdesk.collect.fetch.planned_rows`): filtering ~4,600 rows a day is
        then spread over the workers instead of adding to the parent's writing.
        """
        self.workers = max(1, min(workers, MAX_SESSIONS))
        self._cancel = cancel
        self._on_message = on_message
        context = multiprocessing.get_context("spawn")
        self._tasks = context.Queue()
        self._results = context.Queue()
        self._stop = context.Event()
        self._skip_days = context.Event()
        # Kept here: a process drops its arguments once started, and a semaphore
        # collected before a spawned child has opened it is gone for the child.
        self._pace = Pace(context, options.requests_per_second)
        self._processes = [
            context.Process(
                target=_serve,
                name=f"stockdesk-worker-{number}",
                daemon=True,
                args=(
                    options,
                    request,
                    day_plan,
                    self._tasks,
                    self._results,
                    self._stop,
                    self._pace,
                    self._skip_days,
                ),
            )
            for number in range(self.workers)
        ]
        self.pending = 0
        """Tasks submitted whose result has not been taken yet."""

    def __enter__(self) -> WorkerPool:
        for worker in self._processes:
            worker.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for _worker in self._processes:
            self._tasks.put(None)
        deadline = time.monotonic() + _JOIN
        for worker in self._processes:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.terminate()
                worker.join(_JOIN)
        self._tasks.cancel_join_thread()
        self._results.cancel_join_thread()

    def skip_days(self) -> None:
        """Answer the day tasks still queued with None, without asking the server (the
        job gave up fetching by date); other tasks go on."""
        self._skip_days.set()

    def submit_day(self, key: int, day: dt.date) -> None:
        self._tasks.put(("day", key, day))
        self.pending += 1

    def submit_stock(
        self, key: int, security: Security, span: tuple[dt.date, dt.date], expected: list[dt.date]
    ) -> None:
        self._tasks.put(("stock", key, security, span, expected))
        self.pending += 1

    def submit_frame(
        self,
        key: int,
        security: Security,
        span: tuple[dt.date, dt.date],
        expected: FrameDays,
        bars: tuple[str, str],
    ) -> None:
        """One stock's bars of ``bars`` (frequency, adjust flag: an update extends several
        frequencies in one job): a ``frame`` result whose payload is (item, rows), as
        :func:`~stockdesk.collect.frame_fetch.fetch_frames` returns."""
        self._tasks.put(("frame", key, security, span, expected, bars))
        self.pending += 1

    def submit_factors(self, key: int, code: str, start: dt.date, end: dt.date) -> None:
        """One stock's ex-rights events in ``[start, end]``: a ``factors`` result whose
        payload is (events, error or None)."""
        self._tasks.put(("factors", key, code, start, end))
        self.pending += 1

    def next_result(self, block: bool = True, timeout: float | None = None) -> Result | None:
        """The next day or stock result, or None when none came in time.

        Args:
            block: False returns at once (None when no result is ready).
            timeout: seconds to wait at most when blocking; None waits for a result.

        Raises:
            JobCancelled: the job's cancel flag was set (the workers are told at once).
            ServerGoneError: a worker waited for the server longer than the job allows.
            SourceError: every worker process died.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._cancel.is_set():
                self._stop.set()
                raise JobCancelled
            wait = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            try:
                result: Result = (
                    self._results.get(timeout=wait)
                    if block and wait > 0
                    else self._results.get_nowait()
                )
            except queue.Empty:
                if not block or (deadline is not None and time.monotonic() >= deadline):
                    return None
                if not any(worker.is_alive() for worker in self._processes):
                    raise SourceError("采集进程意外退出", code="worker") from None
                continue
            if result.kind == "message":
                self._on_message(result.payload)
                continue
            if result.kind == "gone":
                raise ServerGoneError(result.payload)
            if result.kind == "error":
                raise SourceError(f"采集进程出错：{result.payload}", code="worker")
            self.pending -= 1
            return result

    def take(self) -> Result:
        """The next day or stock result, waiting as long as it takes (see
        :meth:`next_result` for what it raises)."""
        while (result := self.next_result()) is None:
            continue
        return result

    def drain(self) -> Iterator[Result]:
        """Results ready now, without waiting."""
        while (result := self.next_result(block=False)) is not None:
            yield result


def _parent_alive() -> bool:
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


def _next_task(tasks: Any, stop: ProcessEvent) -> tuple[Any, ...] | None:
    """The next task; None when told to stop or when the parent died (killed, crashed),
    so a worker never outlives its job."""
    while not stop.is_set() and _parent_alive():
        try:
            task: tuple[Any, ...] = tasks.get(timeout=_POLL * 5)
            return task
        except queue.Empty:
            continue
    return None


def _serve(
    options: CollectOptions,
    request: JobRequest,
    day_plan: DayPlan | None,
    tasks: Any,
    results: Any,
    stop: ProcessEvent,
    pace: Pace,
    skip_days: ProcessEvent,
) -> None:
    """A worker process: one baostock session serving tasks until told to stop."""
    # What is imported now lives as long as the process. Each reply allocates thousands of
    # tuples, and every collection they trigger would traverse all of it again: frozen,
    # a per-date day costs ~20% less CPU (47.7 -> 38.2 ms measured).
    gc.freeze()

    def pause(seconds: float) -> None:
        pace.hold(seconds, stop)

    def say(text: str) -> None:
        results.put(Result("message", 0, text))

    # The job's own login proved the server; from here on an outage is waited out.
    source = BaostockSource(
        options.server, timeout=options.timeout, cancel=stop, outage=options.outage, say=say
    )

    try:
        while (task := _next_task(tasks, stop)) is not None:
            kind, key, *arguments = task
            if kind != "day" or not skip_days.is_set():
                pace.wait(stop)  # after which the job may have given up the days
            if kind == "day" and skip_days.is_set():
                results.put(Result(kind, key, None))
                continue
            if kind == "day":
                payload: Any = fetch_day(source, arguments[0], options, pause=pause, say=say)
                if payload is not None and day_plan is not None:
                    payload = planned_rows(payload, day_plan, key)
            elif kind == "frame":
                asked = source.requests
                security, span, expected, (frequency, adjustflag) = arguments
                payload = fetch_frames(
                    source,
                    security,
                    span,
                    frequency,
                    adjustflag,
                    expected,
                    options,
                    pause=pause,
                    say=say,
                )
                pace.charge(source.requests - asked - 1)
            elif kind == "factors":
                code, start, end = arguments
                payload = fetch_factors(source, code, start, end, options, pause=pause, say=say)
            else:
                payload = fetch_stock(
                    source,
                    arguments[0],
                    arguments[1],
                    request.adjustflag,
                    arguments[2],
                    options,
                    pause=pause,
                    say=say,
                )
            results.put(Result(kind, key, payload))
    except JobCancelled:
        pass
    except ServerGoneError as gone:
        results.put(Result("gone", 0, str(gone)))
    except Exception as bug:  # tell the parent instead of dying silently
        results.put(Result("error", 0, repr(bug)))
    finally:
        with contextlib.suppress(Exception):
            source.logout()
        if not _parent_alive():
            # Nobody reads the results pipe any more: exiting must not wait for the queue's
            # feeder thread, blocked on a full pipe, to flush what the dead parent never reads.
            results.cancel_join_thread()
