import csv

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from ui_fakes import make_item

from stockdesk.domain.values import ItemStatus
from stockdesk.ui.csv_export import export_csv
from stockdesk.ui.failures_model import FailuresModel
from stockdesk.ui.table_view import TableView


def failures():
    model = FailuresModel()
    model.set_rows([make_item(1, ItemStatus.FAILED), make_item(2, ItemStatus.FAILED)])
    return model


def test_export_writes_utf8_with_bom_for_excel(qapp, tmp_path):
    path = tmp_path / "failed.csv"
    assert export_csv(path, failures()) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Code", "Name", "Error code", "Message", "Attempts", "Time"]
    assert rows[1] == ["sh.600001", "股票1", "10002007", "网络接收错误", "3", "2024-06-12 10:30:00"]
    assert len(rows) == 3


def test_ctrl_c_copies_the_selection_tab_separated(qtbot):
    model = failures()
    view = TableView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.show()
    view.selectAll()
    view.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, "c", modifier=Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:4] == ["sh.600001", "股票1", "10002007", "网络接收错误"]
    assert len(lines) == 2
