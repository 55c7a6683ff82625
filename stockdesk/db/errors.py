"""Terse driver failures turned into :class:`DatabaseError` messages a user can act on.

An analyst who sees ``database is locked`` does not know that DBeaver holds the file; the
messages here name the file (or, for PostgreSQL, the server and database), say what
happened in Chinese and what to do about it. The driver's English wording stays in
brackets so a support request can be searched for. A PostgreSQL URL is always shown with
its password masked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from stockdesk.domain.errors import DatabaseError

_BUGS = (
    sa_exc.ProgrammingError,
    sa_exc.IntegrityError,
    sa_exc.InterfaceError,
    sa_exc.DataError,
    sa_exc.NotSupportedError,
    sqlite3.ProgrammingError,
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.DataError,
    sqlite3.NotSupportedError,
)
"""Driver errors that mean our code is wrong, not the file: they propagate unchanged."""

# SQLite result code names (Python 3.11+ ``sqlite_errorname``) and the wording of each.
_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED", "database is locked", "database table is locked")
_DAMAGED = (
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "file is not a database",
    "database disk image is malformed",
)
_FULL = ("SQLITE_FULL", "database or disk is full")
_READ_ONLY = ("SQLITE_READONLY", "readonly database", "read-only")
_CANT_OPEN = ("SQLITE_CANTOPEN", "unable to open database file")

Where = Path | URL | None
"""What a database is, for messages: a SQLite file, a server's URL, or unknown."""

# PostgreSQL (libpq and server) wording, and SQLSTATE codes where the server sends one.
_PG_UNREACHABLE = (
    "connection refused",
    "could not translate host name",
    "failed to resolve host",
    "name or service not known",
    "timeout expired",
    "no route to host",
    "network is unreachable",
    "could not connect to server",
    "connection timed out",
)
_PG_BAD_LOGIN = (
    "password authentication failed",
    "no password supplied",
    'role "',
    "pg_hba.conf",
    "authentication failed",
)
_PG_NO_DATABASE = ("3D000",)
_PG_DENIED = ("42501",)
_PG_FULL = ("53100",)
_PG_GONE = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection already closed",
    "consuming input failed",
    "ssl syscall error",
)


def describe(url: URL) -> str:
    """``url`` as it may be shown or logged: the password masked."""
    return url.render_as_string(hide_password=True)


def _where(where: Where) -> str:
    if isinstance(where, URL):
        return f"PostgreSQL 数据库 {where.database or ''}（{describe(where)}）"
    return f"数据库文件 {where}" if where else "数据库"


def database_error(exc: BaseException, where: Where) -> DatabaseError:
    """The :class:`DatabaseError` to show for a driver or SQLAlchemy error on ``where``."""
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig)
    if isinstance(where, URL):
        return _postgres_error(orig, detail.strip(), where)
    haystack = f"{getattr(orig, 'sqlite_errorname', '')} {detail}".lower()
    place = _where(where)

    def has(words: tuple[str, ...]) -> bool:
        return any(word.lower() in haystack for word in words)

    if has(_DAMAGED):
        return DatabaseError(
            f"{place} 已损坏或不是 SQLite 数据库（{detail}）。StockDesk 没有改动这个文件。"
            "请用同一文件夹中的备份（.bak-…）恢复，或选择另一个数据库文件。"
        )
    if has(_FULL):
        return DatabaseError(
            f"磁盘空间不足，无法写入{place}（{detail}）。已经保存的数据不受影响；"
            "请清理磁盘空间后重试，或把数据库放到空间更大的磁盘上。"
        )
    if has(_LOCKED):
        return DatabaseError(
            f"{place} 正被其他程序锁定（{detail}）。请关闭正在使用它的程序"
            "（例如 DBeaver、Excel 或另一个 StockDesk）后重试。"
        )
    if has(_READ_ONLY):
        return DatabaseError(
            f"{place} 是只读的，无法写入（{detail}）。请检查文件及其所在文件夹的写权限，"
            "或选择一个可写的位置。"
        )
    if has(_CANT_OPEN):
        return DatabaseError(
            f"无法打开{place}（{detail}）。请确认所在文件夹存在且可写，或选择另一个位置。"
        )
    return DatabaseError(f"{place} 操作失败：{detail}")


def _postgres_error(orig: BaseException, detail: str, url: URL) -> DatabaseError:
    """Messages for a PostgreSQL server: which server, which database, what to do."""
    host = f"{url.host or 'localhost'}:{url.port or 5432}"
    name = url.database or ""
    user = url.username or ""
    state = getattr(orig, "sqlstate", None) or ""
    text = detail.lower()
    # The URL as given may carry a password; the driver's text never does, but mask it
    # anyway should a future driver echo its connection string.
    if url.password:
        detail = detail.replace(str(url.password), "***")
    shown = describe(url)

    def has(words: tuple[str, ...]) -> bool:
        return state in words or any(word.lower() in text for word in words)

    if has(_PG_NO_DATABASE) or f'database "{name}" does not exist' in detail:
        return DatabaseError(
            f"PostgreSQL 服务器 {host} 上没有数据库 {name}（{shown}）。StockDesk 没有做任何改动。"
            "请让管理员创建这个数据库（CREATE DATABASE），或检查数据库名称。"
        )
    if has(_PG_BAD_LOGIN):
        return DatabaseError(
            f"无法以用户 {user} 登录 PostgreSQL 服务器 {host} 的数据库 {name}"
            f"（{shown}）：用户名或密码错误（{detail}）。StockDesk 没有做任何改动。"
            "请检查用户名和密码（系统钥匙串、~/.pgpass 或 PGPASSWORD）。"
        )
    if has(_PG_UNREACHABLE):
        return DatabaseError(
            f"无法连接 PostgreSQL 服务器 {host}（数据库 {name}，{shown}）：{detail}。"
            "StockDesk 没有做任何改动。请确认服务器地址和端口正确、服务器正在运行，"
            "并且网络和防火墙允许连接。"
        )
    if has(_PG_DENIED):
        return DatabaseError(
            f"用户 {user} 在 PostgreSQL 服务器 {host} 的数据库 {name} 上没有所需的权限"
            f"（{detail}）。采集需要写入权限；只读的分析账号只能查看数据。"
            "请让管理员授予权限（见 README“团队数据库”一节）。"
        )
    if has(_PG_FULL):
        return DatabaseError(
            f"PostgreSQL 服务器 {host} 的磁盘空间不足，无法写入数据库 {name}（{detail}）。"
            "已经保存的数据不受影响；请让管理员清理磁盘空间后重试。"
        )
    if has(_PG_GONE):
        return DatabaseError(
            f"与 PostgreSQL 服务器 {host}（数据库 {name}）的连接中断（{detail}）。"
            "已经提交的数据不受影响；请确认服务器可用后重试或继续该任务。"
        )
    return DatabaseError(f"PostgreSQL 服务器 {host} 的数据库 {name} 操作失败：{detail}")


def denied(error: BaseException) -> bool:
    """Whether ``error`` (or the driver error it was raised from) is PostgreSQL refusing
    the user a right, as it refuses a read-only account a write."""
    cause: BaseException | None = error
    while cause is not None:
        orig = getattr(cause, "orig", None) or cause
        if getattr(orig, "sqlstate", None) in _PG_DENIED:
            return True
        cause = cause.__cause__
    return False


def is_translatable(exc: BaseException) -> bool:
    """Whether ``exc`` is about the database rather than a bug in a statement.

    A refused permission is a PostgreSQL ``ProgrammingError`` but about the user's rights,
    not our SQL: a read-only analyst's account must get a message, not a traceback.
    """
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) in _PG_DENIED:
        return True
    return isinstance(exc, sa_exc.DBAPIError | sqlite3.Error) and not isinstance(exc, _BUGS)


@contextmanager
def translate_errors(where: Where) -> Iterator[None]:
    """Re-raise database failures inside the block as :class:`DatabaseError`."""
    try:
        yield
    except (sa_exc.DBAPIError, sqlite3.Error) as exc:
        if not is_translatable(exc):
            raise
        raise database_error(exc, where) from exc
