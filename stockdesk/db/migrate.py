"""Bringing a database to the schema this version of StockDesk expects.

Alembic is configured in code, with ``script_location`` pointing at the ``migrations``
folder next to this module: the revisions are plain Python files inside the package, so
they travel with a wheel or a PyInstaller bundle and no ``alembic.ini`` is read at run time.

An existing SQLite database is copied before it is upgraded: a migration that goes wrong
on an analyst's years of collected data must leave them a file to go back to. On
PostgreSQL the whole upgrade is one transaction (its DDL is transactional), serialised
between processes and machines by a transaction-level advisory lock; backing up a server
is its administrator's business (``pg_dump``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

from stockdesk.db.engine import WRITE_OPTIONS
from stockdesk.db.errors import Where, describe
from stockdesk.domain.errors import DatabaseError

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATE_LOCK_KEY = 0x5354_4B44_4D49_4752  # "STKDMIGR"
"""PostgreSQL advisory lock key that serialises migrations of one database."""


def alembic_config() -> Config:
    """An Alembic configuration that needs no file on disk."""
    config = Config()
    # ConfigParser interpolation would read a "%" in the install path as a directive.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The revision this version of StockDesk creates and expects."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the database, None for a new or foreign one."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(
    engine: Engine, path: Path | None, *, now: dt.datetime | None = None, where: Where = None
) -> Path | None:
    """Migrate the database to head; return the backup made first, if one was needed.

    A database already at head costs one read. Otherwise the check is repeated inside a
    ``BEGIN IMMEDIATE`` transaction (on PostgreSQL: after taking an advisory lock), so
    that two processes opening a new database at the same moment migrate it once; a
    SQLite database that has tables but an older (or no) revision is backed up before
    anything changes. ``where`` names the database in messages (default: ``path``).
    """
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return None
        connection.rollback()
        connection.execution_options(**WRITE_OPTIONS)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK_KEY}
                )
            current = current_revision(connection)
            if current == head:
                return None
            _check_known(script, current, where if where is not None else path)
            backup = None
            if path is not None and inspect(connection).get_table_names():
                backup = backup_database(path, current, now=now)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return backup


def backup_database(path: Path, revision: str | None, *, now: dt.datetime | None = None) -> Path:
    """Copy the SQLite file ``path`` to ``<name>.bak-<revision>-<timestamp>`` beside it.

    The online backup API copies a consistent snapshot even while another connection
    writes and folds in the WAL, which copying the file alone would miss.

    Raises:
        DatabaseError: the copy could not be written; nothing was changed.
    """
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d_%H%M%S")
    target = path.with_name(f"{path.name}.bak-{revision or 'none'}-{stamp}")
    try:
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(
            f"升级数据库 {path} 之前无法创建备份 {target.name}（{exc}），数据库没有被改动。"
            "请确认磁盘空间充足、文件夹可写后重试。"
        ) from exc
    return target


def _check_known(script: ScriptDirectory, revision: str | None, where: Where) -> None:
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError as exc:
        if isinstance(where, URL):
            shown = (
                f"PostgreSQL 服务器 {where.host or 'localhost'}:{where.port or 5432} "
                f"上的数据库 {where.database or ''}（{describe(where)}）"
            )
        else:
            shown = f"数据库 {where or ''}"
        raise DatabaseError(
            f"{shown} 由更新版本的 StockDesk 创建（数据库版本 {revision}），"
            "当前程序无法使用它，也没有改动它。请升级 StockDesk，或选择另一个数据库。"
        ) from exc
