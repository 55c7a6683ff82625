"""File → Database…: the dialog, and the window reopened on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from support.memory_keyring import MemoryKeyring
from support.postgres import PASSWORD, PASSWORD_ROLE, PostgresServer

from stockdesk import config
from stockdesk.app import DATABASE_KEY, AppState, open_window
from stockdesk.ui.database_dialog import POSTGRESQL, SQLITE, DatabaseChoice, DatabaseDialog
from stockdesk.ui.translations import Translations


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def team_database(postgres_server: PostgresServer):
    """A migrated database on the test server that only opens with a password."""
    name = "team_dialog"
    postgres_server.drop_database(name)
    postgres_server.create_database(name, template="stockdesk_template")
    with postgres_server.admin(name) as connection:
        connection.execute(f"ALTER DATABASE {name} OWNER TO {PASSWORD_ROLE}")
        connection.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PASSWORD_ROLE}")
        connection.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PASSWORD_ROLE}")
    yield postgres_server, name
    postgres_server.drop_database(name)


@pytest.fixture
def state(qapp, settings, monkeypatch):
    monkeypatch.delenv(config.DB_ENV, raising=False)
    app_state = AppState(settings, Translations())
    yield app_state
    for window in app_state.windows:
        window.close()
    app_state.close()


def test_a_choice_becomes_a_target_without_password_and_back():
    server = DatabaseChoice(POSTGRESQL, host="db.desk", port=5433, database="a股", user="li lei")
    assert server.target() == "postgresql+psycopg://li%20lei@db.desk:5433/a%E8%82%A1"
    assert DatabaseChoice.from_target(server.target()) == server
    assert DatabaseChoice.from_target("postgresql://u:secret@h/d") == DatabaseChoice(
        POSTGRESQL, host="h", port=5432, database="d", user="u"
    )
    assert DatabaseChoice.from_target("/data/s.db") == DatabaseChoice(SQLITE, path="/data/s.db")


def test_the_dialog_reads_its_fields(qtbot):
    dialog = DatabaseDialog(DatabaseChoice(SQLITE, path="/tmp/x.db"))
    qtbot.addWidget(dialog)
    assert not dialog.hostEdit.isEnabled() and dialog.choice().target() == "/tmp/x.db"
    dialog.postgresRadio.setChecked(True)
    dialog.hostEdit.setText("10.0.0.5")
    dialog.portSpin.setValue(6543)
    dialog.databaseEdit.setText("market")
    dialog.userEdit.setText("collector")
    dialog.passwordEdit.setText("pw")
    assert dialog.hostEdit.isEnabled() and not dialog.pathEdit.isEnabled()
    assert dialog.choice().target() == "postgresql+psycopg://collector@10.0.0.5:6543/market"
    assert dialog.password() == "pw"


def switch(qtbot, window, target, password):
    window.ask_database = lambda: (target, password)
    window.findChild(type(window._databaseAction), "databaseAction").trigger()


def test_choosing_a_server_reopens_the_window_and_keeps_the_password_in_the_keyring(
    qtbot, state, tmp_path, team_database, memory_keyring
):
    server, name = team_database
    sqlite_file = str(tmp_path / "local.db")
    state.settings.setValue(DATABASE_KEY, sqlite_file)
    window = open_window(state, database=None, server="127.0.0.1:9", demo=False)
    qtbot.addWidget(window)
    assert window.databaseLabel.text() == sqlite_file
    target = server.url(name, user=PASSWORD_ROLE)

    switch(qtbot, window, target, PASSWORD)

    qtbot.waitUntil(lambda: len(state.windows) == 2, timeout=10_000)
    new = state.windows[1]
    qtbot.addWidget(new)
    assert new.isVisible() and not window.isVisible()
    assert name in new.databaseLabel.text() and PASSWORD not in new.databaseLabel.text()
    assert state.settings.value(DATABASE_KEY) == target
    account = config.keyring_account(PASSWORD_ROLE, server.host, server.port, name)
    assert memory_keyring.saved == {("StockDesk", account): PASSWORD}
    settings_text = Path(state.settings.fileName()).read_text(encoding="utf-8")
    assert PASSWORD not in settings_text

    # The next start opens the chosen server, the password coming from the keyring.
    state.close()
    again = AppState(state.settings, Translations())
    reopened = open_window(again, database=None, server="127.0.0.1:9", demo=False)
    qtbot.addWidget(reopened)
    try:
        assert name in reopened.databaseLabel.text()
        assert again.databases[0].postgresql
    finally:
        reopened.close()
        again.close()


def test_a_wrong_password_changes_nothing_and_says_why(
    qtbot, state, tmp_path, team_database, memory_keyring
):
    server, name = team_database
    sqlite_file = str(tmp_path / "local.db")
    window = open_window(state, database=sqlite_file, server="127.0.0.1:9", demo=False)
    qtbot.addWidget(window)

    switch(qtbot, window, server.url(name, user=PASSWORD_ROLE), "not-the-Pa55")

    qtbot.waitUntil(
        lambda: "没有改变" in window.noticeBar.text() or "not changed" in window.noticeBar.text(),
        timeout=10_000,
    )
    text = window.noticeBar.text()
    assert "not-the-Pa55" not in text and name in text and f"{server.port}" in text
    assert len(state.windows) == 1 and window.isVisible()
    assert window.databaseLabel.text() == sqlite_file
    assert state.settings.value(DATABASE_KEY) is None
    assert memory_keyring.saved == {}
