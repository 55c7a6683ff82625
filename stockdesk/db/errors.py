"""SQLite's terse failures turned into :class:`DatabaseError` messages a user can act on.

An analyst who sees ``database is locked`` does not know that DBeaver holds the file; the
messages here name the file, say what happened in Chinese and what to do about it. The
English SQLite wording stays in brackets so a support request can be searched for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import exc as sa_exc

from stockdesk.domain.errors import DatabaseError

_BUGS = (
    sa_exc.ProgrammingError, sa_exc.IntegrityError, sa_exc.InterfaceError, sa_exc.DataError,
    sa_exc.NotSupportedError, sqlite3.ProgrammingError, sqlite3.IntegrityError,
    sqlite3.InterfaceError, sqlite3.DataError, sqlite3.NotSupportedError,
)
"""Driver errors that mean our code is wrong, not the file: they propagate unchanged."""

# SQLite result code names (Python 3.11+ ``sqlite_errorname``) and the wording of each.
_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED", "database is locked", "database table is locked")
_DAMAGED = (
    "SQLITE_NOTADB", "SQLITE_CORRUPT", "file is not a database",
    "database disk image is malformed",
)
_FULL = ("SQLITE_FULL", "database or disk is full")
_READ_ONLY = ("SQLITE_READONLY", "readonly database", "read-only")
_CANT_OPEN = ("SQLITE_CANTOPEN", "unable to open database file")


def _where(path: Path | None) -> str:
    return f"数据库文件 {path}" if path else "数据库"


def database_error(exc: BaseException, path: Path | None) -> DatabaseError:
    """The :class:`DatabaseError` to show for a driver or SQLAlchemy error on ``path``."""
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig)
    haystack = f"{getattr(orig, 'sqlite_errorname', '')} {detail}".lower()
    where = _where(path)

    def has(words: tuple[str, ...]) -> bool:
        return any(word.lower() in haystack for word in words)

    if has(_DAMAGED):
        return DatabaseError(
            f"{where} 已损坏或不是 SQLite 数据库（{detail}）。StockDesk 没有改动这个文件。"
            "请用同一文件夹中的备份（.bak-…）恢复，或选择另一个数据库文件。"
        )
    if has(_FULL):
        return DatabaseError(
            f"磁盘空间不足，无法写入{where}（{detail}）。已经保存的数据不受影响；"
            "请清理磁盘空间后重试，或把数据库放到空间更大的磁盘上。"
        )
    if has(_LOCKED):
        return DatabaseError(
            f"{where} 正被其他程序锁定（{detail}）。请关闭正在使用它的程序"
            "（例如 DBeaver、Excel 或另一个 StockDesk）后重试。"
        )
    if has(_READ_ONLY):
        return DatabaseError(
            f"{where} 是只读的，无法写入（{detail}）。请检查文件及其所在文件夹的写权限，"
            "或选择一个可写的位置。"
        )
    if has(_CANT_OPEN):
        return DatabaseError(
            f"无法打开{where}（{detail}）。请确认所在文件夹存在且可写，或选择另一个位置。"
        )
    return DatabaseError(f"{where} 操作失败：{detail}")


def is_translatable(exc: BaseException) -> bool:
    """Whether ``exc`` is about the database file rather than a bug in a statement."""
    return isinstance(exc, sa_exc.DBAPIError | sqlite3.Error) and not isinstance(exc, _BUGS)


@contextmanager
def translate_errors(path: Path | None) -> Iterator[None]:
    """Re-raise database failures inside the block as :class:`DatabaseError`."""
    try:
        yield
    except (sa_exc.DBAPIError, sqlite3.Error) as exc:
        if not is_translatable(exc):
            raise
        raise database_error(exc, path) from exc
