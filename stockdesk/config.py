"""Where things live and which server and database a run uses.

Command-line options win over environment variables, which win over defaults. The
database and logs live in the user's data folders (platformdirs), never beside the
program, so an installed bundle stays read-only.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from stockdesk.data.location import APP_NAME, DB_ENV, data_dir, default_database_path

__all__ = ["APP_NAME", "DB_ENV", "SERVER_ENV", "data_dir", "database_target",
           "default_database_path", "log_dir", "server_address"]

SERVER_ENV = "STOCKDESK_SERVER"


def log_dir() -> Path:
    """The user's log folder for StockDesk."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def database_target(database: str | None, *, demo: bool) -> str:
    """The database to open: ``--db``, else ``$STOCKDESK_DB``, else the default file.

    The demo writes synthetic prices, so without an explicit database it gets its own file
    beside the default one and never mixes made-up bars with real ones.
    """
    explicit = database or os.environ.get(DB_ENV)
    if explicit:
        return explicit
    path = default_database_path()
    return str(path.with_name(f"{path.stem}-demo{path.suffix}")) if demo else str(path)


def server_address(server: str | None) -> str | None:
    """``--server``, else ``$STOCKDESK_SERVER``, else None (the public server)."""
    return server or os.environ.get(SERVER_ENV) or None
