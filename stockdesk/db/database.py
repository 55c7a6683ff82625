"""Opening the database: resolve the target, check the folder, migrate, hand out sessions.

Callers never see a raw driver error: every failure becomes a
:class:`~stockdesk.domain.errors.DatabaseError` that names the file and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from stockdesk.db.engine import WRITE_OPTIONS, make_engine
from stockdesk.db.errors import translate_errors
from stockdesk.db.migrate import upgrade
from stockdesk.domain.errors import DatabaseError

DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another connection's lock before it fails."""


class Database:
    """An opened and migrated database.

    Attributes:
        url: the SQLAlchemy URL, as text.
        path: the SQLite file, None for other databases and in-memory ones.
        engine: shared by all threads; sessions and connections are not.
    """

    def __init__(self, engine: Engine, path: Path | None) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.path = path
        self._writer = engine.execution_options(**WRITE_OPTIONS)

    def __repr__(self) -> str:
        return f"Database({self.path or self.engine.url!r})"

    def session(self) -> Session:
        """A new session; the caller uses it in one thread only and closes it."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short-lived session for reads whose driver errors become DatabaseError."""
        with translate_errors(self.path), self.session() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction (``BEGIN IMMEDIATE``) as a session, committed on exit."""
        with (
            translate_errors(self.path),
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def writing_connection(self) -> Iterator[Connection]:
        """One write transaction as a Core connection, for the raw bar upsert."""
        with translate_errors(self.path), self._writer.begin() as connection:
            yield connection

    def connect_writer(self) -> Connection:
        """A connection whose transactions write (``BEGIN IMMEDIATE``), for a transaction
        that spans many calls; the caller commits or rolls back, and closes it."""
        with translate_errors(self.path):
            return self._writer.connect()

    def close(self) -> None:
        """Close every pooled connection; sessions still open keep theirs until closed."""
        self.engine.dispose()


def open_database(
    target: str | os.PathLike[str], *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> Database:
    """Open ``target`` (a SQLAlchemy URL or a SQLite file path) and migrate it to head.

    Folders are created as needed. An existing database that needs migrating is first
    copied to ``<name>.bak-<revision>-<timestamp>``.

    Raises:
        DatabaseError: the file cannot be created, read or written, is locked by another
            program, is damaged, or was made by a newer StockDesk.
    """
    url, path = _resolve(target)
    if path is not None:
        _prepare_folder(path)
    engine = make_engine(url, busy_timeout=busy_timeout)
    try:
        with translate_errors(path):
            upgrade(engine, path)
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, path)


def _resolve(target: str | os.PathLike[str]) -> tuple[URL, Path | None]:
    """The URL to connect to and, for a SQLite file, its absolute path."""
    if isinstance(target, str) and "://" in target:
        url = make_url(target)
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
