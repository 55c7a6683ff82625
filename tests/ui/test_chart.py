"""The K-line chart on synthetic bars: first view, keys, wheel, drag, crosshair, merging."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from stockdesk.ui.chart import CHUNK, FIRST_VIEW, BarChart, merge_level, volume_text
from stockdesk.ui.chart_data import ChartData


def synthetic(count: int, seed: int = 1) -> pd.DataFrame:
    """``count`` business days of load_bars-like columns."""
    rng = np.random.default_rng(seed)
    close = 10 * np.exp(np.cumsum(rng.normal(0, 0.01, count)))
    opened = close * (1 + rng.normal(0, 0.005, count))
    preclose = np.concatenate(([close[0]], close[:-1]))
    return pd.DataFrame(
        {
            "open": opened,
            "high": np.maximum(opened, close) * 1.01,
            "low": np.minimum(opened, close) * 0.99,
            "close": close,
            "preclose": preclose,
            "volume": pd.array(rng.integers(100_000, 10_000_000, count), dtype="Int64"),
            "amount": close * 1e6,
            "turn": rng.random(count),
            "pct_chg": (close / preclose - 1) * 100,
        },
        index=pd.bdate_range("2000-01-03", periods=count, name="date"),
    )


@pytest.fixture
def chart(qtbot):
    widget = BarChart()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_first_view_is_the_last_bars(chart):
    frame = synthetic(1000)
    chart.set_bars(frame)
    assert chart.bars() is frame
    assert chart.visibleRange() == (1000 - FIRST_VIEW, 999)
    assert frame.index[-1].date().isoformat() in chart.readout.text()
    chart.set_bars(synthetic(50))
    assert chart.visibleRange() == (0, 49)
    chart.set_bars(None)
    assert chart.bars() is None and chart.visibleRange() == (0, -1)
    chart.grab()  # paints nothing, fails nothing


def test_keys_pan_and_zoom(qtbot, chart):
    chart.set_bars(synthetic(1000))
    first, last = chart.visibleRange()
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    moved = chart.visibleRange()
    assert moved[0] < first and moved[1] < last
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.visibleRange() == (first, last)
    qtbot.keyClick(chart, Qt.Key.Key_Up)
    zoomed = chart.visibleRange()
    assert zoomed[1] == last and zoomed[1] - zoomed[0] < last - first
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert chart.visibleRange()[1] - chart.visibleRange()[0] > last - first
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.visibleRange()[0] == 0
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.visibleRange()[1] == 999


def test_wheel_zooms_and_drag_pans(chart):
    chart.set_bars(synthetic(1000))
    first, last = chart.visibleRange()
    viewport = chart.graphics.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 3)
    wheel = QWheelEvent(
        centre,
        viewport.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, wheel)
    zoomed = chart.visibleRange()
    assert zoomed[1] - zoomed[0] < last - first

    def mouse(kind, x, buttons):
        point = QPointF(x, centre.y())
        event = QMouseEvent(
            kind,
            point,
            viewport.mapToGlobal(point),
            Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)

    held = Qt.MouseButton.LeftButton
    mouse(QEvent.Type.MouseButtonPress, centre.x(), held)
    for step in range(1, 11):
        mouse(QEvent.Type.MouseMove, centre.x() + 30 * step, held)
    mouse(QEvent.Type.MouseButtonRelease, centre.x() + 300, Qt.MouseButton.NoButton)
    dragged = chart.visibleRange()
    assert dragged[0] < zoomed[0]  # dragged to the right: earlier bars come into view


def test_crosshair_reads_out_the_bar_under_it(chart):
    frame = synthetic(300)
    chart.set_bars(frame)
    text = chart.show_bar(250)
    row = frame.iloc[250]
    assert frame.index[250].date().isoformat() in text
    for name in ("open", "high", "low", "close"):
        assert f"{row[name]:.2f}" in text
    assert f"{frame['volume'].iloc[250]:,}" in text
    assert f"{row['turn']:.2f}%" in text


def test_merged_candles_when_zoomed_out(chart):
    count = 20_000
    chart.set_bars(synthetic(count))
    chart.set_view(0, count - 1)
    chart.grab()
    levels = {level for level, _chunk in chart.candleItem._pictures}
    assert levels and min(levels) > 1
    chunks = [chunk for _level, chunk in chart.candleItem._pictures]
    assert len(chunks) <= 3  # a frame of the whole history paints a few pictures
    chart.set_view(count - 100, count - 1)
    chart.grab()
    assert (1, (count - 1) // CHUNK) in chart.candleItem._pictures


def test_colours_switch(chart):
    chart.set_bars(synthetic(200))
    chart.grab()
    assert chart.candleItem._pictures
    chart.set_up_red(False)
    assert not chart.up_red() and not chart.candleItem._pictures
    chart.grab()
    assert chart.candleItem._pictures


def test_chart_data_merges_and_averages():
    frame = synthetic(10)
    data = ChartData.from_frame(frame)
    merged = data.candles(4)
    assert merged.x.tolist() == [1.5, 5.5, 8.5]
    assert merged.open.tolist() == frame["open"].iloc[[0, 4, 8]].tolist()
    assert merged.close.tolist() == frame["close"].iloc[[3, 7, 9]].tolist()
    assert merged.high[1] == frame["high"].iloc[4:8].max()
    assert merged.low[2] == frame["low"].iloc[8:].min()
    assert merged.volume[0] == frame["volume"].iloc[:4].sum()
    average = data.moving_average(5)
    assert np.isnan(average[:4]).all()
    assert average[6] == pytest.approx(frame["close"].iloc[2:7].mean())


def test_merge_level():
    assert merge_level(120, 1000) == 1
    assert merge_level(1000, 1000) == 4
    assert merge_level(100_000, 1000) == 512


def test_the_date_axis_has_room_for_its_dates_though_the_chart_opened_empty(chart, qtbot):
    """A chart is made empty and given bars later; pyqtgraph sized its axis by the
    labels drawn first (none), which cut the dates off."""
    chart.grab()  # first paint, with no bars
    frame = synthetic(300)
    chart.set_bars(frame)
    chart.grab()
    QApplication.processEvents()  # the layout takes the axis's new size
    chart.grab()
    axis = chart.dateAxis
    low, high = chart.visibleRange()
    labels = axis.tickStrings([float(low), float(high)], 1.0, 1.0)
    assert labels == [day.date().isoformat() for day in frame.index[[low, high]]]
    # The ticks and, below them, a line of text (measured 13 px before the fix).
    assert axis.height() >= chart.fontMetrics().height() + abs(axis.style["tickLength"])


def test_volumes_read_as_chinese_quotes_do(chart):
    assert [volume_text(v) for v in (0, 9_999, 35_000_000, 120_000_000, 1e8)] == [
        "0",
        "9999",
        "3500万",
        "1.2亿",
        "1亿",
    ]
    chart.set_bars(synthetic(300))
    axis = chart.volumePlot.getAxis("left")
    assert axis.tickStrings([0.0, 2e7], 1.0, 1e7) == ["0", "2000万"]
