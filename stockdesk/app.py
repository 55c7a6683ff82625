"""The GUI composition root: one start-up path for the window (as qutebrowser's app.py).

It creates (or reuses) the QApplication, loads the language and the settings, opens the
database, marks jobs a dead process left running as interrupted, starts the simulator for
the demo and wires the engine into the main window. Nothing else builds the window.
File → Database… reopens the window on another database through the same path, the
opening done off the GUI thread (a server may take seconds to answer).
"""

from __future__ import annotations

import gc
import logging
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QMutex, QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from stockdesk import config, logs
from stockdesk.cli import daily_command
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import StockDeskError
from stockdesk.domain.values import JobStatus
from stockdesk.schedule import lastrun
from stockdesk.schedule.backend import DailySchedule
from stockdesk.schedule.entry import absolute_database
from stockdesk.ui.diagnostics import CrashReporter
from stockdesk.ui.main_window import MainWindow
from stockdesk.ui.resources import app_icon
from stockdesk.ui.style import apply_style
from stockdesk.ui.translations import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Translations,
    system_language,
)

if TYPE_CHECKING:
    from stockdesk.simulator.server import SimulatorServer  # numpy only for the demo

log = logging.getLogger(__name__)

ORGANIZATION = "StockDesk"
APPLICATION = "StockDesk"
DATABASE_KEY = "database/target"
"""Settings key of the database chosen in File → Database… (never with a password)."""


def default_settings() -> QSettings:
    """The user's settings file (an ini file, so it can be read and deleted by hand)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


@dataclass
class AppState:
    """What lives as long as the application: settings, language, simulators, windows.

    ``gate`` is shared by every window: baostock keeps one socket per process, so two jobs
    in one process must not run at the same time whichever window started them.
    ``crashes``, when given, fails every window's running job on an unhandled exception.
    """

    settings: QSettings
    translations: Translations
    crashes: CrashReporter | None = None
    gate: QMutex = field(default_factory=QMutex)
    databases: list[Database] = field(default_factory=list)
    servers: list[SimulatorServer] = field(default_factory=list)
    windows: list[MainWindow] = field(default_factory=list)

    def close(self) -> None:
        """Close the databases and stop the simulators started for the demo."""
        for database in self.databases:
            database.close()
        for server in self.servers:
            server.stop()
        self.databases.clear()
        self.servers.clear()


def start_simulator(state: AppState) -> str:
    """Start the built-in baostock simulator on a free loopback port; returns HOST:PORT."""
    from stockdesk.simulator.demo import start_demo_server  # numpy only for the demo

    server = start_demo_server()
    state.servers.append(server)
    return server.address


def build_main_window(
    *,
    database: Database,
    server: str | None,
    demo: bool,
    settings: QSettings,
    translations: Translations | None = None,
    options: CollectOptions | None = None,
    gate: QMutex | None = None,
    schedule: DailySchedule | None = None,
) -> MainWindow:
    """Wire the engine on ``database`` (an open Database) into a new, unshown main window.

    ``server`` is the baostock address (None: the public server); ``options`` tunes the
    rest (tests shorten timeouts); ``schedule`` is the daily update Settings offers (None:
    the menu item is unavailable). Tests call this directly with a temporary settings file
    and the simulator's address.
    """
    options = replace(options or CollectOptions(), server=server)

    # Passing these to MainWindow is where mypy checks the real Collector and JobLog
    # against the window's protocols (CollectorLike, WindowJobLog); tests/ui/ui_fakes.py
    # checks the window tests' fakes against the same ones.
    def make_collector() -> Collector:
        # Called in the worker thread: the collector and its baostock session belong to it.
        return Collector(database, options)

    def make_job_log() -> JobLog:
        return JobLog(database)

    language = translations.language if translations else DEFAULT_LANGUAGE
    window = MainWindow(
        collector_factory=make_collector,
        job_log=make_job_log,
        settings=settings,
        database=database,
        demo=demo,
        language=language,
        gate=gate,
        schedule=schedule,
    )
    if translations is not None:
        window.languageRequested.connect(_LanguageSwitch(translations, settings).apply)
    return window


class _LanguageSwitch:
    """Applies and remembers the language picked in a window's menu."""

    def __init__(self, translations: Translations, settings: QSettings) -> None:
        self._translations = translations
        self._settings = settings

    def apply(self, language: str) -> None:
        if self._translations.install(language):
            self._settings.setValue("ui/language", language)


def saved_database(settings: QSettings) -> str | None:
    """The database chosen in File → Database… last time, if any."""
    value = settings.value(DATABASE_KEY)
    return str(value) if value else None


@dataclass
class OpenedDatabase:
    """A database opened for a window, with the jobs found interrupted on the way."""

    database: Database
    target: str
    """What was opened, as given (a path or a URL without its password)."""
    interrupted: list[str]
    warning: str | None = None


def open_for_window(target: str, password: str = "") -> OpenedDatabase:
    """Open ``target`` and recover interrupted jobs: no Qt, so it may run in a pool thread.

    A PostgreSQL password typed in File → Database… is tried as given and, once the server
    accepted it, saved in the OS keyring; without one, the keyring's (or libpq's) is used.

    Raises:
        DatabaseError: the database cannot be opened (user-facing text).
    """
    lookup = (lambda *_login: password) if password else config.saved_password
    db = open_database(target, password=lookup)
    try:
        interrupted = JobLog(db).recover_interrupted()
    except BaseException:
        db.close()
        raise
    opened = OpenedDatabase(db, target, interrupted)
    login = db.login()
    if password and login is not None:
        try:
            config.save_password(*login, password)
        except Exception as exc:  # no keyring here: the connection works all the same
            opened.warning = QCoreApplication.translate(
                "app",
                "The password could not be saved in the system keyring ({error}); "
                "it will be asked for again, or put it in ~/.pgpass.",
            ).format(error=type(exc).__name__)
    return opened


def open_window(
    state: AppState, *, database: str | None, server: str | None, demo: bool
) -> MainWindow:
    """Open the database (recovering interrupted jobs) and show a window on it.

    Without ``--db`` or ``$STOCKDESK_DB`` the database chosen last time in File →
    Database… is opened; when it cannot be, the default file is, and the window says why.

    Raises:
        DatabaseError: the database cannot be opened (user-facing text).
    """
    saved = None if demo else saved_database(state.settings)
    target = config.database_target(database, demo=demo, saved=saved)
    try:
        opened = open_for_window(target)
    except StockDeskError as exc:
        fallback = config.database_target(database, demo=demo)
        if fallback == target:
            raise
        opened = open_for_window(fallback)
        opened.warning = QCoreApplication.translate(
            "app",
            "The database chosen last time could not be opened, so the default one "
            "is used. {error}",
        ).format(error=exc)
    return show_window(state, opened, server=server, demo=demo)


def show_window(
    state: AppState, opened: OpenedDatabase, *, server: str | None, demo: bool
) -> MainWindow:
    """Show a new window on an opened database (the GUI thread's part of opening)."""
    db, interrupted = opened.database, opened.interrupted
    state.databases.append(db)
    schedule = None if demo else daily_schedule(opened.target, server)
    address = start_simulator(state) if demo else config.server_address(server)
    window = build_main_window(
        database=db,
        server=address,
        demo=demo,
        settings=state.settings,
        translations=state.translations,
        gate=state.gate,
        schedule=schedule,
    )
    where = str(db.path) if db.path else db.url  # a URL's password is masked
    window.show_database(where)
    if interrupted:
        window.noticeBar.show_message(
            QCoreApplication.translate(
                "app", "{count} job(s) were interrupted when StockDesk last stopped: {ids}"
            ).format(count=len(interrupted), ids=", ".join(interrupted))
        )
    if opened.warning:
        window.noticeBar.show_message(opened.warning)
    report_scheduled_run(window, db, opened.target, state.settings)
    window.demoRequested.connect(_DemoSwitch(state, window).apply)
    window.databaseChosen.connect(_DatabaseSwitch(state, window, server, demo).apply)
    if state.crashes is not None:
        # After a crash the window's state is unknown: its job stops and is logged failed
        # with the reason, not left to end as "cancelled" when the user closes the window.
        state.crashes.crashReported.connect(window.controller.fail)
    state.windows.append(window)
    window.show()
    return window


def daily_schedule(database: str | None, server: str | None) -> DailySchedule | None:
    """The daily update for Settings: on the database and server this window was given
    (the demo's made-up market gets none). Building it asks the system nothing; None
    when the server address cannot be passed on (the window then says so at the job)."""
    try:
        return DailySchedule(None, daily_command(database, server))
    except StockDeskError as exc:
        log.warning("no daily update for this window: %s", exc)
        return None


def report_scheduled_run(
    window: MainWindow,
    database: Database,
    target: str,
    settings: QSettings,
    note: lastrun.ScheduledRun | None = None,
) -> None:
    """Tell the analyst, once, what the daily update did since the window last ran.

    The newest job of the window's database is the schedule's if it started while the last
    scheduled run (its note: stockdesk/schedule/lastrun.py) ran on this database. A job
    still running is reported at a later start, when it has ended.
    """
    note = note or lastrun.load(config.scheduled_run_file())
    if note is None:
        return
    newest = JobLog(database).list_jobs(limit=1)
    if not newest or newest[0].status is JobStatus.RUNNING:
        return
    job = newest[0]
    if not note.ran(job, database=absolute_database(target)):
        return
    if settings.value("schedule/reportedJob") == job.id:
        return
    settings.setValue("schedule/reportedJob", job.id)
    window.report_scheduled_job(job)


class _DemoSwitch(QObject):
    """Replaces a window that cannot reach the server with a demo window.

    A child of that window, found through ``parent()``: holding it in a Python attribute
    would tie the window into a reference cycle.
    """

    def __init__(self, state: AppState, window: MainWindow) -> None:
        super().__init__(window)
        self._state = state

    @Slot()
    def apply(self) -> None:
        window = self.parent()
        try:
            open_window(self._state, database=None, server=None, demo=True)
        except StockDeskError as exc:
            if isinstance(window, MainWindow):
                window.noticeBar.show_message(str(exc))
            return
        if isinstance(window, MainWindow):
            window.close()


class _DatabaseSwitch(QObject):
    """Reopens a window on the database chosen in File → Database….

    The database is opened in the window's background pool; only when that worked is a
    new window shown, the choice remembered and the old window closed. A failure leaves
    everything as it was and says why in the old window. A child of the window, like
    :class:`_DemoSwitch`.
    """

    def __init__(self, state: AppState, window: MainWindow, server: str | None, demo: bool) -> None:
        super().__init__(window)
        self._state = state
        self._server = server
        self._demo = demo

    @Slot(str, str)
    def apply(self, target: str, password: str) -> None:
        window = self.parent()
        if not isinstance(window, MainWindow):
            return
        window.noticeBar.show_message(
            QCoreApplication.translate("app", "Opening {database}…").format(database=target)
        )
        window.runner.submit(
            lambda: open_for_window(target, password),
            lambda opened: self._opened(target, opened),
            self._failed,
        )

    def _opened(self, target: str, opened: OpenedDatabase) -> None:
        old = self.parent()
        self._state.settings.setValue(DATABASE_KEY, target)
        self._state.settings.sync()
        show_window(self._state, opened, server=self._server, demo=self._demo)
        if isinstance(old, MainWindow):
            old.close()

    def _failed(self, error: str) -> None:
        window = self.parent()
        if isinstance(window, MainWindow):
            window.noticeBar.show_message(
                QCoreApplication.translate("app", "The database was not changed: {error}").format(
                    error=error
                )
            )


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, reused when one exists (tests, the self-test), with StockDesk's
    names, icon and style: the window and the self-test start from the same one."""
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0], *(argv or [])])
    )
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(app_icon())
    apply_style(app)
    return app


def run_app(
    *, database: str | None, server: str | None, demo: bool, argv: list[str] | None = None
) -> int:
    """Show the main window and return the exit code when the last window closes."""
    app = make_application(argv)
    # A bug in a slot or a thread is logged and shown, not lost on a console nobody sees.
    crashes = CrashReporter(app)
    logs.install_crash_hooks(crashes.report)
    settings = default_settings()
    translations = Translations()
    language = str(settings.value("ui/language", system_language()))
    translations.install(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    state = AppState(settings, translations, crashes=crashes)
    try:
        open_window(state, database=database, server=server, demo=demo)
    except StockDeskError as exc:
        QMessageBox.critical(None, APPLICATION, str(exc))
        state.close()
        return 1
    # Everything alive now (Qt bindings, SQLAlchemy, the demo market) lives until exit;
    # freezing it keeps it out of full garbage collections, which otherwise stall the
    # event loop for tens of milliseconds while results stream in.
    gc.collect()
    gc.freeze()
    try:
        return app.exec()
    finally:
        state.close()
