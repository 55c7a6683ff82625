"""Which database the read side opens when the caller names none.

The same rule as the command line's (docs/contracts.md, "Database"): ``$STOCKDESK_DB``,
else ``stockdesk.db`` in the user's data folder. It lives here, below the collector,
so that :func:`stockdesk.data.load_bars` can find the database by itself;
:mod:`stockdesk.config` uses it too.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "StockDesk"
DB_ENV = "STOCKDESK_DB"


def data_dir() -> Path:
    """The user's data folder for StockDesk (created on first use by the database)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    """The database analysts get when they name none."""
    return data_dir() / "stockdesk.db"


def default_target() -> str:
    """``$STOCKDESK_DB``, else the default file."""
    return os.environ.get(DB_ENV) or str(default_database_path())
