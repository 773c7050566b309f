"""The window's first frame: what the admin sees while the rest of the window is being made.

A desktop utility is judged by how soon its window is there. lsdesk's window needs about a hundred
milliseconds of its own modules and widgets; the first frame needs almost none of them, so the window
is drawn at once, at its own size, with the status badge saying what lsdesk is doing, and the rest of the
window is filled in right after that frame (lsdesk/gui/app.py: `run_window`).

Nothing here builds Qt's `Qt` namespace (about 15 ms: 93 enums) or reads the contrast preference, which
does: a high-contrast user's first frame is drawn in the usual colours, and the filled window that follows
within about a tenth of a second is drawn in high contrast. Alignment and text format keep their
defaults, the first frame's sentences being lsdesk's own.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lsdesk.core.language import _
from lsdesk.gui.theme import Accent, badge_style, banner_style, draw_status_icon

# Translators: the status headline while lsdesk asks Lessonspace whether the key works.
CHECKING_TITLE = _("Checking...")
CHECKING_MESSAGE = _("Asking Lessonspace whether your key works.")
SANDBOX_BANNER = _("Sandbox: not connected to Lessonspace; nothing is saved")
ICON_SIZE = 32
# The window's margins and the room between its rows: the first frame's rows sit where the filled window's do.
MARGIN = 16
SPACING = 12


def headline_font(window_font: QFont) -> QFont:
    """The badge's headline: bold, a little larger than the system's text, whatever size that is."""
    font = QFont(window_font)
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    return font


def lay_out_badge(badge: QFrame, icon: QLabel, title: QLabel, message: QLabel) -> None:
    """The badge's layout, the first frame's and the window's: the icon, and beside it the headline over
    its sentence."""
    badge.setObjectName("statusBadge")
    icon.setObjectName("statusIcon")
    icon.setFixedSize(QSize(ICON_SIZE, ICON_SIZE))
    title.setObjectName("statusTitle")
    title.setWordWrap(True)
    message.setObjectName("statusMessage")
    message.setWordWrap(True)
    icon_column = QVBoxLayout()  # the icon at the top, however many lines the words take
    icon_column.addWidget(icon)
    icon_column.addStretch(1)
    words = QVBoxLayout()
    words.setSpacing(2)
    words.addWidget(title)
    words.addWidget(message)
    row = QHBoxLayout(badge)
    row.setContentsMargins(12, 10, 12, 10)
    row.setSpacing(12)
    row.addLayout(icon_column)
    row.addLayout(words, 1)


class FirstFrame(QWidget):
    """The window's first content: the sandbox banner, room for the organisation list, and the badge
    saying that the key is being checked, where the filled window has them."""

    def __init__(self, *, sandbox: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstFrame")
        column = QVBoxLayout(self)
        column.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        column.setSpacing(SPACING)
        if sandbox:
            banner = QLabel(SANDBOX_BANNER, self)
            banner.setObjectName("sandboxBanner")
            banner.setWordWrap(True)
            banner.setStyleSheet(banner_style(contrast=False))
            column.addWidget(banner)
        # The organisation list's place, empty until lsdesk has read which organisations it knows.
        organisations = QComboBox(self)
        organisations.setEnabled(False)
        column.addWidget(organisations)
        badge = QFrame(self)
        icon, title, message = QLabel(badge), QLabel(CHECKING_TITLE, badge), QLabel(CHECKING_MESSAGE, badge)
        lay_out_badge(badge, icon, title, message)
        title.setFont(headline_font(self.font()))
        draw_status_icon(icon, "checking.svg", ICON_SIZE, contrast=False)
        badge.setStyleSheet(badge_style(Accent.WORKING, contrast=False))
        column.addWidget(badge)
        column.addStretch(1)
