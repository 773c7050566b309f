"""The line beside the key field that tells the result of the admin's last action.

The badge above always describes the saved key; what happened to the
admin's own save or rotation (refused, done, or still running) is said
here, in words and an icon, until it is dismissed or stops applying.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from lsdesk.core.language import _
from lsdesk.core.status import ActionResult, Tone
from lsdesk.gui.theme import Accent, draw_status_icon, message_bar_style

ICON_SIZE = 20

# icon file, colour family, and what a screen reader hears: the kind of message, then the message.
_LOOKS = {
    # Translators: what a screen reader hears of a message saying an action was done; {message} is the message.
    Tone.DONE: ("valid.svg", Accent.GOOD, _("Done: {message}")),
    # Translators: {message} says what went wrong.
    Tone.PROBLEM: ("unexpected.svg", Accent.WARNING, _("Problem: {message}")),
    # Translators: what a screen reader hears of a message for information; {message} is the message.
    Tone.NOTICE: ("checking.svg", Accent.WORKING, _("Note: {message}")),
    # Translators: what a screen reader hears of a message of an action still running; {message} says what it does.
    None: ("checking.svg", Accent.WORKING, _("Working: {message}")),  # the action still runs
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
        self.dismiss_button = QPushButton(_("Dis&miss"), self)
        self.dismiss_button.setObjectName("dismissMessageButton")
        self.dismiss_button.setAccessibleName(_("Dismiss this message"))
        self.dismiss_button.setAccessibleDescription(_("Hide this message; it changes nothing"))
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
        # Translators: a message beside the key field: {title} is its headline ("Saved"), {message} its sentence.
        titled = _("{title}: {message}").format(title=result.title, message=result.message)
        self._show(result.tone, titled if result.title else result.message)
        self.dismiss_button.show()

    def show_progress(self, text: str) -> None:
        self._show(None, text)
        self.dismiss_button.hide()  # nothing to dismiss yet

    def _show(self, tone: Tone | None, text: str) -> None:
        self._tone = tone
        self._text.setText(text)
        self.setAccessibleName(_LOOKS[tone][2].format(message=text))
        self.restyle()
        self.show()

    def restyle(self) -> None:
        icon_file, accent, _heard = _LOOKS[self._tone]
        draw_status_icon(self._icon, icon_file, ICON_SIZE)
        style = message_bar_style(accent)
        if style != self.styleSheet():
            self.setStyleSheet(style)
