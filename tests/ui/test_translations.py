import xml.etree.ElementTree as ET

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
