"""Getting thousands of per-stock results into the table without freezing the window.

Two halves (docs/architecture.md, "Measured"): in the worker thread an :class:`ItemBuffer`
turns single results into batches of about 200 results or 100 ms, so the event loop sees a
few signals a second instead of one per stock; in the GUI thread a :class:`BatchApplier`
queues those batches and feeds them to the model from a 0 ms timer in slices of at most ~10
ms, so painting and input are never starved however fast the batches come.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from stockdesk.domain.values import ItemResult

BATCH_SIZE = 200
BATCH_AGE = 0.1
SLICE_BUDGET_MS = 10.0


class ItemBuffer:
    """Collects results in the worker thread and hands them on in batches.

    ``emit`` is called with each batch while the buffer's lock is held, so batches are
    posted in the order their results were taken even when a stale batch is flushed from
    another thread (the GUI's flush timer covers a worker stuck on one slow stock).
    """

    def __init__(
        self,
        emit: Callable[[list[ItemResult]], None],
        *,
        max_items: int = BATCH_SIZE,
        max_age: float = BATCH_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._max_items = max_items
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: list[ItemResult] = []
        self._oldest = 0.0

    def add(self, item: ItemResult) -> None:
        """Buffer ``item``; emit the batch once it is big or old enough."""
        with self._lock:
            if not self._pending:
                self._oldest = self._clock()
            self._pending.append(item)
            if (
                len(self._pending) >= self._max_items
                or self._clock() - self._oldest >= self._max_age
            ):
                self._emit_locked()

    def flush_stale(self) -> None:
        """Emit what is buffered if it has waited longer than the batch age."""
        with self._lock:
            if self._pending and self._clock() - self._oldest >= self._max_age:
                self._emit_locked()

    def flush(self) -> None:
        """Emit whatever is buffered (end of job)."""
        with self._lock:
            if self._pending:
                self._emit_locked()

    def _emit_locked(self) -> None:
        batch, self._pending = self._pending, []
        self._emit(batch)


class BatchApplier(QObject):
    """Applies queued batches to a sink in time-boxed slices from a 0 ms timer.

    The slice size adapts to the sink's measured cost per result, so a slow sink (a sorted
    table inserting row by row) gets smaller chunks rather than a longer stall.

    Signals:
        drained: every queued result has been applied.
    """

    drained = Signal()

    def __init__(
        self,
        sink: Callable[[Sequence[ItemResult]], None],
        *,
        budget_ms: float = SLICE_BUDGET_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sink = sink
        self._budget = budget_ms / 1000.0
        self._queue: deque[list[ItemResult]] = deque()
        self._pending = 0
        self._per_item = 0.0001
        self.worst_slice_ms = 0.0
        """The longest slice so far, in milliseconds (for measurements and tests)."""
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    @Slot(list)
    def enqueue(self, batch: list[ItemResult]) -> None:
        """Queue ``batch`` to be applied on the next turns of the event loop."""
        if not batch:
            return
        self._queue.append(list(batch))
        self._pending += len(batch)
        if not self._timer.isActive():
            self._timer.start()

    def pending(self) -> int:
        """Results queued but not applied yet."""
        return self._pending

    def clear(self) -> None:
        """Drop everything queued (the table is being reset for a new job)."""
        self._queue.clear()
        self._pending = 0
        self._timer.stop()

    def apply_all(self) -> None:
        """Apply everything queued now, ignoring the budget (used only when a job ends
        while the window is closing, when smoothness no longer matters)."""
        while self._queue:
            batch = self._queue.popleft()
            self._pending -= len(batch)
            self._sink(batch)
        self._timer.stop()
        self.drained.emit()

    @Slot()
    def _on_timer_timeout(self) -> None:
        started = time.perf_counter()
        deadline = started + self._budget
        while self._queue:
            now = time.perf_counter()
            if now >= deadline:
                break
            count = max(1, int((deadline - now) / self._per_item * 0.5))
            batch = self._queue[0]
            chunk = batch[:count]
            if len(chunk) == len(batch):
                self._queue.popleft()
            else:
                self._queue[0] = batch[count:]
            self._pending -= len(chunk)
            before = time.perf_counter()
            self._sink(chunk)
            self._per_item = max((time.perf_counter() - before) / len(chunk), 1e-6)
        self.worst_slice_ms = max(self.worst_slice_ms, (time.perf_counter() - started) * 1000)
        if not self._queue:
            self._timer.stop()
            self.drained.emit()
