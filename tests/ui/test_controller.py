import datetime as dt
import gc
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread, Signal, Slot
from ui_fakes import FakeCollector, FakeJobLog

from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.ui.controller import JobController
from stockdesk.ui.labels import job_running_text

REQUEST = JobRequest(dt.date(2024, 1, 2), dt.date(2024, 6, 11))


class Sink(QObject):
    """Records the results and the thread they were applied in."""

    def __init__(self):
        super().__init__()
        self.items = []
        self.threads = set()

    def __call__(self, items):
        self.items.extend(items)
        self.threads.add(QThread.currentThread())


@pytest.fixture
def make_controller():
    """Builds controllers and waits for their threads at the end of the test."""
    controllers = []

    def make(collector, factory=None):
        sink = Sink()
        log = collector.log if collector is not None else FakeJobLog()
        controller = JobController(factory or (lambda: collector), sink, job_log=lambda: log)
        controllers.append(controller)
        return controller, sink

    yield make
    for controller in controllers:
        controller.shutdown()


def test_job_runs_in_a_worker_thread_and_streams_results(qtbot, qapp, make_controller):
    collector = FakeCollector(FakeJobLog(), items=450, failed=(3, 7))
    controller, sink = make_controller(collector)
    started = []
    controller.jobStarted.connect(started.append)
    with qtbot.waitSignal(controller.jobFinished, timeout=5000) as finished:
        assert controller.start(REQUEST)
        assert controller.is_busy()
    record = finished.args[0]
    assert record.status == JobStatus.COMPLETED
    assert (record.success_count, record.failed_count) == (448, 2)
    assert started == [record.id]
    qtbot.waitUntil(lambda: len(sink.items) == 450, timeout=5000)
    assert sink.threads == {qapp.thread()}
    assert not controller.is_busy()
    qtbot.waitUntil(lambda: controller.threads_alive() == 0, timeout=2000)


def test_second_start_is_refused_while_a_job_runs(qtbot, make_controller):
    hold = threading.Event()
    collector = FakeCollector(FakeJobLog(), items=5, hold=hold)
    controller, _sink = make_controller(collector)
    refusals = []
    controller.refused.connect(refusals.append)
    with qtbot.waitSignal(controller.jobStarted, timeout=5000):
        assert controller.start(REQUEST)
    assert not controller.start(REQUEST)
    assert refusals == [job_running_text()]
    with qtbot.waitSignal(controller.jobFinished, timeout=5000):
        hold.set()
    assert len(collector.requests) == 1
    with qtbot.waitSignal(controller.jobFinished, timeout=5000):
        assert controller.start(REQUEST)  # the gate opened again


def test_job_of_another_process_is_refused_with_the_same_text(qtbot, make_controller):
    controller, _sink = make_controller(FakeCollector(FakeJobLog(), busy=True))
    with qtbot.waitSignal(controller.refused, timeout=5000) as refused:
        assert controller.start(REQUEST)
    assert refused.args == [job_running_text()]
    qtbot.waitUntil(lambda: not controller.is_busy(), timeout=2000)


def test_crash_in_the_collector_is_reported_and_frees_the_gate(qtbot, make_controller):
    def explode():
        raise RuntimeError("boom")

    controller, _sink = make_controller(None, explode)
    with qtbot.waitSignal(controller.errorOccurred, timeout=5000) as error:
        controller.start(REQUEST)
    assert "boom" in error.args[0]
    qtbot.waitUntil(lambda: not controller.is_busy(), timeout=2000)
    with qtbot.waitSignal(controller.jobFinished, timeout=5000):
        assert controller.start(REQUEST)  # the gate is open again


def test_cancel_ends_the_job_as_cancelled(qtbot, make_controller):
    hold = threading.Event()
    controller, _sink = make_controller(FakeCollector(FakeJobLog(), items=5, hold=hold))
    with qtbot.waitSignal(controller.jobStarted, timeout=5000):
        controller.start(REQUEST)
    started = time.monotonic()
    with qtbot.waitSignal(controller.jobFinished, timeout=2000) as finished:
        controller.cancel()
    assert finished.args[0].status == JobStatus.CANCELLED
    assert time.monotonic() - started < 2
    assert controller.last_cancel_seconds < 2


def test_fail_ends_the_job_as_failed_with_the_reason(qtbot, make_controller):
    hold = threading.Event()
    log = FakeJobLog()
    controller, _sink = make_controller(FakeCollector(log, items=5, hold=hold))
    controller.fail("ignored: no job runs")
    with qtbot.waitSignal(controller.jobStarted, timeout=5000):
        controller.start(REQUEST)
    with qtbot.waitSignal(controller.jobFinished, timeout=2000) as finished:
        controller.fail("ZeroDivisionError: division by zero")
    record = finished.args[0]
    assert record.status == JobStatus.FAILED
    assert record.error_message == (
        "程序出现意外错误，任务已停止：ZeroDivisionError: division by zero"
    )
    assert log.get_job(record.id).status == JobStatus.FAILED


RESTARTS = """
import datetime as dt
import sys
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication
from stockdesk.domain.values import JobRequest
from stockdesk.ui.controller import JobController
sys.path.insert(0, {fakes!r})
from ui_fakes import FakeJobLog  # as in these tests: without it the deadlock hid

def no_collector():
    raise RuntimeError("no collector")  # the quickest job there is

app = QApplication([])
log = FakeJobLog()
controller = JobController(no_collector, lambda items: None, job_log=lambda: log)
for _ in range(2000):
    loop = QEventLoop()
    controller.jobFinished.connect(loop.quit)
    assert controller.start(JobRequest(dt.date(2024, 1, 2), dt.date(2024, 1, 5)))
    loop.exec()
    controller.jobFinished.disconnect(loop.quit)
controller.shutdown()
print("restarted 2000 times")
"""


def test_start_right_after_a_job_ends_does_not_deadlock():
    """Start at once after a job's end: the old thread deleting its worker (holding a Qt
    lock, wanting the GIL) and moveToThread() or disconnect() in the GUI thread (holding
    the GIL, wanting the lock) deadlocked. Timing decides: before the fix this child hung
    in about one run of three. A deadlock holds the GIL, which no pytest timeout can
    break, so it runs in a child process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = RESTARTS.format(fakes=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert "restarted 2000 times" in done.stdout, done.stderr[-2000:]


class Emitter(QObject):
    ping = Signal(object)


class Counter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    @Slot(object)
    def on_ping(self, _value):
        self.count += 1


def test_many_thousand_emits_do_not_crash(qtbot):
    """PySide6 6.12.0 on Python 3.11 aborted after a few hundred emits
    (docs/architecture.md, "Measured")."""
    emitter, counter = Emitter(), Counter()
    emitter.ping.connect(counter.on_ping)
    for index in range(20_000):
        emitter.ping.emit(index)
    assert counter.count == 20_000


def test_windows_sharing_a_gate_run_one_job_between_them(qtbot, make_controller):
    """baostock has one socket per process: the app gives all its windows one gate."""
    hold = threading.Event()
    first, _sink = make_controller(FakeCollector(FakeJobLog(), items=2, hold=hold))
    log = FakeJobLog()
    second = JobController(
        lambda: FakeCollector(log), Sink(), job_log=lambda: log, gate=first._gate
    )
    with qtbot.waitSignal(first.jobStarted, timeout=5000):
        first.start(REQUEST)
    with qtbot.waitSignal(second.refused, timeout=1000):
        assert not second.start(REQUEST)
    with qtbot.waitSignal(first.jobFinished, timeout=5000):
        hold.set()


def test_a_job_runs_with_the_objects_alive_frozen_out_of_the_collections_it_triggers(
    qtbot, make_controller
):
    hold = threading.Event()
    controller, _sink = make_controller(FakeCollector(FakeJobLog(), items=10, hold=hold))
    gc.unfreeze()
    with qtbot.waitSignal(controller.jobStarted, timeout=5000):
        controller.start(REQUEST)
    assert gc.get_freeze_count() > 0
    with qtbot.waitSignal(controller.jobFinished, timeout=5000):
        hold.set()
    # Unfrozen once the job's thread is gone: cycles among them can be collected again.
    qtbot.waitUntil(lambda: controller.threads_alive() == 0, timeout=5000)
    assert gc.get_freeze_count() == 0
