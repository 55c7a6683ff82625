import gc
import random
import time

from PySide6.QtCore import Qt
from ui_fakes import make_item

from stockdesk.domain.values import ItemStatus
from stockdesk.ui.batcher import BatchApplier, ItemBuffer
from stockdesk.ui.results_model import COL_CODE, ResultsModel
from stockdesk.ui.table_view import TableView

SLICE_LIMIT_MS = 15.0


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_buffer_emits_by_size_and_by_age():
    batches = []
    clock = Clock()
    buffer = ItemBuffer(batches.append, max_items=3, max_age=0.1, clock=clock)
    for index in range(7):
        buffer.add(make_item(index))
    assert [len(batch) for batch in batches] == [3, 3]
    buffer.flush_stale()
    assert len(batches) == 2  # the seventh is fresh
    clock.now = 0.2
    buffer.flush_stale()
    assert [len(batch) for batch in batches] == [3, 3, 1]
    buffer.add(make_item(8))
    clock.now = 0.35
    buffer.add(make_item(9))  # the batch became old while the stock ran
    assert [len(batch) for batch in batches] == [3, 3, 1, 2]
    buffer.flush()
    assert len(batches) == 4


def test_applier_streams_5000_results_in_short_slices(qtbot):
    """5,000 results in batches of 200 reach a sorted, shown table; no slice is long.

    The results arrive in shuffled order, so each one is inserted into the sorted rows on
    its own (the slow path), not appended as a block. The cyclic garbage collector is
    paused while measuring: a full collection of the whole test run's heap took ~90 ms
    inside one slice, a pause no slicing can prevent and not what this test measures.
    """
    model = ResultsModel()
    view = TableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(COL_CODE, Qt.SortOrder.DescendingOrder)
    qtbot.addWidget(view)
    view.show()
    applier = BatchApplier(model.add_items)
    items = [
        make_item(index, ItemStatus.FAILED if index % 50 == 0 else ItemStatus.SUCCESS)
        for index in range(5000)
    ]
    random.Random(7).shuffle(items)
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        with qtbot.waitSignal(applier.drained, timeout=20_000):
            for offset in range(0, len(items), 200):
                applier.enqueue(items[offset : offset + 200])
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    assert model.rowCount() == 5000
    assert model.index(0, COL_CODE).data() == "sh.604999"
    assert model.index(4999, COL_CODE).data() == "sh.600000"
    assert applier.pending() == 0
    print(f"\n5,000 results: worst slice {applier.worst_slice_ms:.1f} ms, total {elapsed:.2f} s")
    assert applier.worst_slice_ms < SLICE_LIMIT_MS


def test_applier_clear_drops_queued_batches(qtbot):
    received = []
    applier = BatchApplier(received.extend)
    applier.enqueue([make_item(1)])
    applier.clear()
    applier.enqueue([make_item(2)])
    with qtbot.waitSignal(applier.drained, timeout=2000):
        pass
    assert [item.code for item in received] == ["sh.600002"]
