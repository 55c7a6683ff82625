import xml.etree.ElementTree as ET

from PySide6.QtCore import Qt

from stockdesk.ui.translations import Translations, build_qm, qm_path, ts_path


def test_every_string_has_a_chinese_translation():
    tree = ET.parse(ts_path("zh_CN"))
    messages = list(tree.getroot().iter("message"))
    assert len(messages) > 50
    untranslated = [
        message.findtext("source")
        for message in messages
        if message.find("translation").get("type") in {"unfinished", "obsolete", "vanished"}
        or not message.findtext("translation")
    ]
    assert untranslated == []


def test_qm_is_built_from_a_source_checkout(qapp):
    assert build_qm("zh_CN") == qm_path("zh_CN")
    assert qm_path("zh_CN").stat().st_size > 0


def test_switching_languages(qapp):
    translations = Translations()
    assert translations.install("zh_CN")
    assert qapp.translate("labels", "Completed") == "已完成"
    assert translations.install("en")
    assert qapp.translate("labels", "Completed") == "Completed"
    assert translations.language == "en"


def test_the_data_view_speaks_chinese(qtbot, chinese, settings):
    from ui_fakes import FakeCollector, FakeJobLog

    from stockdesk.ui.main_window import MainWindow

    job_log = FakeJobLog()
    window = MainWindow(
        collector_factory=lambda: FakeCollector(job_log),
        job_log=lambda: job_log,
        settings=settings,
    )
    qtbot.addWidget(window)
    window.show()
    view = window.open_data_view()
    assert window.mainTabs.tabText(1) == "数据"
    assert view.chartAdjustCombo.itemText(1) == "前复权"
    assert view.chartColorsCombo.itemText(0) == "红涨绿跌"
    assert view.overviewModel.headerData(6, Qt.Orientation.Horizontal) == "缺失天数"
    assert view.barChart.readout.text() == "选择一只股票查看其 K 线。"
    assert view.chartFrequencyCombo.itemText(3) == "5 分钟线"
    assert view.overviewModel.headerData(8, Qt.Orientation.Horizontal) == "周期"
    chinese.install("en")
    qtbot.waitUntil(lambda: window.mainTabs.tabText(1) == "Data", timeout=1000)
    assert view.chartColorsCombo.itemText(0) == "Red up, green down"
    assert view.barChart.readout.text() == "Select a stock to see its bars."
    window.runner.wait()
