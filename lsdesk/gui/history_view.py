"""The short list of recent checks, saves and rotations in the window."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QWidget

from lsdesk.core.history import History, HistoryEntry

SHOWN = 5

_ACTIONS = {"check": "Checked", "save": "Saved a new key", "rotate": "Rotated"}
_RESULTS = {
    "valid": "valid",
    "rejected": "rejected by Lessonspace",
    "rate_limited": "Lessonspace was busy",
    "server_error": "Lessonspace had a problem",
    "offline": "couldn't reach Lessonspace",
    "unexpected": "unexpected reply",
    "not_set": "no key saved",
    "no_storage": "keychain problem",
    "bad_input": "not done",
}


def describe(entry: HistoryEntry) -> str:
    when = entry.at.astimezone().strftime("%d %b %Y, %H:%M")
    ending = f", key ending {entry.key_ending}" if entry.key_ending else ""
    return f"{when}  {_ACTIONS.get(entry.action, entry.action)}: {_RESULTS.get(entry.state, entry.state)}{ending}"


class HistoryList(QListWidget):
    """The newest entries of one profile, newest first; reads only the file's tail."""

    def __init__(self, history: History, profile: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyList")
        self.setAccessibleName("History")
        self.setAccessibleDescription("The latest checks, saves and rotations of the API key")
        self._history = history
        self._profile = profile
        self.setFixedHeight(self.fontMetrics().lineSpacing() * SHOWN + 2 * self.frameWidth() + 4)

    def refresh(self) -> None:
        self.clear()
        entries = self._history.recent(SHOWN, profile=self._profile)
        self.addItems([describe(entry) for entry in entries] or ["Nothing yet."])
