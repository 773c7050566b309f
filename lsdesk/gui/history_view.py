"""The list of recent checks, saves, rotations and removals in the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QWidget

from lsdesk.core.history import History, describe

VISIBLE_ROWS = 5  # the list's height; older entries are a scroll away
LISTED = 50


class HistoryList(QListWidget):
    """The newest entries of one profile, newest first; reads only the file's tail."""

    def __init__(self, history: History, profile: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyList")
        self.setAccessibleName("History")
        self.setAccessibleDescription("The latest checks, saves, rotations and removals of the API key")
        self._history = history
        self._profile = profile
        # Long entries wrap at large fonts instead of being cut.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * VISIBLE_ROWS + 2 * self.frameWidth() + 4)

    def refresh(self) -> None:
        self.clear()
        entries = self._history.recent(LISTED, profile=self._profile)
        self.addItems([describe(entry) for entry in entries] or ["Nothing yet."])
