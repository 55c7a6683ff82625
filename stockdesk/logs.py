"""The log file and the last line of defence against unhandled exceptions.

Analysts run StockDesk from an installer, without a terminal: what went wrong must be in a
file they can send us. One rotating file in the user's log folder (platformdirs) serves the
window and the command line alike. No PySide6 here: the command line must run without Qt,
so the window plugs its crash dialog in through :func:`install_crash_hooks`.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from stockdesk import __version__, config

LOG_NAME = "stockdesk.log"
MAX_BYTES = 1_000_000
"""One megabyte per file keeps a log small enough to attach to an e-mail."""
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

log = logging.getLogger("stockdesk")

CrashReport = Callable[[str], None]
"""Told the formatted traceback of an unhandled exception, from whichever thread it was in."""


def setup_logging(folder: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Log to a rotating file in ``folder`` (default the user's log folder); return its path.

    Idempotent: a second call returns the file already set up, so the window, the command
    line and the self-test can all call it at start-up. A folder that cannot be written
    leaves logging off rather than stopping the program.
    """
    for handler in log.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    path = (folder or config.log_dir()) / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError as error:
        _print_error(f"无法写入日志文件 {path}：{error}")
        return path
    handler.setFormatter(logging.Formatter(FORMAT))
    log.addHandler(handler)
    log.setLevel(level)
    log.info(
        "StockDesk %s started (Python %s, %s)",
        __version__,
        sys.version.split()[0],
        "frozen" if getattr(sys, "frozen", False) else "source",
    )
    return path


def log_file() -> Path | None:
    """The log file :func:`setup_logging` opened, or None before it ran."""
    for handler in log.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def log_to_file(*names: str, level: int = logging.INFO) -> None:
    """Send the records of loggers outside ``stockdesk`` (a library's, e.g. the HTTP
    server's access log) to the log file as well, and to nothing else above them.

    Does nothing before :func:`setup_logging` opened the file.
    """
    handler = next(
        (h for h in log.handlers if isinstance(h, logging.handlers.RotatingFileHandler)), None
    )
    if handler is None:
        return
    for name in names:
        logger = logging.getLogger(name)
        if handler not in logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


def stop_logging() -> None:
    """Close and remove the file handler (tests; a clean exit flushes it anyway)."""
    for handler in list(log.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            log.removeHandler(handler)
            handler.close()


def install_crash_hooks(report: CrashReport | None = None) -> None:
    """Log every unhandled exception, in the main thread or any other, and tell ``report``.

    Qt calls ``sys.excepthook`` for an exception escaping a slot and carries on, so without
    this a bug in the window would only print to a console analysts never see.
    """

    def on_exception(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        _report(report, kind, error, trace, threading.current_thread().name)

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        _report(report, args.exc_type, args.exc_value, args.exc_traceback, name)

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception


def _report(
    report: CrashReport | None,
    kind: type[BaseException],
    error: BaseException,
    trace: TracebackType | None,
    thread: str,
) -> None:
    log.critical("unhandled exception in thread %s", thread, exc_info=(kind, error, trace))
    text = "".join(traceback.format_exception(kind, error, trace))
    if report is None:
        _print_error(text)
        return
    try:
        report(text)
    except Exception:  # the reporter itself failing must not recurse into this hook
        log.exception("could not report the unhandled exception")


def _print_error(text: str) -> None:
    # A windowed Windows program has no stderr at all (sys.stderr is None).
    if sys.stderr is not None:
        print(text, file=sys.stderr)
