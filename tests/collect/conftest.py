"""Fixtures of the engine tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from stockdesk.db.database import Database, open_database


@pytest.fixture
def open_db(database_targets: Callable[..., str]) -> Iterator[Callable[[str], Database]]:
    """Opens new databases of the test's store by name, and closes them all afterwards:
    the tests that compare strategies or session counts need one database per run."""
    opened: list[Database] = []

    def open_one(name: str) -> Database:
        opened.append(open_database(database_targets(name.removesuffix(".db"))))
        return opened[-1]

    yield open_one
    for database in opened:
        database.close()
