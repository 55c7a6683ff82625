"""Where things live and which server and database a run uses.

Command-line options win over environment variables, which win over the window's saved
choice (File → Database…), which wins over defaults. The database and logs live in the
user's data folders (platformdirs), never beside the program, so an installed bundle
stays read-only. A PostgreSQL password lives in the OS keyring, never in a settings file.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import platformdirs

from stockdesk.data.location import APP_NAME, DB_ENV, data_dir, default_database_path

__all__ = [
    "APP_NAME",
    "DB_ENV",
    "SERVER_ENV",
    "data_dir",
    "database_target",
    "default_database_path",
    "log_dir",
    "server_address",
]

log = logging.getLogger(__name__)

SERVER_ENV = "STOCKDESK_SERVER"
KEYRING_SERVICE = "StockDesk"
"""The keyring service under which PostgreSQL passwords are saved."""


def log_dir() -> Path:
    """The user's log folder for StockDesk."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def scheduled_run_file() -> Path:
    """The note the last run of the daily schedule left (stockdesk/schedule/lastrun.py)."""
    return data_dir() / "last-scheduled-run.json"


def database_target(database: str | None, *, demo: bool, saved: str | None = None) -> str:
    """The database to open: ``--db``, else ``$STOCKDESK_DB``, else ``saved`` (the
    window's last choice), else the default file.

    The demo writes synthetic prices, so without an explicit database it gets its own file
    beside the default one and never mixes made-up bars with real ones (nor a saved one).
    """
    explicit = database or os.environ.get(DB_ENV)
    if explicit:
        return explicit
    path = default_database_path()
    if demo:
        return str(path.with_name(f"{path.stem}-demo{path.suffix}"))
    return saved or str(path)


def keyring_account(user: str, host: str, port: int, database: str) -> str:
    """The keyring user name of a PostgreSQL login: ``user@host:port/database``."""
    return f"{user}@{host}:{port}/{database}"


def saved_password(user: str, host: str, port: int, database: str) -> str | None:
    """The password saved in the OS keyring for this login, or None.

    A machine without a usable keyring (a server without a desktop session) answers None,
    and libpq then reads ``PGPASSWORD`` or ``~/.pgpass``.
    """
    try:
        import keyring  # its backends are looked up on first use: only when needed

        return keyring.get_password(KEYRING_SERVICE, keyring_account(user, host, port, database))
    except Exception as exc:  # no backend, locked, refused: fall back to libpq's sources
        log.info("no password from the keyring (%s)", type(exc).__name__)
        return None


def save_password(user: str, host: str, port: int, database: str, password: str) -> None:
    """Save (or, with an empty ``password``, forget) a login's password in the keyring.

    Raises:
        keyring.errors.KeyringError: there is no usable keyring here.
    """
    import keyring
    from keyring.errors import PasswordDeleteError

    account = keyring_account(user, host, port, database)
    if password:
        keyring.set_password(KEYRING_SERVICE, account, password)
        return
    with contextlib.suppress(PasswordDeleteError):  # nothing saved: nothing to forget
        keyring.delete_password(KEYRING_SERVICE, account)


def server_address(server: str | None) -> str | None:
    """``--server``, else ``$STOCKDESK_SERVER``, else None (the public server)."""
    return server or os.environ.get(SERVER_ENV) or None
