"""The language the window starts in before the user picks one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from stockdesk.ui.translations import system_language


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zh_CN", "zh_CN"),
        ("zh_TW", "zh_CN"),
        ("zh_HK", "zh_CN"),
        ("en_US", "en"),
        ("de_DE", "en"),
        ("ja_JP", "en"),
    ],
)
def test_chinese_locales_start_in_chinese_and_the_rest_in_english(name, expected):
    assert system_language(QLocale(name)) == expected
