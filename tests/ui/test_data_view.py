"""The data view end to end: a SQLite file filled by a real collect against the simulator,
read by the real window (overview, chart, adjust, gaps, export) offscreen."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import sys

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QTableView, QWidget

from stockdesk.app import build_main_window
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data import load_bars
from stockdesk.db.database import open_database
from stockdesk.domain.values import AdjustFlag, JobRequest, JobStatus
from stockdesk.simulator.server import SimulatorServer

START, END = dt.date(2023, 1, 3), dt.date(2024, 6, 28)
WAIT_MS = 10_000
JOB_TIMEOUT_MS = 30_000
FAST = CollectOptions(timeout=2.0, retries=2, backoff=0.01)


def _with_event_in_range(market):
    """A listed stock with an ex-rights day inside the collected range."""
    timeline = market._timeline
    for security in market.stocks():
        days = [timeline.day(d) for d in market._profile(security).ex_days.tolist()]
        if (
            security.status == "1"
            and security.ipo_date < START
            and any(START < day < END for day in days)
        ):
            return security.code
    raise AssertionError("no stock with an event in range")


@pytest.fixture(scope="module")
def filled(simulator_market, tmp_path_factory):
    """(database file, codes, a code whose forward prices differ from the raw ones)."""
    market = simulator_market
    adjusted = _with_event_in_range(market)
    others = [
        s.code
        for s in market.stocks()
        if s.status == "1" and s.ipo_date < START and s.code != adjusted
    ][:5]
    codes = (adjusted, *others)
    path = tmp_path_factory.mktemp("data_view") / "filled.db"
    with SimulatorServer(market) as server:
        database = open_database(path)
        try:
            job = Collector(database, CollectOptions(server=server.address, timeout=2.0)).run(
                JobRequest(START, END, universe="codes", codes=codes)
            )
        finally:
            database.close()
    assert job.status is JobStatus.COMPLETED and job.failed_count == 0
    return path, codes, adjusted


@pytest.fixture
def database_file(filled, tmp_path):
    path, _codes, _adjusted = filled
    copy = tmp_path / "stockdesk.db"
    shutil.copy(path, copy)
    return copy


@pytest.fixture
def make_window(qtbot, simulator, settings, database_file):
    windows = []
    databases = []

    def make():
        database = open_database(database_file)
        databases.append(database)
        window = build_main_window(
            database=database, server=simulator.address, demo=False, settings=settings, options=FAST
        )
        qtbot.addWidget(window)
        window.ask_cancel_running_job = lambda: True
        windows.append(window)
        window.show()
        view = window.dataView
        with qtbot.waitSignals([view.overviewLoaded, view.initialsLoaded], timeout=WAIT_MS):
            window.open_data_view()
        return window, database

    yield make
    for window in windows:
        window.controller.shutdown()
        window.runner.wait()
    for database in databases:
        database.close()


def select(qtbot, view, code):
    with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS, check_params_cb=code.__eq__):
        assert view.select_code(code)


def test_object_names(make_window):
    window, _database = make_window()
    for name, kind in (
        ("overviewTable", QTableView),
        ("securitySearch", QLineEdit),
        ("chartAdjustCombo", QComboBox),
        ("chartFrequencyCombo", QComboBox),
        ("barChart", QWidget),
    ):
        assert isinstance(window.findChild(kind, name), kind), name


def test_the_overview_lists_every_stored_stock(make_window, filled):
    window, _database = make_window()
    _path, codes, _adjusted = filled
    model = window.dataView.overviewModel
    assert sorted(row.code for row in model.rows()) == sorted(codes)
    row = model.rows()[0]
    assert (row.first_day, row.last_day) == (START, END) or row.first_day >= START
    assert row.rows > 300 and row.missing_days == 0 and row.name
    assert window.findChild(QTableView, "overviewTable").model().rowCount() == len(codes)


def test_selecting_a_stock_shows_its_bars(qtbot, make_window, filled):
    window, database = make_window()
    _path, codes, _adjusted = filled
    view = window.dataView
    select(qtbot, view, codes[1])
    chart = window.findChild(QWidget, "barChart")
    want = load_bars(codes[1], None, None, "none", db=database)
    pd.testing.assert_frame_equal(chart.bars(), want)
    first, last = chart.visibleRange()
    assert last == len(want) - 1 and 100 <= last - first + 1 <= 130
    assert view.chartTitle.text().startswith(codes[1])
    text = chart.show_bar(last)
    assert want.index[-1].date().isoformat() in text
    assert f"{want['close'].iloc[-1]:.2f}" in text


def test_the_overview_sorts_by_any_column(make_window):
    from PySide6.QtCore import Qt

    from stockdesk.ui.overview_model import COL_CODE, COL_NAME, COL_ROWS

    window, _database = make_window()
    view = window.dataView
    model = view.overviewModel
    header = view.overviewTable.horizontalHeader()
    header.setSortIndicator(COL_ROWS, Qt.SortOrder.DescendingOrder)
    counts = [row.rows for row in model.rows()]
    assert counts == sorted(counts, reverse=True)
    header.setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
    keys = [(row.initials, row.name) for row in model.rows()]
    assert keys == sorted(keys)
    header.setSortIndicator(COL_CODE, Qt.SortOrder.AscendingOrder)
    codes = [row.code for row in model.rows()]
    assert codes == sorted(codes)


def test_search_by_code_name_and_pinyin_initials(qtbot, make_window):
    window, _database = make_window()
    view = window.dataView
    model = view.overviewModel
    target = next(row for row in model.rows() if len(row.name) >= 2)
    digits = target.code.split(".")[1]
    for text in (digits, target.code.upper(), target.name[:2], target.initials.upper()):
        view.securitySearch.setText(text)
        view.apply_search()
        shown = [row.code for row in model.rows()]
        assert target.code in shown, text
        assert all(row.matches(text.strip().lower()) for row in model.rows())
    view.securitySearch.setText("zzzz")
    view.apply_search()
    assert model.rowCount() == 0
    view.securitySearch.clear()
    view.apply_search()
    assert model.rowCount() == model.all_count()


def test_switching_the_adjust_redraws_adjusted_prices(qtbot, make_window, filled):
    window, database = make_window()
    _path, _codes, adjusted = filled
    view = window.dataView
    select(qtbot, view, adjusted)
    raw = view.barChart.bars()
    for index, adjust in ((1, "qfq"), (2, "hfq")):
        with qtbot.waitSignal(view.chartLoaded, timeout=WAIT_MS):
            view.chartAdjustCombo.setCurrentIndex(index)
        assert view.chart_adjust() == adjust
        shown = view.barChart.bars()
        pd.testing.assert_frame_equal(shown, load_bars(adjusted, adjust=adjust, db=database))
        assert not np.allclose(shown["close"].to_numpy(), raw["close"].to_numpy())


def test_colours_switch_and_persist(qtbot, make_window, settings):
    window, _database = make_window()
    view = window.dataView
    assert view.barChart.up_red()
    view.chartColorsCombo.setCurrentIndex(1)
    assert not view.barChart.up_red()
    window.save_settings()
    assert str(settings.value("chart/upRed")).lower() == "false"


def test_a_gap_collected_from_the_chart_disappears(qtbot, make_window, filled, database_file):
    _path, codes, _adjusted = filled
    code = codes[2]
    with sqlite3.connect(database_file) as connection:
        deleted = connection.execute(
            "DELETE FROM daily_bar WHERE code = ? AND date BETWEEN ? AND ?",
            (code, "2023-06-01", "2023-06-09"),
        ).rowcount
    connection.close()
    assert deleted > 3
    window, database = make_window()
    view = window.dataView
    select(qtbot, view, code)
    gaps = view.gapsModel.rows()
    assert [(gap.first.isoformat(), gap.last.isoformat(), gap.days) for gap in gaps] == [
        ("2023-06-01", "2023-06-09", deleted)
    ]
    assert view.barChart.gap_marks() == [gaps[0].before - 0.5]
    request = view.gap_request()
    assert request == JobRequest(
        dt.date(2023, 6, 1), dt.date(2023, 6, 9), AdjustFlag.NONE, "codes", (code,)
    )
    with qtbot.waitSignal(window.controller.jobFinished, timeout=JOB_TIMEOUT_MS) as finished:
        view.collectGapButton.click()
    record = finished.args[0]
    assert record.status is JobStatus.COMPLETED and record.success_count == 1
    qtbot.waitUntil(lambda: view.gapsModel.rowCount() == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(view.barChart.bars()) == len(load_bars(code, db=database)))
    assert view.barChart.gap_marks() == []
    assert not view.collectGapButton.isEnabled()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_export_of_the_selected_stocks(qtbot, make_window, filled, tmp_path, suffix):
    window, database = make_window()
    _path, codes, adjusted = filled
    view = window.dataView
    view.overviewTable.selectAll()
    view.exportAdjustCombo.setCurrentIndex(view.exportAdjustCombo.findData("qfq"))
    out = tmp_path / f"out{suffix}"
    view.ask_export_path = lambda: str(out)
    with qtbot.waitSignal(view.exportFinished, timeout=WAIT_MS) as done:
        view.exportButton.click()
    result = done.args[0]
    assert result.stocks == len(codes) and out.exists()
    if suffix == ".csv":
        frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"code": str})
    else:
        frame = pd.read_parquet(out).reset_index()
    mine = frame[frame["code"] == adjusted]
    want = load_bars(adjusted, adjust="qfq", db=database)
    np.testing.assert_allclose(mine["close"].to_numpy(), want["close"].to_numpy(), rtol=1e-9)
    assert result.rows == len(frame)


def test_without_pandas_the_chart_gets_the_same_bars(monkeypatch, filled, database_file, qtbot):
    """The installer leaves pandas out: the chart's arrays come from read_rows, equal."""
    from stockdesk.ui.chart import BarChart
    from stockdesk.ui.chart_data import COLUMNS
    from stockdesk.ui.data_view import load_chart

    _path, _codes, adjusted = filled
    database = open_database(database_file)
    try:
        with_pandas = load_chart(database, adjusted, "qfq")
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas: ImportError
        without = load_chart(database, adjusted, "qfq")
    finally:
        database.close()
    assert without.frame is None and with_pandas.frame is not None
    assert without.gaps == with_pandas.gaps
    np.testing.assert_array_equal(without.data.dates, with_pandas.data.dates)
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(without.data, name), getattr(with_pandas.data, name))
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.set_bars(without.frame, without.gaps, data=without.data)
    assert chart.bars() is None and chart.visibleRange()[1] == len(without.data) - 1
