"""The schema analysts see, and migrating (with a backup) when a database is opened."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from dbfactories import make_bars, make_request, success
from sqlalchemy import inspect, select
from support.dbread import read_rows

from stockdesk.db import migrate
from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog
from stockdesk.db.models import Base, DailyBarRow
from stockdesk.domain.errors import DatabaseError
from stockdesk.domain.values import BAR_COLUMNS

COLUMNS = {
    "security": ["code", "name", "type", "status", "ipo_date", "out_date"],
    "daily_bar": list(BAR_COLUMNS),
    "collection_job": [
        "id",
        "status",
        "progress",
        "total_stocks",
        "processed_stocks",
        "success_count",
        "failed_count",
        "collected_count",
        "skipped_count",
        "start_time",
        "end_time",
        "error_message",
        "start_date",
        "end_date",
        "adjustflag",
        "universe",
        "codes",
        "resumes",
        "strategy",
        "owner_pid",
        "owner_host",
        "owner_started",
        "heartbeat_at",
        "frequency",
    ],
    "job_item": [
        "id",
        "job_id",
        "code",
        "name",
        "status",
        "rows",
        "attempts",
        "error_code",
        "error_message",
        "finished_at",
        "frequency",
    ],
    "adjust_factor": [
        "code",
        "divid_operate_date",
        "fore_adjust_factor",
        "back_adjust_factor",
        "adjust_factor",
    ],
    "factor_coverage": ["code", "checked_through"],
    "bar_coverage": ["code", "adjustflag", "first_day", "last_day", "rows", "missing_days"],
    "trade_calendar": ["calendar_date", "is_trading_day"],
    "frame_coverage": [
        "code",
        "frequency",
        "adjustflag",
        "first_day",
        "last_day",
        "rows",
        "complete_from",
        "complete_through",
    ],
    "coverage_pending": ["job_id"],
    "period_bar": [
        "code",
        "frequency",
        "adjustflag",
        "date",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "amount",
        "turn",
        "pct_chg",
    ],
    "minute_bar": [
        "code",
        "frequency",
        "adjustflag",
        "bar_time",
        "trading_day",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "amount",
    ],
}


def sqlite_types(path: Path, table: str) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as connection:
        return {row[1]: row[2] for row in connection.execute(f"PRAGMA table_info({table})")}


def test_tables_and_columns(db: Database) -> None:
    inspector = inspect(db.engine)
    assert set(inspector.get_table_names()) == {*COLUMNS, "alembic_version"}
    for table, columns in COLUMNS.items():
        assert [column["name"] for column in inspector.get_columns(table)] == columns
    assert inspector.get_pk_constraint("daily_bar")["constrained_columns"] == [
        "code",
        "date",
        "adjustflag",
    ]
    assert inspector.get_pk_constraint("adjust_factor")["constrained_columns"] == [
        "code",
        "divid_operate_date",
    ]
    assert inspector.get_pk_constraint("period_bar")["constrained_columns"] == [
        "code",
        "frequency",
        "adjustflag",
        "date",
    ]
    assert inspector.get_pk_constraint("minute_bar")["constrained_columns"] == [
        "code",
        "frequency",
        "adjustflag",
        "bar_time",
    ]
    assert inspector.get_pk_constraint("bar_coverage")["constrained_columns"] == [
        "code",
        "adjustflag",
    ]
    assert [u["column_names"] for u in inspector.get_unique_constraints("job_item")] == [
        ["job_id", "code", "frequency"],
    ]
    assert inspector.get_pk_constraint("frame_coverage")["constrained_columns"] == [
        "code",
        "frequency",
        "adjustflag",
    ]
    assert inspector.get_foreign_keys("job_item")[0]["referred_table"] == "collection_job"
    assert [i["column_names"] for i in inspector.get_indexes("collection_job")] == [
        ["start_time"],
    ]


@pytest.mark.sqlite_only
def test_types_as_an_analyst_sees_them(db: Database) -> None:
    bar = sqlite_types(db.path, "daily_bar")
    assert bar["date"] == "DATE"
    assert {bar[name] for name in ("open", "close", "amount", "turn", "pe_ttm")} == {"REAL"}
    assert {bar[name] for name in ("volume", "tradestatus", "is_st")} == {"INTEGER"}
    assert sqlite_types(db.path, "collection_job")["owner_started"] == "REAL"


@pytest.mark.postgresql_only
def test_postgresql_types(db: Database) -> None:
    """On a server the columns get PostgreSQL's own types: dates are ``date``, prices
    ``double precision`` and volumes ``bigint``."""
    inspector = inspect(db.engine)
    bar = {c["name"]: str(c["type"]) for c in inspector.get_columns("daily_bar")}
    assert bar["date"] == "DATE"
    assert {bar[name] for name in ("open", "close", "amount", "turn", "pe_ttm")} == {
        "DOUBLE PRECISION"
    }
    assert bar["volume"] == "BIGINT"
    assert {bar[name] for name in ("tradestatus", "is_st")} == {"INTEGER"}
    job = {c["name"]: str(c["type"]) for c in inspector.get_columns("collection_job")}
    assert (job["start_time"], job["collected_count"], job["owner_started"]) == (
        "TIMESTAMP",
        "BIGINT",
        "DOUBLE PRECISION",
    )


@pytest.mark.postgresql_only
def test_pandas_reads_a_server_database(db: Database, log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 3))])
    frame = pd.read_sql("SELECT * FROM daily_bar ORDER BY date", db.engine)
    assert list(frame.columns) == list(BAR_COLUMNS)
    for name in BAR_COLUMNS[3:]:
        assert pd.api.types.is_numeric_dtype(frame[name]), name
    assert frame["ps_ttm"].isna().tolist() == [True, False, False]
    assert frame["date"].tolist() == [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4)]


@pytest.mark.postgresql_only
def test_connections_opening_a_new_server_database_together_migrate_it_once(
    database_targets,
) -> None:
    target = database_targets(empty=True)
    errors: list[BaseException] = []

    def open_close() -> None:
        try:
            open_database(target).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db = open_database(target)
    try:
        with db.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
    finally:
        db.close()


def test_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


@pytest.mark.sqlite_only
def test_pandas_reads_numbers_and_nulls(db: Database, log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 3))])
    with closing(sqlite3.connect(db.path)) as connection:
        frame = pd.read_sql("SELECT * FROM daily_bar", connection)
    assert list(frame.columns) == list(BAR_COLUMNS)
    for name in BAR_COLUMNS[3:]:
        assert pd.api.types.is_numeric_dtype(frame[name]), name
    assert frame["ps_ttm"].isna().tolist() == [True, False, False]
    assert frame["date"].tolist() == ["2024-01-02", "2024-01-03", "2024-01-04"]


def test_iso_text_dates_read_back_as_dates(db: Database, log: JobLog, store: BarStore) -> None:
    job = log.start_job(make_request())
    store.commit_stocks(job.id, [(success("sh.600000"), make_bars("sh.600000", 2))])
    with db.session() as session:
        dates = session.scalars(select(DailyBarRow.date).order_by(DailyBarRow.date)).all()
    assert dates == [dt.date(2024, 1, 2), dt.date(2024, 1, 3)]


@pytest.mark.sqlite_only
def test_wal_and_pragmas(db: Database) -> None:
    with db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 500


def test_new_file_needs_no_backup(db_path: Path) -> None:
    open_database(db_path).close()
    assert [p.name for p in db_path.parent.iterdir() if ".bak-" in p.name] == []


def test_reopening_runs_no_migration(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_database(db_path).close()

    def fail(*_args: object) -> None:
        raise AssertionError("migrated a database already at head")

    monkeypatch.setattr(migrate.command, "upgrade", fail)
    open_database(str(db_path)).close()
    open_database(f"sqlite:///{db_path}").close()
    assert [p.name for p in db_path.parent.iterdir() if ".bak-" in p.name] == []


def test_existing_database_is_backed_up_before_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")

    db = open_database(path)
    db.close()

    (backup,) = tmp_path.glob("old.db.bak-none-*")
    with closing(sqlite3.connect(backup)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT text FROM notes").fetchall() == [("keep me",)]
        assert connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'daily_bar'"
        ).fetchone() == (0,)
    assert "daily_bar" in inspect(open_database(path).engine).get_table_names()


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_copy_including_the_wal(db: Database, log: JobLog) -> None:
    job = log.start_job(make_request())  # committed to the WAL, not yet checkpointed
    now = dt.datetime(2024, 5, 6, 7, 8, 9)

    backup = migrate.backup_database(db.path, "0001", now=now)

    assert backup.name == "stockdesk.db.bak-0001-20240506_070809"
    with closing(sqlite3.connect(backup)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT id FROM collection_job").fetchall() == [(job.id,)]


@pytest.mark.sqlite_only
def test_backup_failure_is_a_database_error(db: Database, tmp_path: Path) -> None:
    (tmp_path / "data" / "stockdesk.db.bak-0001-20240506_070809").mkdir()
    with pytest.raises(DatabaseError, match="无法创建备份"):
        migrate.backup_database(db.path, "0001", now=dt.datetime(2024, 5, 6, 7, 8, 9))


def test_database_of_a_newer_version_is_refused_unchanged(db_path: Path) -> None:
    open_database(db_path).close()
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = db_path.read_bytes()

    with pytest.raises(DatabaseError, match="更新版本") as raised:
        open_database(db_path)

    assert str(db_path) in str(raised.value)
    assert db_path.read_bytes() == before
    assert list(db_path.parent.glob("*.bak-*")) == []


def test_bars_stored_before_coverage_get_their_summary(
    backend: str, database_targets: Callable[..., str]
) -> None:
    """A database of the first schema, bars and all, gets its coverage summary from
    them when it is opened (the 0002 migration), on either store."""
    from alembic import command
    from sqlalchemy import create_engine

    target = database_targets("v1", empty=True)
    engine = create_engine(f"sqlite:///{target}" if backend == "sqlite" else target)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO daily_bar (code, date, adjustflag, close) VALUES "
            "('sh.600000', '2024-01-02', '3', 1.0), ('sh.600000', '2024-01-04', '3', 1.1), "
            "('sh.600000', '2024-01-03', '2', 1.0), ('sz.000001', '2024-01-05', '3', 2.0)"
        )
    engine.dispose()

    db = open_database(target)
    try:
        rows = read_rows(
            db,
            "SELECT code, adjustflag, first_day, last_day, rows, "
            "missing_days FROM bar_coverage ORDER BY 1, 2",
        )
    finally:
        db.close()
    assert rows == [
        ("sh.600000", "2", "2024-01-03", "2024-01-03", 1, None),
        ("sh.600000", "3", "2024-01-02", "2024-01-04", 2, None),
        ("sz.000001", "3", "2024-01-05", "2024-01-05", 1, None),
    ]


def test_frames_stored_before_their_coverage_get_it_and_items_their_frequency(
    backend: str, database_targets: Callable[..., str]
) -> None:
    """A database of the 0003 schema with weekly and minute bars gets their
    ``frame_coverage`` (stored days taken as complete, as jobs stored only complete
    stocks), and its job items the frequency of their job (the 0004 migration)."""
    from alembic import command
    from sqlalchemy import create_engine

    target = database_targets("v3", empty=True)
    engine = create_engine(f"sqlite:///{target}" if backend == "sqlite" else target)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003_frequencies")
        connection.exec_driver_sql(
            "INSERT INTO period_bar (code, frequency, adjustflag, date, close) VALUES "
            "('sh.600000', 'w', '3', '2024-01-05', 1.0), "
            "('sh.600000', 'w', '3', '2024-01-12', 1.1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO minute_bar (code, frequency, adjustflag, bar_time, trading_day) "
            "VALUES ('sz.000001', '60', '3', '2024-01-02 10:30:00', '2024-01-02'), "
            "('sz.000001', '60', '3', '2024-01-03 10:30:00', '2024-01-03')"
        )
        connection.exec_driver_sql(
            "INSERT INTO collection_job (id, status, progress, total_stocks, "
            "processed_stocks, success_count, failed_count, collected_count, "
            "skipped_count, start_time, start_date, end_date, adjustflag, universe, "
            "frequency) VALUES ('historical_collection_20240105_150000_1', 'completed', "
            "100, 1, 1, 1, 0, 2, 0, '2024-01-05 15:00:00', '2024-01-01', '2024-01-12', "
            "'3', 'codes', 'w')"
        )
        connection.exec_driver_sql(
            "INSERT INTO job_item (job_id, code, status, rows, attempts) VALUES "
            "('historical_collection_20240105_150000_1', 'sh.600000', 'success', 2, 1)"
        )
    engine.dispose()

    db = open_database(target)
    try:
        coverage = read_rows(db, "SELECT * FROM frame_coverage ORDER BY code")
        items = read_rows(db, "SELECT code, frequency FROM job_item")
    finally:
        db.close()
    assert coverage == [
        ("sh.600000", "w", "3", "2024-01-05", "2024-01-12", 2, "2024-01-05", "2024-01-12"),
        ("sz.000001", "60", "3", "2024-01-02", "2024-01-03", 2, "2024-01-02", "2024-01-03"),
    ]
    assert items == [("sh.600000", "w")]
