from dataclasses import replace

from PySide6.QtCore import Qt
from ui_fakes import make_item

from stockdesk.domain.values import ItemStatus
from stockdesk.ui.results_model import (
    COL_CODE,
    COL_ERROR,
    COL_NAME,
    COL_ROWS,
    COL_STATUS,
    COLUMN_COUNT,
    ResultsModel,
)


def codes(model):
    return [model.index(row, COL_CODE).data() for row in range(model.rowCount())]


def sample():
    return [
        make_item(3),
        make_item(1, ItemStatus.FAILED),
        make_item(2, ItemStatus.SKIPPED),
        make_item(5),
        make_item(4, ItemStatus.FAILED),
    ]


def test_model_passes_the_model_tester(qtmodeltester):
    model = ResultsModel()
    model.set_rows(sample())
    qtmodeltester.check(model)
    model.sort(COL_ROWS, Qt.SortOrder.DescendingOrder)
    model.set_status_filter(ItemStatus.FAILED)
    qtmodeltester.check(model)


def test_columns_show_the_result(qapp):
    model = ResultsModel()
    model.set_rows([make_item(1, ItemStatus.FAILED)])
    assert model.columnCount() == COLUMN_COUNT
    assert model.index(0, COL_STATUS).data() == "Failed"
    assert model.index(0, COL_ERROR).data() == "[10002007] 网络接收错误"
    assert model.index(0, COL_CODE).data(Qt.ItemDataRole.UserRole).code == "sh.600001"


def test_an_update_shows_which_frequency_each_item_of_a_stock_is(qapp):
    daily = make_item(1)
    minutes = replace(daily, frequency="5")
    model = ResultsModel()
    model.set_rows([daily, minutes])
    names = [model.index(row, COL_NAME).data() for row in range(2)]
    assert names == [daily.name, f"{daily.name}（5 minutes）"]


def test_arrival_order_without_sort_and_streaming_appends(qapp):
    model = ResultsModel()
    model.add_items(sample()[:2])
    model.add_items(sample()[2:])
    assert codes(model) == ["sh.600003", "sh.600001", "sh.600002", "sh.600005", "sh.600004"]


def test_sort_ascending_descending_and_streaming_keeps_the_order(qapp):
    model = ResultsModel()
    model.add_items(sample())
    model.sort(COL_CODE, Qt.SortOrder.AscendingOrder)
    assert codes(model) == sorted(codes(model))
    model.add_items([make_item(0), make_item(9)])
    assert codes(model) == [f"sh.60000{i}" for i in (0, 1, 2, 3, 4, 5, 9)]
    model.sort(COL_CODE, Qt.SortOrder.DescendingOrder)
    model.add_items([make_item(7), make_item(8)])
    assert codes(model) == [f"sh.60000{i}" for i in (9, 8, 7, 5, 4, 3, 2, 1, 0)]


def test_filter_by_status_also_applies_to_streamed_results(qapp):
    model = ResultsModel()
    model.add_items(sample())
    model.set_status_filter(ItemStatus.FAILED)
    assert codes(model) == ["sh.600001", "sh.600004"]
    model.add_items([make_item(6), make_item(7, ItemStatus.FAILED)])
    assert codes(model) == ["sh.600001", "sh.600004", "sh.600007"]
    model.set_status_filter(None)
    assert model.rowCount() == model.total_count() == 7


def test_streaming_into_a_sorted_view_emits_consistent_inserts(qtmodeltester):
    model = ResultsModel()
    model.sort(COL_ROWS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    for index in range(40):
        model.add_items([make_item(index), make_item(100 + index, ItemStatus.FAILED)])
    rows = [model.index(row, COL_ROWS).data() for row in range(model.rowCount())]
    assert rows == sorted(rows, reverse=True)
