"""What the user is told when the database cannot be used, and that nothing is lost."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from dbfactories import make_bars, make_request, success
from sqlalchemy import event

from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database, open_database
from stockdesk.db.errors import database_error
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import DatabaseError

as_root = os.name == "posix" and os.geteuid() == 0
pytestmark = pytest.mark.sqlite_only  # a file's troubles; a server's: test_postgres.py


@pytest.fixture
def other_program(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program's connection to the file, e.g. DBeaver's."""
    connection = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    yield connection
    connection.close()


def test_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    target = blocker / "data" / "stockdesk.db"

    with pytest.raises(DatabaseError, match="无法创建数据库文件夹") as raised:
        open_database(target)

    assert str(blocker / "data") in str(raised.value)


def test_a_folder_given_as_the_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="是一个文件夹"):
        open_database(tmp_path)


@pytest.mark.skipif(as_root, reason="root writes through file permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseError, match="只读"):
            open_database(folder / "stockdesk.db")
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(as_root, reason="root writes through file permissions")
def test_read_only_file(db_path: Path) -> None:
    open_database(db_path).close()
    db_path.chmod(0o444)
    with pytest.raises(DatabaseError, match="只读") as raised:
        open_database(db_path)
    assert str(db_path) in str(raised.value)


@pytest.mark.parametrize(
    ("read_only", "expected"), [("folder", "数据库文件夹"), ("file", "数据库文件 ")]
)
def test_read_only_as_the_permissions_say(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: str, expected: str
) -> None:
    """Root ignores permissions, so ask os.access what it would say to a normal user."""
    open_database(db_path).close()
    denied = db_path.parent if read_only == "folder" else db_path
    monkeypatch.setattr("stockdesk.db.database.os.access", lambda path, _mode: Path(path) != denied)

    with pytest.raises(DatabaseError, match="只读") as raised:
        open_database(db_path)

    assert str(raised.value).startswith(expected)


def test_read_only_message_from_sqlite() -> None:
    error = database_error(
        sqlite3.OperationalError("attempt to write a readonly database"), Path("/d/s.db")
    )
    assert "/d/s.db" in str(error) and "只读" in str(error) and "写权限" in str(error)


def test_damaged_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "stockdesk.db"
    junk = bytes(range(256)) * 64
    path.write_bytes(junk)

    with pytest.raises(DatabaseError, match="已损坏") as raised:
        open_database(path)

    message = str(raised.value)
    assert str(path) in message and "没有改动" in message and ".bak" in message
    assert path.read_bytes() == junk


def test_malformed_message() -> None:
    error = database_error(
        sqlite3.DatabaseError("database disk image is malformed"), Path("/d/s.db")
    )
    assert "已损坏" in str(error) and "备份" in str(error)


def test_write_while_another_program_holds_the_lock(
    db: Database, log: JobLog, other_program: sqlite3.Connection
) -> None:
    other_program.execute("BEGIN EXCLUSIVE")

    with pytest.raises(DatabaseError, match="正被其他程序锁定") as raised:
        log.start_job(make_request())

    assert str(db.path) in str(raised.value)
    other_program.execute("ROLLBACK")
    assert log.start_job(make_request()).id


def test_open_while_another_program_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
        other.execute("BEGIN EXCLUSIVE")

        with pytest.raises(DatabaseError, match="锁定"):
            open_database(path, busy_timeout=0.1)


def test_disk_full_keeps_what_was_committed(db: Database, log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 20))])
    before = log.get_job(job.id)
    with db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(db.engine, "connect")
    def _small_disk(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.engine.dispose()

    with pytest.raises(DatabaseError, match="磁盘空间不足") as raised:
        store.commit_stocks(job.id, [(success("sz.000001"), make_bars("sz.000001", 5000))])

    assert str(db.path) in str(raised.value)
    event.remove(db.engine, "connect", _small_disk)
    db.engine.dispose()
    assert store.count_bars() == 20
    assert log.get_job(job.id) == before
    assert log.done_codes(job.id) == {"sh.600000"}


def test_unrecognised_failure_still_names_the_file() -> None:
    error = database_error(sqlite3.OperationalError("no such table: x"), Path("/d/s.db"))
    assert str(error) == "数据库文件 /d/s.db 操作失败：no such table: x"
