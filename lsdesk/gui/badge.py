"""The status badge at the top of the window.

It says the key's state three ways at once, words, icon and colour, so that
no one has to tell green from red to know where they stand.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lsdesk.core.outcome import State
from lsdesk.resource_files import resource

CHECKING_TITLE = "Checking..."

# icon file, accent colour
_LOOKS: dict[State | None, tuple[str, str]] = {
    None: ("checking.svg", "#1a73e8"),  # a check is running
    State.VALID: ("valid.svg", "#1e8e3e"),
    State.REJECTED: ("invalid.svg", "#d93025"),
    State.NOT_SET: ("not-set.svg", "#5f6368"),
    State.OFFLINE: ("offline.svg", "#e37400"),
    State.RATE_LIMITED: ("busy.svg", "#e37400"),
    State.SERVER_ERROR: ("server-error.svg", "#e37400"),
    State.UNEXPECTED: ("unexpected.svg", "#e37400"),
    State.NO_STORAGE: ("no-storage.svg", "#d93025"),
    State.BAD_INPUT: ("unexpected.svg", "#e37400"),
}

ICON_SIZE = 32


def icon(name: str) -> QIcon:
    """An SVG icon from lsdesk's resources."""
    return QIcon(str(resource("icons", name)))


class StatusBadge(QFrame):
    """A framed line: icon, headline, and a sentence saying what to do."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("statusBadge")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._state: State | None = None
        self._icon = QLabel(self)
        self._icon.setFixedSize(QSize(ICON_SIZE, ICON_SIZE))
        self._title = QLabel(self)
        self._title.setObjectName("statusTitle")
        font = self._title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self._title.setFont(font)
        self._title.setWordWrap(True)
        self._message = QLabel(self)
        self._message.setObjectName("statusMessage")
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self._title)
        words.addWidget(self._message)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.setSpacing(12)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        self.show_checking()

    @property
    def state(self) -> State | None:
        """The state shown, or None while a check runs."""
        return self._state

    def title(self) -> str:
        return self._title.text()

    def message(self) -> str:
        return self._message.text()

    def show_checking(self, message: str = "Asking Lessonspace whether your key works.") -> None:
        self._show(None, CHECKING_TITLE, message)

    def show_state(self, state: State, title: str, message: str) -> None:
        self._show(state, title, message)

    def _show(self, state: State | None, title: str, message: str) -> None:
        self._state = state
        icon_file, accent = _LOOKS[state]
        self._icon.setPixmap(icon(icon_file).pixmap(QSize(ICON_SIZE, ICON_SIZE), self.devicePixelRatioF()))
        self._title.setText(title)
        self._message.setText(message)
        self.setAccessibleName(f"Status: {title}")
        self.setAccessibleDescription(message)
        self._icon.setAccessibleName(title)
        tint = QColor(accent)
        tint.setAlpha(28)
        self.setStyleSheet(
            "#statusBadge {"
            f" border: 2px solid {accent}; border-radius: 8px;"
            f" background-color: rgba({tint.red()}, {tint.green()}, {tint.blue()}, {tint.alpha()});"
            " }"
        )
