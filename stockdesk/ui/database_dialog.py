"""File → Database…: choose a SQLite file or a PostgreSQL server for the window.

The dialog only collects the choice; the application opens it (off the GUI thread, since
a server may take seconds to answer) and replaces the window when it opened. The
password is handed over separately and never becomes part of the target, which is what
the settings keep: it goes to the OS keyring once the server accepted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from PySide6.QtCore import QEvent, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from stockdesk.ui.naming import named

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DEFAULT_PORT = 5432


@dataclass(frozen=True, slots=True)
class DatabaseChoice:
    """A database as the dialog shows it: a SQLite file, or a server's coordinates."""

    kind: str = SQLITE
    path: str = ""
    host: str = "localhost"
    port: int = DEFAULT_PORT
    database: str = "stockdesk"
    user: str = ""

    def target(self) -> str:
        """What ``--db`` would say: the file's path, or the server's URL without password."""
        if self.kind == SQLITE:
            return self.path
        login = f"{quote(self.user, safe='')}@" if self.user else ""
        return (
            f"postgresql+psycopg://{login}{self.host}:{self.port}/{quote(self.database, safe='')}"
        )

    @classmethod
    def from_target(cls, target: str) -> DatabaseChoice:
        """The choice behind a target (a path or a PostgreSQL URL); a password is dropped."""
        if not target.startswith(("postgresql", "postgres:")):
            path = target.removeprefix("sqlite:///") if target.startswith("sqlite") else target
            return cls(SQLITE, path=path)
        parts = urlsplit(target)
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            port = DEFAULT_PORT
        return cls(
            POSTGRESQL,
            host=parts.hostname or "localhost",
            port=port,
            database=unquote(parts.path.lstrip("/")) or "stockdesk",
            user=unquote(parts.username or ""),
        )


class DatabaseDialog(QDialog):
    """Asks for a SQLite file or a PostgreSQL server (host, port, database, user, password)."""

    def __init__(self, current: DatabaseChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("databaseDialog")
        self.sqliteRadio = named(QRadioButton(), "sqliteRadio")
        self.postgresRadio = named(QRadioButton(), "postgresRadio")
        self.pathEdit = named(QLineEdit(current.path), "databasePathEdit")
        self.browseButton = named(QPushButton(), "databaseBrowseButton")
        self.hostEdit = named(QLineEdit(current.host), "databaseHostEdit")
        self.portSpin = named(QSpinBox(), "databasePortSpin")
        self.portSpin.setRange(1, 65535)
        self.portSpin.setValue(current.port)
        self.databaseEdit = named(QLineEdit(current.database), "databaseNameEdit")
        self.userEdit = named(QLineEdit(current.user), "databaseUserEdit")
        self.passwordEdit = named(QLineEdit(), "databasePasswordEdit")
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )

        file_row = QHBoxLayout()
        file_row.addWidget(self.pathEdit, 1)
        file_row.addWidget(self.browseButton)
        self._labels = [QLabel() for _ in range(6)]
        self._sqliteForm = QFormLayout()
        self._sqliteForm.addRow(self._labels[0], file_row)
        self._serverForm = QFormLayout()
        for label, widget in zip(
            self._labels[1:],
            (self.hostEdit, self.portSpin, self.databaseEdit, self.userEdit, self.passwordEdit),
            strict=True,
        ):
            self._serverForm.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sqliteRadio)
        layout.addLayout(self._sqliteForm)
        layout.addWidget(self.postgresRadio)
        layout.addLayout(self._serverForm)
        layout.addWidget(self.buttons)

        self.sqliteRadio.toggled.connect(self._on_kind_toggled)
        self.browseButton.clicked.connect(self._on_browse_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        (self.postgresRadio if current.kind == POSTGRESQL else self.sqliteRadio).setChecked(True)
        self._on_kind_toggled(current.kind == SQLITE)
        self._retranslate()

    def choice(self) -> DatabaseChoice:
        """What the dialog says now."""
        if self.sqliteRadio.isChecked():
            return DatabaseChoice(SQLITE, path=self.pathEdit.text().strip())
        return DatabaseChoice(
            POSTGRESQL,
            host=self.hostEdit.text().strip() or "localhost",
            port=self.portSpin.value(),
            database=self.databaseEdit.text().strip(),
            user=self.userEdit.text().strip(),
        )

    def password(self) -> str:
        """The password typed (empty: use the keyring, ``.pgpass`` or ``PGPASSWORD``)."""
        return self.passwordEdit.text() if self.postgresRadio.isChecked() else ""

    @Slot(bool)
    def _on_kind_toggled(self, sqlite: bool) -> None:
        self.pathEdit.setEnabled(sqlite)
        self.browseButton.setEnabled(sqlite)
        for widget in (
            self.hostEdit,
            self.portSpin,
            self.databaseEdit,
            self.userEdit,
            self.passwordEdit,
        ):
            widget.setEnabled(not sqlite)

    @Slot()
    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("SQLite database file"),
            self.pathEdit.text(),
            self.tr("SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.pathEdit.setText(path)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Database"))
        self.sqliteRadio.setText(self.tr("A SQLite file on this computer"))
        self.postgresRadio.setText(self.tr("A PostgreSQL server shared by the team"))
        self.browseButton.setText(self.tr("Browse…"))
        self.passwordEdit.setPlaceholderText(
            self.tr("empty: the saved password, ~/.pgpass or PGPASSWORD")
        )
        texts = (
            self.tr("File"),
            self.tr("Host"),
            self.tr("Port"),
            self.tr("Database"),
            self.tr("User"),
            self.tr("Password"),
        )
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
