"""Opening the database: resolve the target, check the folder, migrate, hand out sessions.

Callers never see a raw driver error: every failure becomes a
:class:`~stockdesk.domain.errors.DatabaseError` that names the file (or the PostgreSQL
server and database, password masked) and what to do.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from stockdesk.db.engine import WRITE_OPTIONS, is_postgresql, make_engine, normalise_url
from stockdesk.db.errors import Where, describe, translate_errors
from stockdesk.db.migrate import upgrade
from stockdesk.domain.errors import DatabaseError

DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another connection's lock before it fails."""

PasswordLookup = Callable[[str, str, int, str], str | None]
"""``(user, host, port, database)`` to a saved password, or None (libpq then reads
``PGPASSWORD`` and ``~/.pgpass``)."""


class Database:
    """An opened and migrated database.

    Attributes:
        url: the SQLAlchemy URL, as text, with any password masked: safe to show and log.
        path: the SQLite file, None for other databases and in-memory ones.
        where: what messages name: the SQLite file, or the server's URL.
        postgresql: whether it is a PostgreSQL server.
        engine: shared by all threads; sessions and connections are not.
    """

    def __init__(self, engine: Engine, path: Path | None) -> None:
        self.engine = engine
        self.url = describe(engine.url)
        self.path = path
        self.postgresql = is_postgresql(engine.url)
        self.where: Where = engine.url if self.postgresql else path
        self._writer = engine.execution_options(**WRITE_OPTIONS)
        self._held: dict[str, Connection] = {}
        self._held_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({self.path or self.url!r})"

    def login(self) -> tuple[str, str, int, str] | None:
        """``(user, host, port, database)`` of a PostgreSQL server; None for SQLite."""
        if not self.postgresql:
            return None
        url = self.engine.url
        return (url.username or "", url.host or "localhost", url.port or 5432, url.database or "")

    def session(self) -> Session:
        """A new session; the caller uses it in one thread only and closes it."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short-lived session for reads whose driver errors become DatabaseError."""
        with translate_errors(self.where), self.session() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction (``BEGIN IMMEDIATE``) as a session, committed on exit."""
        with (
            translate_errors(self.where),
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def writing_connection(self) -> Iterator[Connection]:
        """One write transaction as a Core connection, for the raw bar upsert."""
        with translate_errors(self.where), self._writer.begin() as connection:
            yield connection

    def connect_writer(self) -> Connection:
        """A connection whose transactions write (``BEGIN IMMEDIATE``), for a transaction
        that spans many calls; the caller commits or rolls back, and closes it."""
        with translate_errors(self.where):
            return self._writer.connect()

    def hold(self, key: str, connection: Connection) -> None:
        """Keep ``connection`` open under ``key`` until :meth:`release` (or :meth:`close`):
        a connection whose session holds a lock for as long as a job runs."""
        with self._held_lock:
            self._held[key] = connection

    def held(self, key: str) -> Connection | None:
        """The connection held under ``key``, still held; None if there is none."""
        with self._held_lock:
            return self._held.get(key)

    def release(self, key: str) -> Connection | None:
        """The connection held under ``key``, no longer held; None if there is none."""
        with self._held_lock:
            return self._held.pop(key, None)

    def close(self) -> None:
        """Close every pooled connection; sessions still open keep theirs until closed.

        Connections still held (a job's gate) are closed too, which releases their locks.
        """
        with self._held_lock:
            held, self._held = list(self._held.values()), {}
        for connection in held:
            with suppress(Exception):
                connection.invalidate()
                connection.close()
        self.engine.dispose()


def open_database(
    target: str | os.PathLike[str],
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    password: PasswordLookup | None = None,
) -> Database:
    """Open ``target`` (a SQLAlchemy URL or a SQLite file path) and migrate it to head.

    Folders are created as needed. An existing SQLite database that needs migrating is
    first copied to ``<name>.bak-<revision>-<timestamp>``. A PostgreSQL URL without a
    password asks ``password`` (the OS keyring) for one; without an answer, libpq reads
    ``PGPASSWORD`` and ``~/.pgpass`` as usual.

    Raises:
        DatabaseError: the file cannot be created, read or written, is locked by another
            program, is damaged, or was made by a newer StockDesk; the server cannot be
            reached, refuses the login or has no such database.
    """
    url, path = _resolve(target)
    if path is not None:
        _prepare_folder(path)
    if is_postgresql(url) and not url.password and password is not None:
        saved = password(
            url.username or "", url.host or "localhost", url.port or 5432, url.database or ""
        )
        if saved:
            url = url.set(password=saved)
    engine = make_engine(url, busy_timeout=busy_timeout)
    where: Where = url if is_postgresql(url) else path
    try:
        with translate_errors(where):
            upgrade(engine, path, where=where)
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, path)


def _resolve(target: str | os.PathLike[str]) -> tuple[URL, Path | None]:
    """The URL to connect to and, for a SQLite file, its absolute path."""
    if isinstance(target, str) and "://" in target:
        try:
            url = normalise_url(make_url(target))
        except (ArgumentError, ValueError) as exc:
            shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", target)
            raise DatabaseError(
                f"数据库地址格式错误：{shown}（{exc}）。PostgreSQL 的格式是 "
                "postgresql://用户@主机:端口/数据库；SQLite 直接写文件路径。"
            ) from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise DatabaseError(
                f"不支持的数据库：{describe(url)}。StockDesk 支持 SQLite 文件和 PostgreSQL 服务器"
                "（postgresql://用户@主机:端口/数据库）。"
            )
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return url, None
        if url.query.get("uri") or url.database.startswith("file:"):
            return url, None
        path = Path(url.database).expanduser().absolute()
        return url.set(database=str(path)), path
    path = Path(target).expanduser().absolute()
    return URL.create("sqlite+pysqlite", database=str(path)), path


def _prepare_folder(path: Path) -> None:
    """Create the folder and fail early, with a clear message, where SQLite cannot write.

    SQLite opens a read-only file without complaint and fails only at the first write;
    WAL mode also needs to create ``-wal`` and ``-shm`` files next to the database.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"无法创建数据库文件夹 {folder}（{exc.strerror or exc}）。"
            "请确认路径正确、上级文件夹可写，或选择另一个位置。"
        ) from exc
    if path.is_dir():
        raise DatabaseError(f"{path} 是一个文件夹，不是数据库文件。请选择一个文件。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseError(
            f"数据库文件夹 {folder} 是只读的，无法在其中写入数据库文件 {path.name}。"
            "请检查文件夹的写权限，或选择一个可写的位置。"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseError(
            f"数据库文件 {path} 是只读的，无法写入。请检查文件的权限（或“只读”属性），"
            "或选择另一个数据库文件。"
        )
