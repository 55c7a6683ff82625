"""A PostgreSQL server's own troubles: what the user is told, with the password masked,
and that nothing was changed. (Everything else runs on both stores in the other files.)"""

from __future__ import annotations

import psycopg
import pytest
from dbfactories import make_request
from support.postgres import PASSWORD, PASSWORD_ROLE, PostgresServer, free_port

from stockdesk.db.database import open_database
from stockdesk.db.engine import normalise_url
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import DatabaseError

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def server(backend: str, postgres_server: PostgresServer) -> PostgresServer:
    return postgres_server


@pytest.fixture
def password_database(server: PostgresServer, database_targets) -> str:
    """A migrated database owned by the role that logs in with a password."""
    url = database_targets("secured")
    name = url.rsplit("/", 1)[1]
    with server.admin(name) as connection:
        connection.execute(f"ALTER DATABASE {name} OWNER TO {PASSWORD_ROLE}")
        connection.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PASSWORD_ROLE}")
        connection.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PASSWORD_ROLE}")
    return name


def test_the_right_password_opens_and_is_never_shown(
    server: PostgresServer, password_database: str
) -> None:
    db = open_database(server.url(password_database, user=PASSWORD_ROLE, password=PASSWORD))
    try:
        assert PASSWORD not in db.url and PASSWORD not in repr(db)
        assert "***" in db.url
        assert JobLog(db).list_jobs() == []
    finally:
        db.close()


def test_a_wrong_password_names_server_user_and_database_and_masks_it(
    server: PostgresServer, password_database: str
) -> None:
    with pytest.raises(DatabaseError) as raised:
        open_database(server.url(password_database, user=PASSWORD_ROLE, password="wrong-pw1"))
    message = str(raised.value)
    assert "用户名或密码错误" in message
    assert f"{server.host}:{server.port}" in message and password_database in message
    assert PASSWORD_ROLE in message
    assert "wrong-pw1" not in message and "***" in message


def test_the_keyring_fills_in_a_missing_password(
    server: PostgresServer, password_database: str
) -> None:
    asked = []

    def keyring(user: str, host: str, port: int, database: str) -> str:
        asked.append((user, host, port, database))
        return PASSWORD

    db = open_database(server.url(password_database, user=PASSWORD_ROLE), password=keyring)
    db.close()
    assert asked == [(PASSWORD_ROLE, server.host, server.port, password_database)]
    assert PASSWORD not in db.url


def test_an_unreachable_server_is_named(server: PostgresServer) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://analyst:topsecret9@127.0.0.1:{port}/market"
    with pytest.raises(DatabaseError) as raised:
        open_database(url)
    message = str(raised.value)
    assert "无法连接 PostgreSQL 服务器" in message
    assert f"127.0.0.1:{port}" in message and "market" in message
    assert "topsecret9" not in message


def test_a_missing_database_is_named(server: PostgresServer) -> None:
    with pytest.raises(DatabaseError) as raised:
        open_database(server.url("no_such_db"))
    message = str(raised.value)
    assert "没有数据库 no_such_db" in message and f"{server.host}:{server.port}" in message
    with server.admin() as connection:
        assert connection.execute(
            "SELECT count(*) FROM pg_database WHERE datname = 'no_such_db'"
        ).fetchone() == (0,)


def test_a_database_of_a_newer_version_is_refused_unchanged(
    server: PostgresServer, database_target: str
) -> None:
    name = database_target.rsplit("/", 1)[1]
    with server.admin(name) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="更新版本") as raised:
        open_database(database_target)
    assert name in str(raised.value) and f"{server.host}:{server.port}" in str(raised.value)
    with server.admin(name) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999",)
        ]


def test_a_read_only_role_reads_but_is_told_it_cannot_collect(
    server: PostgresServer, database_target: str
) -> None:
    """The README's analyst role: SELECT only. Reading works, even with a dead job left
    running (marking it is left to the next collector); starting a job says why not."""
    name = database_target.rsplit("/", 1)[1]
    owner = open_database(database_target)
    dead = JobLog(owner).start_job(make_request())
    owner.close()  # its session ends: the job is dead, its row still says running
    with server.admin(name) as connection:
        connection.execute(
            "DO $$ BEGIN CREATE ROLE stockdesk_reader LOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO stockdesk_reader")
    db = open_database(server.url(name, user="stockdesk_reader"))
    try:
        log = JobLog(db)
        assert log.recover_interrupted() == []
        assert [(job.id, job.status) for job in log.list_jobs()] == [(dead.id, "running")]
        with pytest.raises(DatabaseError, match="没有所需的权限"):
            log.start_job(make_request())
    finally:
        db.close()


def test_a_plain_postgresql_url_uses_psycopg_3(server: PostgresServer, database_target: str):
    plain = database_target.replace("postgresql+psycopg://", "postgresql://")
    db = open_database(plain)
    try:
        assert db.engine.dialect.driver == "psycopg" and db.postgresql and db.path is None
    finally:
        db.close()
    assert (
        str(normalise_url(__import__("sqlalchemy").make_url("postgres://u@h/d")))
        == "postgresql+psycopg://u@h/d"
    )
    assert psycopg.__version__ >= "3.1"
