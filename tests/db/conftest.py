"""Fixtures for the database tests: a fresh SQLite file per test and its stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "stockdesk.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path, busy_timeout=0.5)
    yield database
    database.close()


@pytest.fixture
def log(db: Database) -> JobLog:
    return JobLog(db)


@pytest.fixture
def store(db: Database) -> BarStore:
    return BarStore(db)
