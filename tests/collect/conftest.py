"""Fixtures of the engine tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stockdesk.db.database import Database, open_database


@pytest.fixture
def open_db(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    """Opens databases by file name in the test's folder, and closes them all afterwards:
    the tests that compare strategies or session counts need one file per run."""
    opened: list[Database] = []

    def open_one(name: str) -> Database:
        opened.append(open_database(tmp_path / name))
        return opened[-1]

    yield open_one
    for database in opened:
        database.close()
