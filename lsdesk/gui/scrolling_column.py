"""The window's middle column: shown whole where the screen has room, scrolled where it has not."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
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
        # A viewport of lsdesk's own: Qt's, once handed to Python, makes PySide6 set up every widget class's
        # enums to find out its type (about 0.8 MiB for the life of the window).
        viewport = QWidget(self)
        viewport.setAutoFillBackground(False)
        self.setViewport(viewport)
        self.setObjectName("scrollingColumn")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the buttons inside take focus, not the area
        content.setAutoFillBackground(False)
        self.setWidget(content)
        content.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # QScrollArea keeps its size hint when its content's changes (a message appears, say);
        # without this the window's layout would go on using the old one.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """All of the content, at the width it has (wrapped text needs more height when narrower)."""
        content = self.widget()
        hint = content.sizeHint()
        height = hint.height()
        if content.hasHeightForWidth() and content.isVisible():
            height = content.heightForWidth(content.width())
        return QSize(hint.width() + self._scroll_bar_width(), height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = self.widget().minimumSizeHint().width() + self._scroll_bar_width()
        return QSize(width, MIN_VISIBLE_LINES * self.fontMetrics().height())

    def _scroll_bar_width(self) -> int:
        return self.verticalScrollBar().sizeHint().width()
