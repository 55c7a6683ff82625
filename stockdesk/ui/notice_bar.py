"""An inline message strip above the form, instead of modal message boxes.

Refusals, validation errors and the offline notice must not block the event loop (a modal
box would stall the table and every test); the strip shows the text and, when there is
something to do about it, one action button.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from stockdesk.ui.naming import named


class NoticeBar(QFrame):
    """A dismissible message with an optional action.

    Signals:
        actionTriggered: the action button was pressed.
    """

    actionTriggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = named(QLabel(), "noticeLabel")
        self.label.setWordWrap(True)
        self.actionButton = named(QPushButton(), "noticeActionButton")
        self.closeButton = named(QPushButton(), "noticeCloseButton")
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.actionButton)
        layout.addWidget(self.closeButton)
        self.actionButton.clicked.connect(self.actionTriggered)
        self.closeButton.clicked.connect(self._on_close_button_clicked)
        self._retranslate()
        self.hide()

    def text(self) -> str:
        """The message shown (empty when hidden)."""
        return self.label.text() if not self.isHidden() else ""

    def show_message(self, text: str, action: str | None = None) -> None:
        """Show ``text``; with ``action``, also a button that emits :attr:`actionTriggered`."""
        self.label.setText(text)
        self.actionButton.setVisible(action is not None)
        self.actionButton.setText(action or "")
        self.show()

    @Slot()
    def _on_close_button_clicked(self) -> None:
        self.label.clear()
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.closeButton.setText(self.tr("Dismiss"))
