"""The engine: SQLite tuned for one writer and many readers, or a PostgreSQL server.

Every connection runs in WAL mode (analysts may read the file with DBeaver while a job
writes), ``synchronous=NORMAL`` (durable at each checkpoint, several times faster than
FULL), with foreign keys on and a busy timeout so short overlaps wait instead of failing.

SQLAlchemy emits BEGIN itself (the recipe of its SQLite documentation) because Python
3.11's ``sqlite3`` would not begin a transaction before a SELECT. Connections carrying
:data:`WRITE_OPTIONS` begin with ``BEGIN IMMEDIATE``, so that a check-then-insert (the
one-job gate) cannot interleave with another process and a writer waits for the lock up
front rather than failing half-way when a read transaction cannot be upgraded.

PostgreSQL needs none of that: readers never wait for writers (MVCC), and the one-job
gate is an advisory lock (:mod:`stockdesk.db.gate`). Its URLs are normalised to the
psycopg 3 driver, so ``postgresql://user@host/db`` works as a user would type it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL

_BEGIN_OPTION = "stockdesk_begin"

WRITE_OPTIONS: dict[str, Any] = {_BEGIN_OPTION: "IMMEDIATE"}
"""Execution options of a connection whose transactions will write."""


POSTGRES_DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT = 10
"""Seconds to wait for a PostgreSQL server to answer a connection: a wrong host fails in
that time instead of hanging the command or the window's open."""


def is_postgresql(url: URL) -> bool:
    """Whether ``url`` names a PostgreSQL server."""
    return url.get_backend_name() == "postgresql"


def normalise_url(url: URL) -> URL:
    """``url`` with PostgreSQL's driver set to psycopg 3 (``postgresql://``, the spelling
    libpq and every guide use, would otherwise ask SQLAlchemy for psycopg2)."""
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        return url.set(drivername=POSTGRES_DRIVER)
    return url


def make_engine(url: URL, *, busy_timeout: float) -> Engine:
    """An engine for ``url``; SQLite connections get the pragmas and BEGIN handling."""
    if is_postgresql(url):
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "StockDesk"},
        )
    if url.get_backend_name() != "sqlite":
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": busy_timeout})
    milliseconds = int(busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver; _begin emits it (see the module doc).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={milliseconds}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
