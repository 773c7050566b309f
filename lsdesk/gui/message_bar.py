"""The line beside the key field that tells the result of the admin's last action.

The badge above always describes the saved key; what happened to the
admin's own save or rotation (refused, done, or still running) is said
here, in words and an icon, until it is dismissed or stops applying.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from lsdesk.core.status import ActionResult, Tone
from lsdesk.gui.theme import Accent, message_bar_style, status_icon

ICON_SIZE = 20

_LOOKS = {
    Tone.DONE: ("valid.svg", Accent.GOOD, "Done"),
    Tone.PROBLEM: ("unexpected.svg", Accent.WARNING, "Problem"),
    Tone.NOTICE: ("checking.svg", Accent.WORKING, "Note"),
    None: ("checking.svg", Accent.WORKING, "Working"),  # the action still runs
}


class MessageBar(QFrame):
    """Signals:
    dismissed(): the admin closed the message.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self._tone: Tone | None = None
        self._icon = QLabel(self)
        self._icon.setFixedSize(QSize(ICON_SIZE, ICON_SIZE))
        self._text = QLabel(self)
        self._text.setObjectName("messageText")
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.PlainText)  # carries a refusal's detail from the server
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss_button = QPushButton("Dis&miss", self)
        self.dismiss_button.setObjectName("dismissMessageButton")
        self.dismiss_button.setAccessibleName("Dismiss this message")
        self.dismiss_button.setAccessibleDescription("Hide this message; it changes nothing")
        self.dismiss_button.clicked.connect(self.dismissed)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._text, 1)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self._text.text()

    @property
    def tone(self) -> Tone | None:
        """The shown result's tone; None while the action still runs."""
        return self._tone

    def show_result(self, result: ActionResult) -> None:
        self._show(result.tone, f"{result.title}: {result.message}" if result.title else result.message)
        self.dismiss_button.show()

    def show_progress(self, text: str) -> None:
        self._show(None, text)
        self.dismiss_button.hide()  # nothing to dismiss yet

    def _show(self, tone: Tone | None, text: str) -> None:
        self._tone = tone
        self._text.setText(text)
        prefix = _LOOKS[tone][2]
        self.setAccessibleName(f"{prefix}: {text}")
        self.restyle()
        self.show()

    def restyle(self) -> None:
        icon_file, accent, _prefix = _LOOKS[self._tone]
        self._icon.setPixmap(
            status_icon(icon_file, ICON_SIZE, self.devicePixelRatioF()).pixmap(
                QSize(ICON_SIZE, ICON_SIZE), self.devicePixelRatioF()
            )
        )
        style = message_bar_style(accent)
        if style != self.styleSheet():
            self.setStyleSheet(style)
