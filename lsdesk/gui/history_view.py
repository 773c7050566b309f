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
from lsdesk.core.language import _, ngettext
from lsdesk.core.local_problem import describe_local_problem
from lsdesk.gui.controls import button

log = logging.getLogger(__name__)

VISIBLE_ROWS = 5  # the list's height; older entries are a scroll away
LISTED = 50
# Translators: the history's choice of what it shows ("Show the history of": this organisation, or all).
THIS_ORGANISATION = _("This organisation")
# Translators: the history's choice of what it shows ("Show the history of": this organisation, or all).
ALL_ORGANISATIONS = _("All organisations")
EXPORT_TITLE = _("Export history")
EXPORTED_TITLE = _("History exported")


class HistoryList(QListWidget):
    """The newest entries of one profile, or of every profile, newest first; reads only the file's tail."""

    def __init__(self, history: History, profile: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyList")
        self.setAccessibleName(_("History"))
        self.setAccessibleDescription(_("The latest checks, saves, rotations and removals of the API key"))
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
            # Translators: a line of the history of every organisation; {entry} is the date and what happened,
            # {profile} the name of lsdesk's profile (one per organisation) it happened to.
            line = _("{entry} ({profile})")
            lines = [line.format(entry=describe(entry), profile=entry.profile) for entry in entries]
        else:
            lines = [describe(entry) for entry in entries]
        # Translators: the history list, while it holds nothing.
        self.addItems(lines or [_("Nothing yet.")])


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
        super().__init__(_("History"), parent)
        self._history = history
        self.list = HistoryList(history, profile, self)
        self.scope = QComboBox(self)
        self.scope.setObjectName("historyScope")
        self.scope.setAccessibleName(_("Show the history of"))
        self.scope.addItems([THIS_ORGANISATION, ALL_ORGANISATIONS])
        self.scope.view().setAccessibleName(_("Show the history of"))
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        self.export_button = button(
            self, "exportHistoryButton", _("E&xport..."), _("Save the history shown here as a CSV file (never a key)")
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
            # Translators: {problem} is a sentence saying why the file could not be written.
            self.export_failed.emit(_("{problem} Choose another place.").format(problem=describe_local_problem(error)))
            return False
        count = len(entries)
        written = ngettext(
            # Translators: {file} is the exported file's name; {how_far_back} a sentence saying how far back the
            # history reaches.
            "{count} entry written to {file}. {how_far_back}",
            "{count} entries written to {file}. {how_far_back}",
            count,
        )
        self.exported.emit(written.format(count=count, file=Path(path).name, how_far_back=how_far_back(entries)))
        return True

    def _ask_where(self) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"lsdesk-history-{date.today().isoformat()}.csv")
        # Translators: the save dialog's file type; keep "(*.csv)" as written.
        chosen, _filter = QFileDialog.getSaveFileName(self, EXPORT_TITLE, suggested, _("CSV files (*.csv)"))
        if chosen and not Path(chosen).suffix:
            chosen += ".csv"
        return chosen
