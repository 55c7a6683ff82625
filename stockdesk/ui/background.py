"""Running short database reads off the GUI thread and getting the answer back on it.

Like Anki's background operations: a plain function runs in a QThreadPool, and its
``success`` or ``failure`` callback runs afterwards in the GUI thread. The pool task emits a
signal of this GUI-thread QObject, so delivery is queued to the GUI thread
(docs/architecture.md, "Measured": a cross-thread signal must end in a method of a
GUI-thread QObject, never a lambda).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from stockdesk.domain.errors import StockDeskError

log = logging.getLogger(__name__)

_Result = TypeVar("_Result")
Failure = Callable[[str], None]


class _Task(QRunnable):
    def __init__(
        self, runner: BackgroundRunner, ticket: int, function: Callable[[], object]
    ) -> None:
        super().__init__()
        self._runner = runner
        self._ticket = ticket
        self._function = function

    def run(self) -> None:
        try:
            result, error = self._function(), None
        except StockDeskError as exc:
            result, error = None, str(exc)
        except Exception as exc:
            log.exception("background read failed")
            result, error = None, f"{type(exc).__name__}: {exc}"
        self._runner.delivered.emit(self._ticket, result, error)


class BackgroundRunner(QObject):
    """Runs functions in a private thread pool and calls back in the GUI thread.

    Signals:
        delivered(int, object, object): internal; a ticket's result and error text.
    """

    delivered = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._tickets = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable[[Any], None], Failure | None]] = {}
        """Each ticket's callbacks; ``success`` takes what that ticket's function returned,
        which :meth:`submit` checks, so the mixed tickets are stored as taking Any."""
        self.delivered.connect(self._on_delivered)

    def submit(
        self,
        function: Callable[[], _Result],
        success: Callable[[_Result], None],
        failure: Failure | None = None,
    ) -> int:
        """Run ``function`` in the pool; ``success(result)`` or ``failure(text)`` follow."""
        ticket = next(self._tickets)
        self._callbacks[ticket] = (success, failure)
        self._pool.start(_Task(self, ticket, function))
        return ticket

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Block until the pool is idle (closing the window); results are then dropped."""
        done = self._pool.waitForDone(timeout_ms)
        self._callbacks.clear()
        return done

    @Slot(int, object, object)
    def _on_delivered(self, ticket: int, result: Any, error: str | None) -> None:
        callbacks = self._callbacks.pop(ticket, None)
        if callbacks is None:
            return
        success, failure = callbacks
        if error is None:
            success(result)
        elif failure is not None:
            failure(error)
        else:
            log.warning("background read failed: %s", error)
