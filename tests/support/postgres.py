"""A throwaway PostgreSQL server for the tests (and benchmarks): initdb into a temporary
folder, pg_ctl start on a free loopback port, stop and delete at the end.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
(Debian's package creates it), in a folder handed to that user. Local connections are
trusted; the role :data:`PASSWORD_ROLE` must log in over TCP with its password, for the
tests of a wrong password. Durability is switched off (``fsync=off``): a test server
that loses its data in a power cut loses nothing anyone needs.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

PASSWORD_ROLE = "stockdesk_pw"
PASSWORD = "s3cret-Pa55"
"""A role that needs a password, and its password (the tests check it is never shown)."""
SUPERUSER = "postgres"
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
"""Server settings for tests: durability traded for speed."""


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server programs are not installed here."""


def find_bindir() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, else Debian's newest version."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL's initdb/pg_ctl are not installed (Debian: apt-get install postgresql)"
        )
    return Path(found[-1]).parent


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One PostgreSQL server in a temporary folder, on ``127.0.0.1:port``."""

    def __init__(self, *, settings: str = FAST) -> None:
        self.bindir = find_bindir()
        self.settings = settings
        self.port = free_port()
        self.host = "127.0.0.1"
        self.folder = Path(tempfile.mkdtemp(prefix="stockdesk-pg-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' user to run the server as"
                ) from exc
            self._as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("mkdir", str(self.sockets))
        self._started = False

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            [*self._as_user, *command], capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> PostgresServer:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        hba = (
            f"local all all trust\n"
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            f"host all all 127.0.0.1/32 trust\n"
        )
        self._run("sh", "-c", f"printf '%s' '{hba}' > '{self.data / 'pg_hba.conf'}'")
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses={self.host} {self.settings}"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self._started = True
        with self.admin() as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(PASSWORD_ROLE), sql.Literal(PASSWORD)
                )
            )
        return self

    def stop(self) -> None:
        if self._started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                )
            self._started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def url(self, database: str, *, user: str = SUPERUSER, password: str | None = None) -> str:
        """A SQLAlchemy URL of ``database`` on this server, over TCP."""
        login = user if password is None else f"{user}:{password}"
        return f"postgresql+psycopg://{login}@{self.host}:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        """A superuser connection in autocommit mode (for CREATE/DROP DATABASE)."""
        return psycopg.connect(
            host=self.host, port=self.port, user=SUPERUSER, dbname=database, autocommit=True
        )

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create ``name`` (a copy of ``template`` when given); returns its URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {} STRATEGY FILE_COPY").format(
                statement, sql.Identifier(template)
            )
        with self.admin() as connection:
            connection.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
