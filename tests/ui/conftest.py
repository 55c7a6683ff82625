"""Fixtures for the window's tests: a throw-away settings file, engine fakes, languages."""

from __future__ import annotations

import gc

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


@pytest.fixture(autouse=True)
def _collect_qt_garbage():
    """Free any cyclic garbage a test left behind here, in the GUI thread.

    Left for later, the collector may run in a job's worker thread; PySide then defers the
    Qt deletions to the GUI thread, where they land at an arbitrary moment (a crash inside
    a later test's layout pass was seen that way).
    """
    yield
    gc.collect()
