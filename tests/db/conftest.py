"""Fixtures for the database tests: a fresh database per test (a SQLite file, or a
PostgreSQL database: see ``backend`` in tests/conftest.py) and its stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "stockdesk.db"


@pytest.fixture
def db(backend: str, db_path: Path, database_targets: Callable[..., str]) -> Iterator[Database]:
    target = str(db_path) if backend == "sqlite" else database_targets()
    database = open_database(target, busy_timeout=0.5)
    yield database
    database.close()


@pytest.fixture
def log(db: Database) -> JobLog:
    return JobLog(db)


@pytest.fixture
def store(db: Database) -> BarStore:
    return BarStore(db)
