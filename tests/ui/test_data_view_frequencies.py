"""The data view per frequency, end to end: a SQLite file filled by real collects of daily,
weekly and 15-minute bars against the simulator, read by the real window offscreen. The
overview lists each security's frequencies, the chart shows the bars of the frequency
chosen (minute bars with their times on the axis), and Export selected… writes them."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from stockdesk.app import build_main_window
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data import load_bars
from stockdesk.db.database import open_database
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.simulator.server import SimulatorServer
from stockdesk.ui.overview_model import COL_FREQUENCIES

START, END = dt.date(2024, 4, 1), dt.date(2024, 5, 31)
WAIT_MS = 10_000
FAST = CollectOptions(timeout=2.0, retries=2, backoff=0.01)


@pytest.fixture(scope="module")
def framed(simulator_market, tmp_path_factory):
    """(database file, a stock with daily, weekly and 15-minute bars, a stock with
    15-minute bars only)."""
    market = simulator_market
    both, only = [
        s.code
        for s in market.stocks()
        if s.type == "1" and s.status == "1" and s.ipo_date < dt.date(2023, 1, 1)
    ][:2]
    path = tmp_path_factory.mktemp("data_view_frequencies") / "framed.db"
    with SimulatorServer(market) as server:
        database = open_database(path)
        collector = Collector(database, CollectOptions(server=server.address, timeout=2.0))
        try:
            for frequency, codes in (("d", (both,)), ("w", (both,)), ("15", (both, only))):
                job = collector.run(
                    JobRequest(START, END, universe="codes", codes=codes, frequency=frequency)
                )
                assert (job.status, job.failed_count) == (JobStatus.COMPLETED, 0), job
        finally:
            database.close()
    return path, both, only


@pytest.fixture
def make_window(qtbot, simulator, settings, framed, tmp_path):
    path, _both, _only = framed
    copy = tmp_path / "stockdesk.db"
    shutil.copy(path, copy)
    database = open_database(copy)
    window = build_main_window(
        database=database, server=simulator.address, demo=False, settings=settings, options=FAST
    )
    qtbot.addWidget(window)
    window.show()
    view = window.dataView
    with qtbot.waitSignals([view.overviewLoaded, view.initialsLoaded], timeout=WAIT_MS):
        window.open_data_view()
    yield window, database
    window.controller.shutdown()
    window.runner.wait()
    database.close()


def offered(combo: QComboBox) -> list[str]:
    """The frequencies the combo lets the user choose."""
    items = combo.model()
    return [
        combo.itemData(index)
        for index in range(combo.count())
        if items.flags(items.index(index, 0)) & Qt.ItemFlag.ItemIsEnabled
    ]


def test_the_overview_lists_each_securitys_frequencies(make_window, framed):
    window, _database = make_window
    _path, both, only = framed
    model = window.dataView.overviewModel
    rows = {row.code: row for row in model.rows()}
    assert sorted(rows) == sorted((both, only))
    assert rows[both].frequencies == ("d", "w", "15")
    assert rows[only].frequencies == ("15",)
    assert (rows[only].rows, rows[only].first_day) == (None, None)  # no daily bars
    assert rows[only].name
    texts = {
        model.rows()[row].code: model.index(row, COL_FREQUENCIES).data()
        for row in range(model.rowCount())
    }
    assert texts == {both: "Daily, Weekly, 15 minutes", only: "15 minutes"}


def test_the_chart_shows_the_bars_of_the_chosen_frequency(qtbot, make_window, framed):
    window, database = make_window
    _path, both, _only = framed
    view = window.dataView
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS, check_params_cb=both.__eq__):
        assert view.select_code(both)
    combo = window.findChild(QComboBox, "chartFrequencyCombo")
    assert offered(combo) == ["d", "w", "15"] and view.chart_frequency() == "d"
    assert view.collectGapButton.isEnabled() is False  # no gap in the daily bars

    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
        combo.setCurrentIndex(combo.findData("15"))
    chart = view.barChart
    want = load_bars(both, adjust="none", db=database, frequency="15")
    assert len(want) == 16 * len(pd.unique(want["trading_day"])) > 0
    pd.testing.assert_frame_equal(chart.bars(), want)
    first, last = chart.visibleRange()
    assert last == len(want) - 1 and last - first + 1 >= 100
    stamp = want.index[-1].strftime("%Y-%m-%d %H:%M")
    assert stamp.endswith("15:00")
    assert chart.dateAxis.tickStrings([float(last)], 1.0, 1.0) == [stamp]
    assert stamp in chart.show_bar(last)
    assert view.gapsModel.rowCount() == 0 and not view.collectGapButton.isEnabled()
    assert "daily" in view.gapsCaption.text()

    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
        view.chartAdjustCombo.setCurrentIndex(view.chartAdjustCombo.findData("hfq"))
    pd.testing.assert_frame_equal(
        chart.bars(), load_bars(both, adjust="hfq", db=database, frequency="15")
    )
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
        combo.setCurrentIndex(combo.findData("w"))
    weeks = load_bars(both, adjust="hfq", db=database, frequency="w")
    pd.testing.assert_frame_equal(chart.bars(), weeks)
    assert chart.dateAxis.tickStrings([0.0], 1.0, 1.0) == [weeks.index[0].strftime("%Y-%m-%d")]


def test_a_stock_opens_on_a_frequency_it_has(qtbot, make_window, framed):
    window, database = make_window
    _path, _both, only = framed
    view = window.dataView
    assert view.chart_frequency() == "d"
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS, check_params_cb=only.__eq__):
        assert view.select_code(only)
    assert view.chart_frequency() == "15"
    assert offered(view.chartFrequencyCombo) == ["15"]
    pd.testing.assert_frame_equal(
        view.barChart.bars(), load_bars(only, db=database, frequency="15")
    )


def test_export_selected_writes_the_charts_frequency(qtbot, make_window, framed, tmp_path):
    window, database = make_window
    _path, both, only = framed
    view = window.dataView
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
        assert view.select_code(only)
    view.overviewTable.selectAll()
    view.exportAdjustCombo.setCurrentIndex(view.exportAdjustCombo.findData("qfq"))
    out = tmp_path / "minutes.csv"
    view.ask_export_path = lambda: str(out)
    with qtbot.waitSignal(view.exportFinished, timeout=WAIT_MS) as done:
        view.exportButton.click()
    got = pd.read_csv(out, encoding="utf-8-sig", dtype={"code": str, "frequency": str})
    want = pd.concat(
        [
            load_bars(code, adjust="qfq", db=database, frequency="15")
            for code in sorted((both, only))
        ]
    )
    assert done.args[0].rows == len(got) == len(want)
    assert got["time"].tolist() == want.index.strftime("%Y-%m-%d %H:%M:%S").tolist()
    np.testing.assert_allclose(got["close"], want["close"].to_numpy(), rtol=1e-12)


def test_without_pandas_the_minute_chart_gets_the_same_bars(monkeypatch, framed):
    """The installer leaves pandas out: the arrays come from read_frame_rows, equal."""
    from stockdesk.ui.chart_data import COLUMNS
    from stockdesk.ui.data_view import load_chart

    path, both, _only = framed
    database = open_database(path)
    try:
        with_pandas = load_chart(database, both, "qfq", "15")
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas: ImportError
        without = load_chart(database, both, "qfq", "15")
    finally:
        database.close()
    assert without.frame is None and len(without.data) == len(with_pandas.data) > 0
    np.testing.assert_array_equal(without.data.dates, with_pandas.data.dates)
    assert without.data.date_text(len(without.data) - 1).endswith("15:00")
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(without.data, name), getattr(with_pandas.data, name))


def test_a_frequency_collected_later_is_offered_after_a_refresh(
    qtbot, make_window, framed, simulator
):
    window, database = make_window
    _path, both, _only = framed
    view = window.dataView
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
        assert view.select_code(both)
    assert "60" not in offered(view.chartFrequencyCombo)
    job = Collector(database, replace(FAST, server=simulator.address)).run(
        JobRequest(START, END, universe="codes", codes=(both,), frequency="60")
    )
    assert job.status is JobStatus.COMPLETED
    with qtbot.waitSignals([view.overviewLoaded, view.chartLoaded], timeout=WAIT_MS):
        view.refresh()
    assert offered(view.chartFrequencyCombo) == ["d", "w", "15", "60"]
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
        view.chartFrequencyCombo.setCurrentIndex(view.chartFrequencyCombo.findData("60"))
    pd.testing.assert_frame_equal(
        view.barChart.bars(), load_bars(both, db=database, frequency="60")
    )
