"""Fixtures for the window's tests: a throw-away settings file, engine fakes, languages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from ui_fakes import FakeJobLog

from stockdesk.ui.translations import Translations


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """Settings in an ini file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def job_log() -> FakeJobLog:
    return FakeJobLog()


@pytest.fixture
def chinese(qapp):
    """The Chinese translation installed for the test, English restored afterwards."""
    translations = Translations()
    assert translations.install("zh_CN")
    yield translations
    translations.install("en")
