"""The window's history: the recent checks, saves, rotations and removals, of one organisation or of all,
and their export as CSV."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from lsdesk.core.history import History, describe, how_far_back, write_csv
from lsdesk.core.local_problem import describe_local_problem
from lsdesk.gui.controls import button

log = logging.getLogger(__name__)

VISIBLE_ROWS = 5  # the list's height; older entries are a scroll away
LISTED = 50
THIS_ORGANISATION = "This organisation"
ALL_ORGANISATIONS = "All organisations"
EXPORT_TITLE = "Export history"
EXPORTED_TITLE = "History exported"


class HistoryList(QListWidget):
    """The newest entries of one profile, or of every profile, newest first; reads only the file's tail."""

    def __init__(self, history: History, profile: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyList")
        self.setAccessibleName("History")
        self.setAccessibleDescription("The latest checks, saves, rotations and removals of the API key")
        self._history = history
        self._profile = profile
        self.every_profile = False
        # Long entries wrap at large fonts instead of being cut.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * VISIBLE_ROWS + 2 * self.frameWidth() + 4)

    @property
    def shown_profile(self) -> str | None:
        """The profile whose entries are listed; None for every profile's."""
        return None if self.every_profile else self._profile

    def refresh(self) -> None:
        self.clear()
        entries = self._history.recent(LISTED, profile=self.shown_profile)
        if self.every_profile:
            lines = [f"{describe(entry)} ({entry.profile})" for entry in entries]
        else:
            lines = [describe(entry) for entry in entries]
        self.addItems(lines or ["Nothing yet."])


class HistoryBox(QGroupBox):
    """The history list, what it shows (this organisation or all), and Export....

    Signals:
        exported(str): the CSV file was written; a sentence says where, and how far back it reaches.
        export_failed(str): it could not be written; a sentence says why and what to do.
    """

    # No bool on a signal: PySide6 6.12 loses a reference to True or False on each emit (see worker.py).
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, history: History, profile: str, parent: QWidget | None = None):
        super().__init__("History", parent)
        self._history = history
        self.list = HistoryList(history, profile, self)
        self.scope = QComboBox(self)
        self.scope.setObjectName("historyScope")
        self.scope.setAccessibleName("Show the history of")
        self.scope.addItems([THIS_ORGANISATION, ALL_ORGANISATIONS])
        self.scope.view().setAccessibleName("Show the history of")
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        self.export_button = button(
            self, "exportHistoryButton", "E&xport...", "Save the history shown here as a CSV file (never a key)"
        )
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        top.addWidget(self.scope)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.list.refresh()

    @Slot(int)
    def _on_scope_changed(self, index: int) -> None:
        self.list.every_profile = index == 1
        self.list.refresh()

    @Slot()
    def refresh(self) -> None:
        self.list.refresh()

    @Slot()
    def export(self) -> bool:
        """Ask where with the save dialog, then export there; False if nothing was written."""
        path = self._ask_where()
        return bool(path) and self.export_to(path)

    def export_to(self, path: str) -> bool:
        """Write what the list shows (all of it the history still holds) as CSV; False if it could not."""
        entries = self._history.everything(self.list.shown_profile)
        try:
            with open(path, "w", encoding="utf-8", newline="") as file:
                write_csv(file, entries)
        except OSError as error:
            log.info("could not export the history: %s", type(error).__name__)
            self.export_failed.emit(f"{describe_local_problem(error)} Choose another place.")
            return False
        count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        self.exported.emit(f"{count} written to {Path(path).name}. {how_far_back(entries)}")
        return True

    def _ask_where(self) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"lsdesk-history-{date.today().isoformat()}.csv")
        chosen, _filter = QFileDialog.getSaveFileName(self, EXPORT_TITLE, suggested, "CSV files (*.csv)")
        if chosen and not Path(chosen).suffix:
            chosen += ".csv"
        return chosen
