"""The data view: every stored security, and the chart, gaps and export of the chosen ones.

Everything it reads goes through :mod:`stockdesk.data` in the window's background pool
(:class:`BackgroundRunner`), never on the GUI thread: the overview from the coverage
summaries (with the frequencies each security has and each name's pinyin initials), a
stock's bars of the chosen frequency through ``load_bars`` on the window's own database
(so the chart shows what the Python API returns) and, for daily bars, its gaps from the
stored exchange calendar. Answers for a stock or a load no longer wanted are
dropped. Collecting a gap is proposed to the window as an ordinary job request, which
the window starts through its one-job gate.

The chart (pyqtgraph, ~0.3 s to import) is built the first time the view is shown, so
the window opens as fast as before for whoever only collects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QEvent, QItemSelection, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from stockdesk.data import load_bars
from stockdesk.data.bars import adjust_flag, read_rows
from stockdesk.data.export import ExportResult, export_bars
from stockdesk.data.frames import read_frame_rows
from stockdesk.data.overview import (
    Gap,
    SecurityOverview,
    find_gaps,
    read_overview,
    trading_days,
    with_initials,
)
from stockdesk.domain.frequency import DAILY, FREQUENCIES
from stockdesk.domain.values import AdjustFlag, JobRequest
from stockdesk.ui.background import BackgroundRunner
from stockdesk.ui.chart_data import ChartData
from stockdesk.ui.labels import frequency_text
from stockdesk.ui.naming import named
from stockdesk.ui.overview_model import COL_CODE, COL_NAME, OverviewModel
from stockdesk.ui.rows_model import RowsModel
from stockdesk.ui.table_view import TableView

if TYPE_CHECKING:
    import pandas as pd

    from stockdesk.db.database import Database
    from stockdesk.ui.chart import BarChart

ADJUSTS = ("none", "qfq", "hfq")
SEARCH_DELAY_MS = 120
"""Typing in the search box refilters once the user pauses this long."""


class GapsModel(RowsModel[Gap]):
    """The gaps of the stock in the chart: first and last missing day, and how many."""

    numeric_columns = (2,)

    def headers(self) -> Sequence[str]:
        return (self.tr("First missing day"), self.tr("Last missing day"), self.tr("Days"))

    def cell(self, row: Gap, column: int) -> Any:
        return (row.first.isoformat(), row.last.isoformat(), row.days)[column]


@dataclass(frozen=True, slots=True)
class ChartLoad:
    """What the chart shows of a stock: ``load_bars``' frame (None without pandas), its
    arrays and its gaps."""

    frame: pd.DataFrame | None
    data: ChartData
    gaps: list[Gap]


def load_chart(database: Database, code: str, adjust: str, frequency: str = DAILY) -> ChartLoad:
    """A stock's whole stored history of ``frequency`` as ``load_bars`` gives it, and for
    daily bars its gaps (runs in the background pool).

    The installer leaves pandas out (README, "Building the installer"): there the same
    adjusted rows come from ``read_rows`` / ``read_frame_rows``, which ``load_bars`` and
    the CSV export share.
    """
    flag = adjust_flag(adjust)
    try:
        import pandas  # noqa: F401
    except ImportError:
        frame = None
        if frequency == DAILY:
            data = ChartData.from_rows(read_rows(database, code, None, None, flag))
        else:
            rows = read_frame_rows(database, code, None, None, flag, frequency)
            data = ChartData.from_frame_rows(rows, frequency)
    else:
        frame = load_bars(code, None, None, adjust, db=database, frequency=frequency)
        data = ChartData.from_frame(frame)
    if len(data) == 0 or frequency != DAILY:
        return ChartLoad(frame, data, [])
    days = [day.item() for day in data.dates]
    return ChartLoad(frame, data, find_gaps(days, trading_days(database, days[0], days[-1])))


class DataView(QWidget):
    """The overview table with its search, the chart with its adjust choice, the gaps.

    Signals:
        collectRequested(object): a :class:`JobRequest` for the missing days of a stock.
        overviewLoaded(int): the overview was read; the number of securities.
        initialsLoaded: the names' pinyin initials were added (searchable by them).
        chartLoaded(str): the chart shows a stock's bars (its code).
        exportFinished(object): an :class:`ExportResult`.
        loadFailed(str): a read or export failed (user-facing text).
    """

    collectRequested = Signal(object)
    overviewLoaded = Signal(int)
    initialsLoaded = Signal()
    chartLoaded = Signal(str)
    exportFinished = Signal(object)
    loadFailed = Signal(str)

    def __init__(
        self,
        database: Database | None,
        runner: BackgroundRunner,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._settings = settings
        self._chart: BarChart | None = None
        self._code: str | None = None
        """The stock in the chart, or being loaded into it."""
        self._overview_ticket = 0
        self._chart_ticket = 0
        self._loaded_once = False

        self.securitySearch = named(QLineEdit(), "securitySearch")
        self.securitySearch.setClearButtonEnabled(True)
        self.overviewModel = OverviewModel(self)
        self.overviewTable = TableView(objectName="overviewTable")
        self.overviewTable.setModel(self.overviewModel)
        self.overviewTable.setSortingEnabled(True)
        self.overviewTable.horizontalHeader().setSortIndicator(
            COL_CODE, Qt.SortOrder.AscendingOrder
        )
        self.overviewTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.overviewTable.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.overviewTable.setColumnWidth(COL_CODE, 90)
        self.overviewTable.setColumnWidth(COL_NAME, 90)
        self.overviewCaption = named(QLabel(), "overviewCaption")
        self.refreshDataButton = named(QPushButton(), "refreshDataButton")
        self.exportAdjustCombo = named(QComboBox(), "exportAdjustCombo")
        self.exportButton = named(QPushButton(), "exportButton")
        self.chartFrequencyCombo = named(QComboBox(), "chartFrequencyCombo")
        for frequency in FREQUENCIES:
            self.chartFrequencyCombo.addItem("", frequency)
        self._shown_frequency = DAILY
        """The frequency of the bars in the chart (gaps are found for daily bars only)."""
        self.chartAdjustCombo = named(QComboBox(), "chartAdjustCombo")
        for adjust in ADJUSTS:
            self.chartAdjustCombo.addItem("", adjust)
            self.exportAdjustCombo.addItem("", adjust)
        self.chartColorsCombo = named(QComboBox(), "chartColorsCombo")
        self.chartColorsCombo.addItem("", True)
        self.chartColorsCombo.addItem("", False)
        self.chartTitle = named(QLabel(), "chartTitle")
        self.dataStatusLabel = named(QLabel(), "dataStatusLabel")
        self.dataStatusLabel.setWordWrap(True)
        self.gapsModel = GapsModel(self)
        self.gapsTable = TableView(objectName="gapsTable")
        self.gapsTable.setModel(self.gapsModel)
        self.gapsTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.gapsTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.gapsTable.setMaximumHeight(130)
        self.gapsCaption = QLabel()
        self.collectGapButton = named(QPushButton(), "collectGapButton")
        self.collectGapButton.setEnabled(False)
        self._searchTimer = QTimer(self)
        self._searchTimer.setSingleShot(True)
        self._searchTimer.setInterval(SEARCH_DELAY_MS)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(self.securitySearch, 1)
        search_row.addWidget(self.refreshDataButton)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.overviewTable, 1)
        left_layout.addWidget(self.overviewCaption)
        export_row = QHBoxLayout()
        export_row.addWidget(self.exportAdjustCombo)
        export_row.addWidget(self.exportButton)
        export_row.addStretch(1)
        left_layout.addLayout(export_row)

        self._right = QWidget()
        right_layout = QVBoxLayout(self._right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        chart_row = QHBoxLayout()
        chart_row.addWidget(self.chartTitle, 1)
        chart_row.addWidget(self.chartFrequencyCombo)
        chart_row.addWidget(self.chartAdjustCombo)
        chart_row.addWidget(self.chartColorsCombo)
        right_layout.addLayout(chart_row)
        self._chartLayout = right_layout
        gaps_row = QHBoxLayout()
        gaps_row.addWidget(self.gapsCaption, 1)
        gaps_row.addWidget(self.collectGapButton)
        right_layout.addLayout(gaps_row)
        right_layout.addWidget(self.gapsTable)
        right_layout.addWidget(self.dataStatusLabel)

        self.dataSplitter = named(QSplitter(Qt.Orientation.Horizontal), "dataSplitter")
        self.dataSplitter.addWidget(left)
        self.dataSplitter.addWidget(self._right)
        self.dataSplitter.setStretchFactor(0, 2)
        self.dataSplitter.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.addWidget(self.dataSplitter)

        self.securitySearch.textChanged.connect(self._on_search_text_changed)
        self._searchTimer.timeout.connect(self._on_search_timer_timeout)
        self.overviewTable.selectionModel().selectionChanged.connect(
            self._on_overview_selection_changed
        )
        self.overviewModel.modelReset.connect(self._on_overview_model_reset)
        self.chartAdjustCombo.currentIndexChanged.connect(self._on_chart_adjust_changed)
        self.chartFrequencyCombo.currentIndexChanged.connect(self._on_chart_frequency_changed)
        self.chartColorsCombo.currentIndexChanged.connect(self._on_chart_colors_changed)
        self.refreshDataButton.clicked.connect(self.refresh)
        self.collectGapButton.clicked.connect(self._on_collect_gap_clicked)
        self.exportButton.clicked.connect(self._on_export_clicked)
        self.restore_state()
        self._retranslate()

    # --- Public interface --------------------------------------------------------------

    @property
    def barChart(self) -> BarChart:
        """The chart, built on first use."""
        return self._ensure_chart()

    def refresh(self) -> None:
        """Read the overview again, and the chart's stock (after a job, or on request)."""
        self._loaded_once = True
        if self._database is None:
            self._show_status(self.tr("No database is open."))
            return
        self._overview_ticket += 1
        ticket, database = self._overview_ticket, self._database
        self._show_status(self.tr("Reading the stored securities…"))
        # Without the initials first: the table fills in ~35 ms with 5,000 stocks, where
        # the first initials of a process take ~0.3 s more (pypinyin's dictionaries).
        self._runner.submit(
            lambda: read_overview(database, initials=False),
            lambda rows: self._on_overview_read(ticket, rows),
            self._on_read_failed,
        )
        if self._code is not None:
            self.load_chart(self._code)

    def mark_stale(self) -> None:
        """Read everything again when the view is next shown (a job changed the data)."""
        self._loaded_once = False

    def select_code(self, code: str) -> bool:
        """Select ``code`` in the overview (the chart follows); False if it is not shown."""
        row = self.overviewModel.row_of(code)
        if row < 0:
            return False
        self.overviewTable.selectRow(row)
        self.overviewTable.scrollTo(self.overviewModel.index(row, 0))
        return True

    def selected_codes(self) -> list[str]:
        """The codes of the selected rows, in view order."""
        rows = sorted({index.row() for index in self.overviewTable.selectionModel().selectedRows()})
        return [self.overviewModel.row_at(row).code for row in rows]

    def chart_adjust(self) -> str:
        """``none``, ``qfq`` or ``hfq``: what the chart shows."""
        return str(self.chartAdjustCombo.currentData())

    def chart_frequency(self) -> str:
        """``d``, ``w``, ``m``, ``5`` ... ``60``: the bars the chart shows (and the
        export writes)."""
        return str(self.chartFrequencyCombo.currentData())

    def load_chart(self, code: str) -> None:
        """Read ``code``'s bars (with the chosen frequency and adjust) and, for daily
        bars, its gaps, then show them. The frequency box first offers the frequencies
        the stock has, and moves to one of them if the chosen one is not."""
        if self._database is None:
            return
        self._ensure_chart()
        self._offer_frequencies(code)
        self._code = code
        self._chart_ticket += 1
        ticket, database = self._chart_ticket, self._database
        adjust, frequency = self.chart_adjust(), self.chart_frequency()
        self.chartTitle.setText(self._title(code))
        self._runner.submit(
            lambda: load_chart(database, code, adjust, frequency),
            lambda loaded: self._on_chart_read(ticket, code, frequency, loaded),
            lambda error: self._on_chart_failed(ticket, error),
        )

    def gap_request(self) -> JobRequest | None:
        """The job that collects the selected gap (the first when none is selected)."""
        gaps = self.gapsModel.rows()
        if self._code is None or not gaps:
            return None
        selected = self.gapsTable.selectionModel().selectedRows()
        gap = gaps[selected[0].row()] if selected else gaps[0]
        return JobRequest(
            start_date=gap.first,
            end_date=gap.last,
            adjustflag=AdjustFlag.NONE,
            universe="codes",
            codes=(self._code,),
        )

    def ask_export_path(self) -> str | None:
        """The file to export to, or None when cancelled.

        A method of its own so tests can answer it without a modal dialog.
        """
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export bars"),
            str(Path.home() / "stockdesk-export.csv"),
            self.tr("CSV (*.csv);;Parquet (*.parquet)"),
        )
        return path or None

    def export(self, codes: Sequence[str], adjust: str, path: str, frequency: str = DAILY) -> None:
        """Write the ``frequency`` bars of ``codes`` with ``adjust`` to ``path`` (CSV or
        Parquet), off the GUI thread."""
        if self._database is None or not codes:
            return
        database, flag, chosen = self._database, adjust_flag(adjust), list(codes)
        self._show_status(self.tr("Exporting {count} stocks…").format(count=len(chosen)))
        self.exportButton.setEnabled(False)
        self._runner.submit(
            lambda: export_bars(database, chosen, None, None, flag, path, frequency=frequency),
            self._on_exported,
            self._on_export_failed,
        )

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("data/splitter", self.dataSplitter.saveState())
        settings.setValue("data/adjust", self.chart_adjust())
        settings.setValue("data/frequency", self.chart_frequency())
        settings.setValue("data/exportAdjust", self.exportAdjustCombo.currentData())
        settings.setValue("chart/upRed", bool(self.chartColorsCombo.currentData()))

    def restore_state(self) -> None:
        settings = self._settings
        state = settings.value("data/splitter")
        if isinstance(state, QByteArray):
            self.dataSplitter.restoreState(state)
        for key, combo in (
            ("data/adjust", self.chartAdjustCombo),
            ("data/frequency", self.chartFrequencyCombo),
            ("data/exportAdjust", self.exportAdjustCombo),
        ):
            index = combo.findData(settings.value(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        up_red = str(settings.value("chart/upRed", "true")).lower() != "false"
        self.chartColorsCombo.setCurrentIndex(0 if up_red else 1)

    # --- Events -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self._ensure_chart()
        if not self._loaded_once:
            self.refresh()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # --- Slots ---------------------------------------------------------------------------

    @Slot(str)
    def _on_search_text_changed(self, _text: str) -> None:
        self._searchTimer.start()

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self.apply_search()

    def apply_search(self) -> None:
        """Filter the overview by the search box now (typing does it after a pause)."""
        self._searchTimer.stop()
        self.overviewModel.set_filter(self.securitySearch.text())

    @Slot()
    def _on_overview_model_reset(self) -> None:
        # A reset drops the selection: keep the charted stock selected if it is shown.
        if self._code is not None:
            row = self.overviewModel.row_of(self._code)
            if row >= 0:
                blocker = self.overviewTable.selectionModel().blockSignals(True)
                self.overviewTable.selectRow(row)
                self.overviewTable.selectionModel().blockSignals(blocker)
        self._update_caption()

    @Slot(QItemSelection, QItemSelection)
    def _on_overview_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        current = self.overviewTable.currentIndex()
        selected = self.overviewTable.selectionModel().selectedRows()
        if current.isValid() and any(index.row() == current.row() for index in selected):
            row = current.row()
        elif selected:
            row = selected[0].row()
        else:
            return
        code = self.overviewModel.row_at(row).code
        if code != self._code:
            self.load_chart(code)

    @Slot(int)
    def _on_chart_adjust_changed(self, _index: int) -> None:
        if self._code is not None:
            self.load_chart(self._code)

    @Slot(int)
    def _on_chart_frequency_changed(self, _index: int) -> None:
        if self._code is not None:
            self.load_chart(self._code)

    @Slot(int)
    def _on_chart_colors_changed(self, index: int) -> None:
        if self._chart is not None:
            self._chart.set_up_red(bool(self.chartColorsCombo.itemData(index)))
        self._settings.setValue("chart/upRed", bool(self.chartColorsCombo.itemData(index)))

    @Slot()
    def _on_collect_gap_clicked(self) -> None:
        request = self.gap_request()
        if request is not None:
            self.collectRequested.emit(request)

    @Slot()
    def _on_export_clicked(self) -> None:
        codes = self.selected_codes()
        if not codes:
            self._show_status(self.tr("Select the stocks to export in the table."))
            return
        path = self.ask_export_path()
        if path:
            adjust = str(self.exportAdjustCombo.currentData())
            self.export(codes, adjust, path, self.chart_frequency())

    # --- Background answers ---------------------------------------------------------------

    def _on_overview_read(self, ticket: int, rows: list[SecurityOverview]) -> None:
        if ticket != self._overview_ticket:
            return
        self.overviewModel.set_rows(rows)
        # A job may have added or removed frequencies of the stock in the chart.
        if self._code is not None and self._offer_frequencies(self._code):
            self.load_chart(self._code)
        self._show_status("")
        self.overviewLoaded.emit(len(rows))
        self._runner.submit(
            lambda: with_initials(rows),
            lambda named_rows: self._on_initials_read(ticket, named_rows),
            self._on_read_failed,
        )

    def _on_initials_read(self, ticket: int, rows: list[SecurityOverview]) -> None:
        if ticket != self._overview_ticket:
            return
        self.overviewModel.set_initials(rows)
        self.initialsLoaded.emit()

    def _on_read_failed(self, error: str) -> None:
        self._show_status(self.tr("Could not read the database: {error}").format(error=error))
        self.loadFailed.emit(error)

    def _on_chart_read(self, ticket: int, code: str, frequency: str, loaded: ChartLoad) -> None:
        if ticket != self._chart_ticket:
            return
        gaps = loaded.gaps
        self._shown_frequency = frequency
        self._ensure_chart().set_bars(loaded.frame, gaps, data=loaded.data)
        self.gapsModel.set_rows(gaps)
        if gaps:
            self.gapsTable.selectRow(0)
        self.collectGapButton.setEnabled(bool(gaps))
        self._update_gaps_caption()
        self._show_status("")
        self.chartLoaded.emit(code)

    def _on_chart_failed(self, ticket: int, error: str) -> None:
        if ticket != self._chart_ticket:
            return
        self._ensure_chart().set_bars(None)
        self.gapsModel.set_rows([])
        self.collectGapButton.setEnabled(False)
        self._update_gaps_caption()
        self._on_read_failed(error)

    def _on_exported(self, result: ExportResult) -> None:
        self.exportButton.setEnabled(True)
        self._show_status(
            self.tr("Exported {stocks} stocks, {rows} rows to {path}").format(
                stocks=result.stocks, rows=result.rows, path=result.path
            )
        )
        self.exportFinished.emit(result)

    def _on_export_failed(self, error: str) -> None:
        self.exportButton.setEnabled(True)
        self._show_status(self.tr("The export failed: {error}").format(error=error))
        self.loadFailed.emit(error)

    # --- Internals ------------------------------------------------------------------------

    def _ensure_chart(self) -> BarChart:
        if self._chart is None:
            from stockdesk.ui.chart import BarChart  # pyqtgraph: only once the view is used

            self._chart = BarChart()
            self._chart.set_up_red(bool(self.chartColorsCombo.currentData()))
            self._chartLayout.insertWidget(1, self._chart, 1)
        return self._chart

    def _offer_frequencies(self, code: str) -> bool:
        """Enable the frequencies ``code`` has stored (all of them when it is not in the
        overview yet) and, if the chosen one is not among them, choose the first that is
        (daily before weekly ... before 60 minutes), without a load of its own. True when
        the choice moved."""
        security = self.overviewModel.security(code)
        held = security.frequencies if security is not None else FREQUENCIES
        combo = self.chartFrequencyCombo
        items = cast(QStandardItemModel, combo.model())  # a QComboBox's own model
        for index in range(combo.count()):
            item = items.item(index)
            item.setEnabled(combo.itemData(index) in held)
        if self.chart_frequency() in held or not held:
            return False
        blocker = combo.blockSignals(True)
        combo.setCurrentIndex(combo.findData(held[0]))
        combo.blockSignals(blocker)
        return True

    def _title(self, code: str) -> str:
        row = self.overviewModel.row_of(code)
        name = self.overviewModel.row_at(row).name if row >= 0 else ""
        return f"{code} {name}".strip()

    def _show_status(self, text: str) -> None:
        self.dataStatusLabel.setText(text)
        self.dataStatusLabel.setVisible(bool(text))

    def _update_caption(self) -> None:
        self.overviewCaption.setText(
            self.tr("{shown} of {total} securities").format(
                shown=self.overviewModel.rowCount(), total=self.overviewModel.all_count()
            )
        )

    def _update_gaps_caption(self) -> None:
        gaps = self.gapsModel.rows()
        if self._shown_frequency != DAILY:
            self.gapsCaption.setText(self.tr("Missing days are found in daily bars only."))
            return
        if not gaps:
            self.gapsCaption.setText(self.tr("No trading day is missing."))
            return
        self.gapsCaption.setText(
            self.tr("{days} trading days missing in {gaps} gaps").format(
                days=sum(gap.days for gap in gaps), gaps=len(gaps)
            )
        )

    def _retranslate(self) -> None:
        self.securitySearch.setPlaceholderText(
            self.tr("Search by code, name or pinyin initials (e.g. pfyh)")
        )
        self.refreshDataButton.setText(self.tr("Refresh"))
        self.exportButton.setText(self.tr("Export selected…"))
        self.exportButton.setToolTip(
            self.tr(
                "Write the selected stocks' bars of the chart's frequency to a CSV or Parquet file"
            )
        )
        for index, frequency in enumerate(FREQUENCIES):
            self.chartFrequencyCombo.setItemText(index, frequency_text(frequency))
        self.chartFrequencyCombo.setToolTip(
            self.tr(
                "The bars the chart shows and Export selected… writes; "
                "a stock offers the frequencies it has stored"
            )
        )
        adjust_texts = (self.tr("Unadjusted"), self.tr("Forward (qfq)"), self.tr("Backward (hfq)"))
        for combo in (self.chartAdjustCombo, self.exportAdjustCombo):
            for index, text in enumerate(adjust_texts):
                combo.setItemText(index, text)
        self.chartColorsCombo.setItemText(0, self.tr("Red up, green down"))
        self.chartColorsCombo.setItemText(1, self.tr("Green up, red down"))
        self.collectGapButton.setText(self.tr("Collect missing days"))
        self.collectGapButton.setToolTip(
            self.tr(
                "Start a job that collects the selected gap of this stock "
                "(gaps are found in daily bars only)"
            )
        )
        self._update_caption()
        self._update_gaps_caption()
        self.overviewModel.retranslate()
        self.gapsModel.retranslate()
