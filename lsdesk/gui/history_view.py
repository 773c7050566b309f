"""The list of recent checks, saves, rotations and removals in the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QWidget

from lsdesk.core.history import History, HistoryEntry
from lsdesk.core.store_words import WORDS

VISIBLE_ROWS = 5  # the list's height; older entries are a scroll away
LISTED = 50

# What a check found, or why an action was not done.
_RESULTS = {
    "valid": "valid",
    "rejected": "rejected by Lessonspace",
    "rate_limited": "Lessonspace was busy",
    "server_error": "Lessonspace had a problem",
    "offline": "couldn't reach Lessonspace",
    "unexpected": "unexpected reply",
    "not_set": "no key saved",
    "no_storage": f"{WORDS.short} problem",
    "bad_input": "nothing was changed",
    "unfinished": "lsdesk could not finish",
}
# action: (the state that means it was done, said then; said when Lessonspace refused; said otherwise)
_ACTIONS = {
    "save": ("valid", "Saved a new key: valid", "Save refused by Lessonspace", "Not saved"),
    "rotate": ("valid", "Rotated: valid", "Rotation refused by Lessonspace", "Not rotated"),
    "forget": ("not_set", "Removed the saved key", "Not removed", "Not removed"),
}


def describe(entry: HistoryEntry) -> str:
    """One entry in words that are true: a refused save never reads as saved."""
    when = entry.at.astimezone().strftime("%d %b %Y, %H:%M")
    result = _RESULTS.get(entry.state, entry.state)
    if entry.action in _ACTIONS:
        done_state, done, refused, not_done = _ACTIONS[entry.action]
        what = done if entry.state == done_state else refused if entry.state == "rejected" else f"{not_done}: {result}"
    else:
        what = f"Checked: {result}"
    ending = f", key ending {entry.key_ending}" if entry.key_ending else ""
    return f"{when}  {what}{ending}"


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
