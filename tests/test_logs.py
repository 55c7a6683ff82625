"""The log file, the crash hooks and the crash dialog's way into the GUI thread."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from stockdesk import logs


@pytest.fixture
def log_folder(tmp_path):
    """Logging into a folder of the test's own; the handler is removed afterwards."""
    logs.stop_logging()
    yield tmp_path / "log"
    logs.stop_logging()


@pytest.fixture
def restore_hooks(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


def test_setup_creates_the_file_once_and_package_loggers_write_to_it(log_folder):
    path = logs.setup_logging(log_folder)
    assert logs.setup_logging(log_folder / "elsewhere") == path == logs.log_file()
    logging.getLogger("stockdesk.collect.collector").warning("stock 中文 failed")
    for handler in logging.getLogger("stockdesk").handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "started" in text
    assert "stock 中文 failed" in text


def test_the_file_rotates(log_folder):
    path = logs.setup_logging(log_folder)
    line = "x" * 1000
    for _ in range(logs.MAX_BYTES // len(line) + 10):
        logging.getLogger("stockdesk").info(line)
    assert path.with_name(f"{logs.LOG_NAME}.1").exists()
    assert path.stat().st_size < logs.MAX_BYTES


def test_an_unwritable_folder_leaves_logging_off(log_folder, capsys):
    log_folder.write_text("a file where the folder should be")
    logs.setup_logging(log_folder)
    assert logs.log_file() is None
    assert "无法写入日志文件" in capsys.readouterr().err


def test_unhandled_exceptions_in_any_thread_are_logged_and_reported(log_folder, restore_hooks):
    path = logs.setup_logging(log_folder)
    reports: list[str] = []
    logs.install_crash_hooks(reports.append)
    try:
        raise ValueError("main thread bug")
    except ValueError:
        sys.excepthook(*sys.exc_info())

    def broken() -> None:
        raise RuntimeError("worker bug")

    thread = threading.Thread(target=broken, name="worker")
    thread.start()
    thread.join(5)
    assert len(reports) == 2
    assert "ValueError: main thread bug" in reports[0]
    assert "RuntimeError: worker bug" in reports[1]
    text = path.read_text(encoding="utf-8")
    assert "unhandled exception in thread MainThread" in text
    assert "unhandled exception in thread worker" in text


def test_a_crash_in_a_thread_reaches_the_dialog_in_the_gui_thread(
    qtbot, monkeypatch, restore_hooks
):
    from stockdesk.ui.diagnostics import CrashReporter

    reporter = CrashReporter()
    shown: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        reporter,
        "show_dialog",
        lambda details: shown.append(
            (details, threading.current_thread() is threading.main_thread())
        ),
    )
    logs.install_crash_hooks(reporter.report)

    def broken() -> None:
        raise KeyError("lost")

    thread = threading.Thread(target=broken)
    thread.start()
    thread.join(5)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    details, in_gui_thread = shown[0]
    assert "KeyError: 'lost'" in details
    assert in_gui_thread
