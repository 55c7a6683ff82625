"""Shared fixtures: a running baostock simulator and the baostock client pointed at it,
and the databases the engine and CLI tests run on: SQLite and PostgreSQL alike.

A test that asks (through its fixtures) for ``backend`` runs once per store: ``sqlite``
(a file in the test's folder) and ``postgresql`` (a fresh database on a server the
session starts, see :mod:`support.postgres`). ``@pytest.mark.sqlite_only`` keeps a test
that is about SQLite itself (WAL, pragmas, files, backups) to SQLite, and
``@pytest.mark.postgresql_only`` one about the server to PostgreSQL. Without PostgreSQL's
programs the PostgreSQL runs are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import baostock
import baostock.common.contants as baostock_constants
import baostock.common.context as baostock_context
import pytest
from support.postgres import PostgresServer, PostgresUnavailable

from stockdesk.db.database import open_database
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

BACKENDS = ("sqlite", "postgresql")
TEMPLATE = "stockdesk_template"
"""A database migrated once per session; each test's database is a copy of it."""
_numbers = itertools.count(1)

# No test, nor any process a test starts, may read or write the user's real keyring.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
# Nor the user's own folders: a command run without --db opens the default database, the
# log goes to the user's log folder, the window's settings to their config. On Linux
# platformdirs and Qt read these variables; a session gets folders of its own (a test
# once left the developer's default database migrated by another branch's code).
_HOME = Path(tempfile.mkdtemp(prefix="stockdesk-tests-"))
for _variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_variable] = str(_HOME / _variable.lower())
os.environ.pop("STOCKDESK_DB", None)
os.environ.pop("STOCKDESK_SERVER", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself; not run on PostgreSQL")
    config.addinivalue_line(
        "markers", "postgresql_only: about the PostgreSQL server; not run on SQLite"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses ``backend`` once per store (see the module doc)."""
    if "backend" in metafunc.fixturenames:
        only = [
            backend
            for backend in BACKENDS
            if metafunc.definition.get_closest_marker(f"{backend}_only")
        ]
        metafunc.parametrize("backend", only or list(BACKENDS))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, with :data:`TEMPLATE` migrated."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {missing}")
        pytest.skip(str(missing))
    try:
        open_database(server.create_database(TEMPLATE)).close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def database_targets(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., str]]:
    """Makes new databases of the test's store by name: a SQLite file path, or the URL of
    a new PostgreSQL database (a copy of the migrated template, or ``empty=True``)."""
    made: list[str] = []
    server: PostgresServer | None = None

    def make(name: str = "stockdesk", *, empty: bool = False) -> str:
        nonlocal server
        if backend == "sqlite":
            return str(tmp_path / f"{name}.db")
        server = request.getfixturevalue("postgres_server")
        database = f"t{next(_numbers)}_{name.replace('-', '_').replace('.', '_')}"
        made.append(database)
        return server.create_database(database, template=None if empty else TEMPLATE)

    yield make
    if server is not None:
        for database in made:
            server.drop_database(database)


@pytest.fixture
def database_target(database_targets: Callable[..., str]) -> str:
    """One database of the test's store: a SQLite file path or a PostgreSQL URL."""
    return database_targets()


CLIENT_SOCKET_TIMEOUT = 10.0
"""baostock's socket has no timeout; tests bound every wait with this one."""


@pytest.fixture(scope="session")
def simulator_market() -> Market:
    """A small market (60 stocks, 4 indices, 1990-12-19 to 2026), shared so its caches are
    reused."""
    return Market(seed=7, stocks=60, indices=4)


@pytest.fixture
def simulator(simulator_market: Market) -> Iterator[SimulatorServer]:
    """A running simulator over :func:`simulator_market` with a fresh fault plan."""
    with SimulatorServer(simulator_market) as server:
        yield server


def close_baostock_socket() -> None:
    """Close and forget the baostock client's module-global socket, if any."""
    sock = getattr(baostock_context, "default_socket", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.close()
        baostock_context.default_socket = None


@pytest.fixture
def baostock_client(simulator: SimulatorServer) -> Iterator:
    """The ``baostock`` module pointed at :func:`simulator`, not logged in.

    Restores the server address and closes the client's global socket afterwards.
    """
    saved = baostock_constants.BAOSTOCK_SERVER_IP, baostock_constants.BAOSTOCK_SERVER_PORT
    baostock_constants.BAOSTOCK_SERVER_IP = simulator.host
    baostock_constants.BAOSTOCK_SERVER_PORT = simulator.port
    try:
        yield baostock
    finally:
        close_baostock_socket()
        baostock_constants.BAOSTOCK_SERVER_IP, baostock_constants.BAOSTOCK_SERVER_PORT = saved


@pytest.fixture
def baostock_session(baostock_client):
    """:func:`baostock_client` logged in, its socket given a timeout so no test can hang."""
    result = baostock_client.login()
    assert result.error_code == "0", result.error_msg
    baostock_context.default_socket.settimeout(CLIENT_SOCKET_TIMEOUT)
    return baostock_client
