"""The status badge at the top of the window.

It says the key's state three ways at once, words, icon and colour, so that
no one has to tell green from red to know where they stand.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QAccessibleInterface,
    QIcon,
)
from PySide6.QtWidgets import QAccessibleWidget, QFrame, QLabel, QWidget

from lsdesk.core.keystore import KEYRING_WAITING_MESSAGE, KEYRING_WAITING_TITLE
from lsdesk.core.language import _
from lsdesk.core.outcome import State
from lsdesk.core.store_words import WORDS
from lsdesk.gui.first_frame import CHECKING_MESSAGE, CHECKING_TITLE, ICON_SIZE, headline_font, lay_out_badge
from lsdesk.gui.theme import Accent, badge_style, draw_status_icon, icon

# icon file, colour family
_LOOKS: dict[State | None, tuple[str, Accent]] = {
    None: ("checking.svg", Accent.WORKING),  # a check is running
    State.VALID: ("valid.svg", Accent.GOOD),
    State.REJECTED: ("invalid.svg", Accent.BAD),
    State.NOT_SET: ("not-set.svg", Accent.NEUTRAL),
    State.OFFLINE: ("offline.svg", Accent.WARNING),
    State.RATE_LIMITED: ("busy.svg", Accent.WARNING),
    State.SERVER_ERROR: ("server-error.svg", Accent.WARNING),
    State.UNEXPECTED: ("unexpected.svg", Accent.WARNING),
    State.NO_STORAGE: ("no-storage.svg", Accent.BAD),
    State.BAD_INPUT: ("unexpected.svg", Accent.WARNING),
    State.UNFINISHED: ("unexpected.svg", Accent.WARNING),
}
# A closed padlock: the store is locked, or lsdesk waits for it to be unlocked.
_LOCKED = ("locked.svg", Accent.BAD)
_WAITING_FOR_UNLOCK = ("waiting-for-keyring.svg", Accent.WORKING)


def _look(state: State | None, title: str) -> tuple[str, Accent]:
    if state is State.NO_STORAGE and title == WORDS.locked_title():
        return _LOCKED
    if state is None and title == KEYRING_WAITING_TITLE:
        return _WAITING_FOR_UNLOCK
    return _LOOKS[state]


def state_icon(state: State | None) -> QIcon:
    """The icon of a state (None: a check is running)."""
    return icon(_LOOKS[state][0])


class StatusBadge(QFrame):
    """A framed line: icon, headline, and a sentence saying what to do."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._state: State | None = None
        self._muted = False
        self._icon, self._title, self._message = QLabel(self), QLabel(self), QLabel(self)
        lay_out_badge(self, self._icon, self._title, self._message)  # as the window's first frame has it
        self.scale_title_font()
        # Both carry server text (an organisation's name, a refusal's detail): shown literally, never as HTML.
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_checking()

    @property
    def state(self) -> State | None:
        """The state shown, or None while a check runs."""
        return self._state

    def title(self) -> str:
        return self._title.text()

    def message(self) -> str:
        return self._message.text()

    def show_checking(self, message: str = CHECKING_MESSAGE) -> None:
        self._show(None, CHECKING_TITLE, message)

    def show_waiting_for_keyring(self) -> None:
        """The keychain is slow to answer: most often it waits for its unlock prompt."""
        self._show(None, KEYRING_WAITING_TITLE, KEYRING_WAITING_MESSAGE)

    def show_state(self, state: State, title: str, message: str, *, muted: bool = False) -> None:
        """A state's words and icon; `muted` for one remembered from the last run, not a live answer."""
        self._show(state, title, message, muted)

    def icon_name(self) -> str:
        """The icon drawn: its file in resources/icons."""
        return _look(self._state, self.title())[0]

    @property
    def muted(self) -> bool:
        return self._muted

    def _show(self, state: State | None, title: str, message: str, muted: bool = False) -> None:
        changed = (state, title, message, muted) != (self._state, self.title(), self.message(), self._muted)
        self._state = state
        self._muted = muted
        self._title.setText(title)
        self._message.setText(message)
        self.setAccessibleName(title)
        self.setAccessibleDescription(message)
        self.restyle()
        if changed and self.isVisible():
            # Screen readers read the new status out, without the user moving focus here. Orca (43 at
            # least) reads no announcement and no name change away from the focus; it reads a
            # notification that appears, so the badge says it appears again with each new state.
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.ObjectShow))
            # Translators: what a screen reader announces: the status's headline, then its sentence.
            announced = _("{title}. {message}").format(title=title, message=message)
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self, announced))

    def restyle(self) -> None:
        """Redraw icon and frame in the current palette (light, dark, high contrast)."""
        icon_file, accent = _look(self._state, self.title())
        draw_status_icon(self._icon, icon_file, ICON_SIZE)
        style = badge_style(Accent.NEUTRAL if self._muted else accent)
        if style != self.styleSheet():  # a new style sheet is itself a palette change
            self.setStyleSheet(style)

    def scale_title_font(self) -> None:
        """The headline: bold, a little larger than the system's text, whatever size that is."""
        # The window's font: a widget with a style sheet does not follow font changes itself.
        self._title.setFont(headline_font(self.window().font()))


class _BadgeAccessible(QAccessibleWidget):
    """The badge for screen readers: one notification, its name the state and its description the detail.
    The icon, headline and sentence inside are not offered again: a screen reader meets the state once."""

    def __init__(self, badge: StatusBadge):
        super().__init__(badge, QAccessible.Role.Notification)

    def childCount(self) -> int:  # noqa: N802 - Qt's name
        return 0

    def child(self, _index: int) -> QAccessibleInterface | None:
        return None

    def indexOfChild(self, _child: QAccessibleInterface) -> int:  # noqa: N802 - Qt's name
        return -1


def _accessible_badge(_class_name: str, widget: QObject) -> QAccessibleInterface | None:
    return _BadgeAccessible(widget) if isinstance(widget, StatusBadge) else None


QAccessible.installFactory(_accessible_badge)
