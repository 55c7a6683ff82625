"""Starting, watching and cancelling collection jobs from the GUI thread.

The controller owns the window's one-job gate, the worker thread of the running job and
the applier that streams results into the table. It lives in the GUI thread, so every slot
connected to the worker's signals runs there.

The gate is a QMutex, locked with ``tryLock()`` and unlocked in the GUI thread: it covers
one process, whose windows share it (baostock keeps one socket per process), and refuses a
second Start before anything reaches the database. Jobs of other processes on the same
database (the command line, a scheduled run, another window's process) are refused by the
database's own gate, :mod:`stockdesk.db.gate`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QMutex, QObject, Qt, QThread, QTimer, Signal, Slot

from stockdesk.domain.values import ItemResult, JobRecord, JobRequest, Progress
from stockdesk.ui.batcher import BATCH_AGE, BatchApplier
from stockdesk.ui.labels import job_running_text
from stockdesk.ui.worker import CollectorFactory, CollectWorker, JobEnderFactory

THREAD_STOP_TIMEOUT_MS = 5000


class JobController(QObject):
    """Runs at most one job at a time and relays its events to the window.

    Signals:
        jobStarted(str): the running job's task ID, as stored in the job log.
        planReady(int): how many stocks the job will process.
        progressed(object): a :class:`Progress` snapshot.
        message(str): a line from the collector for the status bar.
        refused(str): a start was refused because a job is running (here or elsewhere).
        errorOccurred(str): a job could not be run (user-facing text).
        jobFinished(object): the final :class:`JobRecord`, or None if no job ran.
        busyChanged(bool): a job is starting (True, before its thread runs) or ended (False).
    """

    jobStarted = Signal(str)
    planReady = Signal(int)
    progressed = Signal(object)
    message = Signal(str)
    refused = Signal(str)
    errorOccurred = Signal(str)
    jobFinished = Signal(object)
    busyChanged = Signal(bool)

    def __init__(
        self,
        factory: CollectorFactory,
        sink: Callable[[Sequence[ItemResult]], None],
        *,
        job_log: JobEnderFactory,
        gate: QMutex | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self._job_log = job_log
        self._gate = gate if gate is not None else QMutex()
        """Locked while a job runs; pass one gate to several controllers to share it."""
        self._busy = False
        self._worker: CollectWorker | None = None
        self._threads: list[tuple[QThread, CollectWorker]] = []
        """Threads not yet fully finished, with their workers. A worker is deleted in the
        GUI thread once its thread has ended, not with deleteLater in its own thread: there
        its destructor took a Qt lock, then waited for the GIL, while the GUI thread held
        the GIL waiting for that lock (connect, disconnect, moveToThread): a deadlock when
        Start followed a job's end at once."""
        self._cancel_requested: float | None = None
        self.last_cancel_seconds: float | None = None
        """Seconds from the last :meth:`cancel` to the job's end (for measurements)."""
        self.applier = BatchApplier(sink, parent=self)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(int(BATCH_AGE * 1000))
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)

    def is_busy(self) -> bool:
        """Whether a job of this window is running."""
        return self._busy

    def start(self, request: JobRequest) -> bool:
        """Start a job for ``request`` unless one is running; returns whether it started."""
        if not self._gate.tryLock():
            self.refused.emit(job_running_text())
            return False
        self._busy = True
        self._cancel_requested = None
        self.applier.clear()
        # The job's thread allocates millions of short-lived tuples, and the collections
        # they trigger run in that thread holding the GIL, so the GUI thread waits them
        # out: a full collection over the window's and the libraries' objects stalled the
        # event loop for 138 ms. Frozen, they are not traversed during the job; they are
        # still freed as usual when their last reference goes, and unfrozen when the job's
        # thread ends, so that a reference cycle among them is not kept for ever.
        gc.freeze()
        thread = QThread(self)
        thread.setObjectName("collectThread")
        worker = CollectWorker(self._factory, self._job_log, request)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and the thread must stop as soon as run() returns,
        # not when the GUI gets round to it (a QThread destroyed while running aborts).
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        thread.finished.connect(thread.deleteLater)
        worker.itemsFinished.connect(self.applier.enqueue, Qt.ConnectionType.QueuedConnection)
        worker.jobStarted.connect(self._on_worker_job_started)
        worker.planReady.connect(self._on_worker_plan_ready)
        worker.progressed.connect(self._on_worker_progressed)
        worker.message.connect(self._on_worker_message)
        worker.refused.connect(self._on_worker_refused)
        worker.errorOccurred.connect(self._on_worker_error_occurred)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        self._threads.append((thread, worker))
        self.busyChanged.emit(True)
        thread.start()
        self._flush_timer.start()
        return True

    def cancel(self) -> None:
        """Ask the running job to stop; it ends as ``cancelled`` with its work committed."""
        if self._worker is not None:
            self._cancel_requested = time.monotonic()
            self._worker.cancel()

    @Slot(str)
    def fail(self, reason: str) -> None:
        """Stop the running job because the program crashed; it is logged ``failed``.

        Returns at once: the job's own thread commits what it has, logs the failure with
        ``reason`` and then ends as usual (``jobFinished`` carries the failed record).
        """
        if self._worker is not None:
            self._worker.fail(reason)

    def shutdown(self, timeout_ms: int = THREAD_STOP_TIMEOUT_MS) -> None:
        """Cancel any job and wait for its thread, so none outlives the window."""
        self.cancel()
        for thread, _worker in self._threads:
            thread.wait(timeout_ms)

    @Slot()
    def _on_flush_timer_timeout(self) -> None:
        # A stock that takes long would otherwise hold back the results buffered before it.
        if self._worker is not None:
            self._worker.buffer.flush_stale()

    @Slot(str)
    def _on_worker_job_started(self, job_id: str) -> None:
        self.jobStarted.emit(job_id)

    @Slot(int)
    def _on_worker_plan_ready(self, total: int) -> None:
        self.planReady.emit(total)

    @Slot(object)
    def _on_worker_progressed(self, progress: Progress) -> None:
        self.progressed.emit(progress)

    @Slot(str)
    def _on_worker_message(self, text: str) -> None:
        self.message.emit(text)

    @Slot()
    def _on_worker_refused(self) -> None:
        self.refused.emit(job_running_text())

    @Slot(str)
    def _on_worker_error_occurred(self, text: str) -> None:
        self.errorOccurred.emit(text)

    @Slot(object)
    def _on_worker_finished(self, record: JobRecord | None) -> None:
        self._flush_timer.stop()
        self._worker = None
        if self._cancel_requested is not None:
            self.last_cancel_seconds = time.monotonic() - self._cancel_requested
        self._busy = False
        self._gate.unlock()
        self.busyChanged.emit(False)
        self.jobFinished.emit(record)

    @Slot()
    def _on_thread_finished(self) -> None:
        for entry in list(self._threads):
            thread, worker = entry
            if thread.isFinished():
                thread.wait()
                self._threads.remove(entry)
                # Now, with the GIL held; left to Python, a reference cycle through its
                # buffer would leave it to a garbage collection in any thread.
                shiboken6.delete(worker)
        if not self._threads and not self._busy:
            gc.unfreeze()

    def threads_alive(self) -> int:
        """Worker threads not yet fully finished (tests wait for 0)."""
        return len(self._threads)
