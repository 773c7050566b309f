"""The window's middle column: shown whole where the screen has room, scrolled where it has not."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# However short the screen, this many lines of the column stay in view.
MIN_VISIBLE_LINES = 6


class ScrollingColumn(QScrollArea):
    """A frameless vertical scroll area around `content`, which keeps its full width.

    Qt's own QScrollArea asks for at most 24 lines of height, so a window
    built around it would open cut short on any screen; this one asks for all
    of its content, and may be given as little as MIN_VISIBLE_LINES.
    """

    def __init__(self, content: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scrollingColumn")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the buttons inside take focus, not the area
        content.setAutoFillBackground(False)
        self.setWidget(content)
        self.viewport().setAutoFillBackground(False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        content = self.widget().sizeHint()
        return QSize(content.width() + self._scroll_bar_width(), content.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = self.widget().minimumSizeHint().width() + self._scroll_bar_width()
        return QSize(width, MIN_VISIBLE_LINES * self.fontMetrics().height())

    def _scroll_bar_width(self) -> int:
        return self.verticalScrollBar().sizeHint().width()
