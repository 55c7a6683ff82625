"""The K-line chart: candlesticks, volume, moving averages, a crosshair, zoom and pan.

Drawn with pyqtgraph the way vnpy's chart is: the x coordinate is the bar's index (no
weekend or holiday gaps; the axis prints each index's date), items draw only the bars in
view, and drawn candles are kept as QPictures. Unlike vnpy, which records one picture per
bar, a picture here holds a chunk of :data:`CHUNK` candles, and when more bars are in view
than fit (about :data:`MIN_CANDLE_PX` pixels each), consecutive bars are merged into one
candle (open of the first, high and low of all, close of the last, volume summed) at a
level of 2, 4, 8 ... bars per candle. So a frame paints at most a few pictures whatever
the zoom: panning 100,000 bars stays far above 30 frames a second
(``benchmarks/bench_chart.py``).

Red is up and green down by default, as Chinese quotes are; :meth:`BarChart.set_up_red`
swaps them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen, QPicture
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from stockdesk.data.overview import Gap
from stockdesk.ui.chart_data import Candles, ChartData
from stockdesk.ui.naming import named

if TYPE_CHECKING:
    import pandas as pd

CHUNK = 256
"""Candles per cached picture."""
MIN_CANDLE_PX = 3.0
"""Below this many pixels per bar, bars are merged into wider candles."""
FIRST_VIEW = 120
"""Bars shown when a stock is opened: the last ones."""
MIN_VIEW = 10
MA_PERIODS = (5, 10, 20, 60)
MA_COLORS = ("#ffffff", "#f5d300", "#e040fb", "#29b6f6")
RED, GREEN = QColor("#ff3b30"), QColor("#00c853")
GAP_COLOR = QColor("#ff9800")
MAX_GAP_MARKS = 500
"""Gaps marked on the chart; all are listed beside it."""
DATE_AXIS_HEIGHT = 28
"""Pixels of the date axis: fixed, since pyqtgraph sizes an axis by the labels it drew
first, and a chart opened empty drew none (the dates were then cut off)."""


def merge_level(bars_in_view: float, pixels: float) -> int:
    """Bars per candle: the smallest power of two that leaves each candle
    :data:`MIN_CANDLE_PX` pixels."""
    wanted = bars_in_view * MIN_CANDLE_PX / max(pixels, 1.0)
    return 1 if wanted <= 1 else 1 << math.ceil(math.log2(wanted))


class _ChunkedItem(pg.GraphicsObject):  # type: ignore[misc]
    """Draws the candles in view from pictures cached per (level, chunk)."""

    def __init__(self, data: ChartData) -> None:
        super().__init__()
        self._data = data
        self._up, self._down = RED, GREEN
        self._pictures: dict[tuple[int, int], QPicture] = {}
        self._bounds = QRectF()

    def set_data(self, data: ChartData) -> None:
        self.prepareGeometryChange()
        self._data = data
        self._pictures.clear()
        self._bounds = self._data_bounds()
        self.update()

    def set_colors(self, up: QColor, down: QColor) -> None:
        self._up, self._down = up, down
        self._pictures.clear()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, *_args: Any) -> None:
        count = len(self._data)
        view = self.getViewBox()
        if count == 0 or view is None:
            return
        (left, right), _y = view.viewRange()
        level = merge_level(right - left, view.width())
        first = max(0, math.floor(left) // level)
        last = min(math.ceil(count / level) - 1, math.ceil(right) // level)
        for chunk in range(first // CHUNK, last // CHUNK + 1):
            picture = self._pictures.get((level, chunk))
            if picture is None:
                picture = self._pictures[(level, chunk)] = self._draw(level, chunk)
            painter.drawPicture(0, 0, picture)

    def _draw(self, level: int, chunk: int) -> QPicture:
        candles = self._data.candles(level)
        part = slice(chunk * CHUNK, (chunk + 1) * CHUNK)
        picture = QPicture()
        painter = QPainter(picture)
        try:
            up = candles.close[part] >= candles.open[part]
            for mask, color in ((up, self._up), (~up, self._down)):
                pen = QPen(color)
                pen.setCosmetic(True)
                pen.setWidth(0)
                painter.setPen(pen)
                painter.setBrush(color)
                self._draw_candles(painter, candles, part, mask, level * 0.8)
        finally:
            painter.end()
        return picture

    def _draw_candles(
        self, painter: QPainter, candles: Candles, part: slice, mask: np.ndarray, width: float
    ) -> None:
        raise NotImplementedError

    def _data_bounds(self) -> QRectF:
        raise NotImplementedError


class CandleItem(_ChunkedItem):
    """Candlesticks: a line from low to high, a body from open to close."""

    def _draw_candles(
        self, painter: QPainter, candles: Candles, part: slice, mask: np.ndarray, width: float
    ) -> None:
        x, high, low = candles.x[part][mask], candles.high[part][mask], candles.low[part][mask]
        opened, closed = candles.open[part][mask], candles.close[part][mask]
        keep = np.isfinite(high) & np.isfinite(low) & np.isfinite(opened) & np.isfinite(closed)
        half = width / 2
        lines = []
        rects = []
        for xi, hi, lo, op, cl in zip(
            x[keep].tolist(),
            high[keep].tolist(),
            low[keep].tolist(),
            opened[keep].tolist(),
            closed[keep].tolist(),
            strict=True,
        ):
            lines.append(QLineF(xi, lo, xi, hi))
            rects.append(QRectF(xi - half, min(op, cl), width, abs(cl - op)))
        if lines:
            painter.drawLines(lines)
            painter.drawRects(rects)

    def _data_bounds(self) -> QRectF:
        data = self._data
        if len(data) == 0 or not np.isfinite(data.low).any():
            return QRectF()
        low, high = float(np.nanmin(data.low)), float(np.nanmax(data.high))
        return QRectF(-1.0, low, len(data) + 1.0, high - low)


class VolumeItem(_ChunkedItem):
    """Volume bars from zero, coloured as their candles."""

    def _draw_candles(
        self, painter: QPainter, candles: Candles, part: slice, mask: np.ndarray, width: float
    ) -> None:
        half = width / 2
        rects = [
            QRectF(xi - half, 0.0, width, vi)
            for xi, vi in zip(
                candles.x[part][mask].tolist(),
                np.nan_to_num(candles.volume[part][mask]).tolist(),
                strict=True,
            )
        ]
        if rects:
            painter.drawRects(rects)

    def _data_bounds(self) -> QRectF:
        data = self._data
        if len(data) == 0:
            return QRectF()
        return QRectF(-1.0, 0.0, len(data) + 1.0, float(np.nanmax(data.volume, initial=0.0)))


class DateAxis(pg.AxisItem):  # type: ignore[misc]
    """A bottom axis that prints the date of each bar index (of a minute bar, its date
    and time)."""

    def __init__(self, data: ChartData) -> None:
        super().__init__(orientation="bottom")
        self.data = data

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self.data.date_text(round(value)) for value in values]


class VolumeAxis(pg.AxisItem):  # type: ignore[misc]
    """A left axis that prints volumes as Chinese quotes do: 1.2亿, 3500万, not 1.2e+08."""

    def __init__(self) -> None:
        super().__init__(orientation="left")
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [volume_text(value) for value in values]


def volume_text(value: float) -> str:
    """``value`` shares in 亿 (10^8) or 万 (10^4) with at most one decimal."""
    for unit, size in (("亿", 1e8), ("万", 1e4)):
        if abs(value) >= size:
            return f"{value / size:.1f}".removesuffix(".0") + unit
    return f"{value:.0f}"


class BarChart(QWidget):
    """One stock's bars of one frequency: candles over volume, MA5/10/20/60, a crosshair
    with the bar under it read out above the chart.

    Wheel zooms, dragging pans; Left/Right pan, Up/Down zoom, Home/End go to the first
    and the last bars. A stock opens on its last :data:`FIRST_VIEW` bars.

    Signals:
        rangeChanged(int, int): the first and last bar index in view.
    """

    rangeChanged = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("barChart")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._frame: pd.DataFrame | None = None
        self._data = ChartData.from_frame(None)
        self._gap_marks: list[pg.InfiniteLine] = []
        self._up_red = True

        self.readout = named(QLabel(), "chartReadout")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("chartGraphics")
        self.graphics.ci.setSpacing(0)
        self.dateAxis = DateAxis(self._data)
        self.dateAxis.setHeight(DATE_AXIS_HEIGHT)
        self.pricePlot = self.graphics.addPlot(row=0, col=0)
        self.volumePlot = self.graphics.addPlot(
            row=1, col=0, axisItems={"bottom": self.dateAxis, "left": VolumeAxis()}
        )
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.volumePlot.setXLink(self.pricePlot)
        self.pricePlot.hideAxis("bottom")
        for plot in (self.pricePlot, self.volumePlot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.getAxis("left").setWidth(60)
            box = plot.getViewBox()
            box.setMouseEnabled(x=True, y=False)
            box.enableAutoRange(False)
        self.candleItem = CandleItem(self._data)
        self.volumeItem = VolumeItem(self._data)
        self.pricePlot.addItem(self.candleItem)
        self.volumePlot.addItem(self.volumeItem)
        self._averages: list[pg.PlotDataItem] = []
        for color in MA_COLORS:
            curve = pg.PlotDataItem(pen=pg.mkPen(color, width=1), connect="finite")
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
            self.pricePlot.addItem(curve)
            self._averages.append(curve)
        cross = pg.mkPen("#888888", width=1, style=Qt.PenStyle.DashLine)
        self._vline = pg.InfiniteLine(angle=90, movable=False, pen=cross)
        self._vline_volume = pg.InfiniteLine(angle=90, movable=False, pen=cross)
        self._hline = pg.InfiniteLine(angle=0, movable=False, pen=cross)
        self.pricePlot.addItem(self._vline, ignoreBounds=True)
        self.pricePlot.addItem(self._hline, ignoreBounds=True)
        self.volumePlot.addItem(self._vline_volume, ignoreBounds=True)
        self._show_cross(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.readout)
        layout.addWidget(self.graphics, 1)
        self.pricePlot.getViewBox().sigXRangeChanged.connect(self._on_x_range_changed)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._retranslate()

    # --- Public interface --------------------------------------------------------------

    def bars(self) -> pd.DataFrame | None:
        """The frame shown (what ``load_bars`` returned); None before any, and in the
        installer, which has no pandas (the chart then shows ``read_rows``' bars)."""
        return self._frame

    def visibleRange(self) -> tuple[int, int]:
        """The first and last bar index in view; (0, -1) when there are no bars."""
        count = len(self._data)
        if count == 0:
            return 0, -1
        (left, right), _y = self.pricePlot.getViewBox().viewRange()
        return max(0, math.ceil(left)), min(count - 1, math.floor(right))

    def set_bars(
        self,
        frame: pd.DataFrame | None,
        gaps: list[Gap] | None = None,
        *,
        data: ChartData | None = None,
    ) -> None:
        """Show ``frame`` (a ``load_bars`` frame) from its last :data:`FIRST_VIEW` bars,
        with ``gaps`` marked where they fall. ``data`` is the frame's arrays when the
        caller has them already (built off the GUI thread), or the bars themselves where
        there is no pandas (the installer)."""
        self._frame = frame
        data = self._data = data if data is not None else ChartData.from_frame(frame)
        self.dateAxis.data = data
        self.candleItem.set_data(data)
        self.volumeItem.set_data(data)
        count = len(data)
        index = np.arange(count, dtype=float)
        for curve, period in zip(self._averages, MA_PERIODS, strict=True):
            curve.setData(index, data.moving_average(period))
        self._mark_gaps(gaps or [])
        for plot in (self.pricePlot, self.volumePlot):
            plot.getViewBox().setLimits(
                xMin=-2.0, xMax=max(count, MIN_VIEW) + 2.0, minXRange=MIN_VIEW
            )
        self.show_last(FIRST_VIEW)
        self._show_cross(False)
        self.readout.setText(self._empty_text() if count == 0 else self._bar_text(count - 1))

    def show_last(self, bars: int) -> None:
        """Show the last ``bars`` bars."""
        count = len(self._data)
        self.set_view(count - bars, count - 1)

    def set_view(self, first: float, last: float) -> None:
        """Show the bars from index ``first`` to ``last`` (half a bar of margin)."""
        self.pricePlot.getViewBox().setXRange(first - 0.5, last + 0.5, padding=0)
        self._fit_y()

    def set_up_red(self, up_red: bool) -> None:
        """Red up, green down (True, the Chinese convention) or the other way round."""
        self._up_red = up_red
        up, down = (RED, GREEN) if up_red else (GREEN, RED)
        self.candleItem.set_colors(up, down)
        self.volumeItem.set_colors(up, down)

    def up_red(self) -> bool:
        return self._up_red

    def pan(self, bars: float) -> None:
        """Move the view ``bars`` to the right (negative: left)."""
        (left, right), _y = self.pricePlot.getViewBox().viewRange()
        self.pricePlot.getViewBox().setXRange(left + bars, right + bars, padding=0)

    def zoom(self, factor: float) -> None:
        """Show ``factor`` times as many bars, keeping the right edge."""
        (left, right), _y = self.pricePlot.getViewBox().viewRange()
        width = max(MIN_VIEW, (right - left) * factor)
        self.pricePlot.getViewBox().setXRange(right - width, right, padding=0)

    # --- Events ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        (left, right), _y = self.pricePlot.getViewBox().viewRange()
        step = max(1.0, (right - left) / 10)
        key = event.key()
        if key == Qt.Key.Key_Left:
            self.pan(-step)
        elif key == Qt.Key.Key_Right:
            self.pan(step)
        elif key == Qt.Key.Key_Up:
            self.zoom(0.8)
        elif key == Qt.Key.Key_Down:
            self.zoom(1.25)
        elif key == Qt.Key.Key_Home:
            self.set_view(0, right - left - 1)
        elif key == Qt.Key.Key_End:
            self.set_view(len(self._data) - (right - left), len(self._data) - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # --- Internals ------------------------------------------------------------------------

    @Slot(object, object)
    def _on_x_range_changed(self, _box: object, _range: object) -> None:
        self._fit_y()
        first, last = self.visibleRange()
        self.rangeChanged.emit(first, last)

    def _fit_y(self) -> None:
        data = self._data
        if len(data) == 0:
            return
        first, last = self.visibleRange()
        if last < first:
            return
        part = slice(first, last + 1)
        lows, highs = data.low[part], data.high[part]
        if not np.isfinite(lows).any():
            return
        low, high = float(np.nanmin(lows)), float(np.nanmax(highs))
        margin = max((high - low) * 0.05, abs(high) * 0.001, 1e-6)
        self.pricePlot.getViewBox().setYRange(low - margin, high + margin, padding=0)
        volume = float(np.nanmax(data.volume[part], initial=0.0))
        self.volumePlot.getViewBox().setYRange(0.0, max(volume, 1.0) * 1.05, padding=0)

    @Slot(object)
    def _on_mouse_moved(self, position: QPointF) -> None:
        count = len(self._data)
        boxes = (self.pricePlot.getViewBox(), self.volumePlot.getViewBox())
        inside = [box for box in boxes if box.sceneBoundingRect().contains(position)]
        if count == 0 or not inside:
            self._show_cross(False)
            return
        point = inside[0].mapSceneToView(position)
        index = min(count - 1, max(0, round(point.x())))
        self._vline.setPos(index)
        self._vline_volume.setPos(index)
        self._hline.setPos(point.y())
        self._hline.setVisible(inside[0] is boxes[0])
        self._vline.setVisible(True)
        self._vline_volume.setVisible(True)
        self.readout.setText(self._bar_text(index))

    def show_bar(self, index: int) -> str:
        """Put the crosshair on bar ``index`` and read it out (what a mouse move does)."""
        box = self.pricePlot.getViewBox()
        point = box.mapViewToScene(QPointF(index, float(self._data.close[index])))
        self._on_mouse_moved(point)
        return self.readout.text()

    def _show_cross(self, visible: bool) -> None:
        for line in (self._vline, self._vline_volume, self._hline):
            line.setVisible(visible)

    def _mark_gaps(self, gaps: list[Gap]) -> None:
        for mark in self._gap_marks:
            self.pricePlot.removeItem(mark)
        self._gap_marks = []
        pen = pg.mkPen(GAP_COLOR, width=1, style=Qt.PenStyle.DotLine)
        for gap in gaps[:MAX_GAP_MARKS]:
            mark = pg.InfiniteLine(pos=gap.before - 0.5, angle=90, movable=False, pen=pen)
            mark.setToolTip(f"{gap.first} ~ {gap.last} ({gap.days})")
            self.pricePlot.addItem(mark, ignoreBounds=True)
            self._gap_marks.append(mark)

    def gap_marks(self) -> list[float]:
        """Where gaps are marked: x positions between two stored bars."""
        return [float(mark.value()) for mark in self._gap_marks]

    def _bar_text(self, index: int) -> str:
        data = self._data
        close, preclose = data.close[index], data.preclose[index]
        change = close - preclose
        return self.tr(
            "{date}  O {open}  H {high}  L {low}  C {close}  "
            "Chg {change} ({pct}%)  Vol {volume}  Amount {amount}  Turnover {turn}%"
        ).format(
            date=data.date_text(index),
            open=_price(data.open[index]),
            high=_price(data.high[index]),
            low=_price(data.low[index]),
            close=_price(close),
            change=_signed(change),
            pct=_signed(data.pct_chg[index]),
            volume=_count(data.volume[index]),
            amount=_count(data.amount[index]),
            turn=_price(data.turn[index]),
        )

    def _empty_text(self) -> str:
        return self.tr("Select a stock to see its bars.")

    def _retranslate(self) -> None:
        count = len(self._data)
        self.readout.setText(self._empty_text() if count == 0 else self._bar_text(count - 1))


def _price(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.2f}"


def _signed(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:+.2f}"


def _count(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:,.0f}"
