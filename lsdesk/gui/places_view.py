"""Where else the key is used: the dialog that sets the places up, and the checklist after a rotation."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lsdesk.core.language import _
from lsdesk.core.local_problem import describe_local_problem
from lsdesk.core.places import PRESETS, Checklist, Checklists, Place, Places, make_place, still_to_update_sentence
from lsdesk.gui.browser_fallback import BrowserFallback
from lsdesk.gui.controls import button

if TYPE_CHECKING:
    from lsdesk.core.rotation import RotationResult
    from lsdesk.core.status import StatusModel
    from lsdesk.gui.worker import KeyServiceHost

log = logging.getLogger(__name__)

ASK_WHERE = _(
    "Where else do you paste this key? Teachworks, a Moodle site or a booking plugin keeps a copy of its own; "
    "add each place, and after every rotation lsdesk lists them so that none keeps the old key."
)
CHECKLIST_TITLE = _("After the rotation: put the new key in each place")
CHECKLIST_WITHOUT_PLACES = _(
    "No places are set up for this organisation yet. Teachworks, a Moodle site or a booking plugin keeps a copy "
    "of the key of its own: set up each place, then put the new key in each."
)
EDIT_PLACES = _("Say where else this key is pasted (Teachworks, Moodle, a booking plugin...)")
_ASKS = {
    "subdomain": (
        _("&Teachworks address:"),
        # Translators: an example of a Teachworks address; "yourcompany" stands for the school's own name there.
        _("yourcompany (from yourcompany.teachworks.com)"),
    ),
    "site": (_("&Site address:"), "https://moodle.example.org"),
}


class PlaceForm(QWidget):
    """The fields of one new place: its kind, what that kind needs, an optional name and note."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(_("Kind of place"))
        for preset in PRESETS.values():
            self.kind.addItem(preset.label, preset.kind)
        self.given = QLineEdit(self)
        self.given.setAccessibleName(_("Address"))
        self.name = QLineEdit(self)
        self.name.setAccessibleName(_("Name in the list"))
        self.note = QLineEdit(self)
        # Translators: a place's note, saying where the key goes there.
        self.note.setAccessibleName(_("Note"))
        self.note.setPlaceholderText(_("Optional: where the key goes there"))
        self._given_label = QLabel(self)
        self._given_label.setBuddy(self.given)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("&Where:"), self.kind)
        form.addRow(self._given_label, self.given)
        form.addRow(_("&Name:"), self.name)
        # Translators: a place's note, saying where the key goes there.
        form.addRow(_("N&ote:"), self.note)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()

    def place(self) -> Place:
        """The place typed; raises ValueError with a sentence for anything lsdesk cannot use."""
        return make_place(self.kind.currentData(), self.given.text(), name=self.name.text(), note=self.note.text())

    def clear(self) -> None:
        for field in (self.given, self.name, self.note):
            field.clear()

    @Slot()
    def _on_kind_changed(self) -> None:
        preset = PRESETS[self.kind.currentData()]
        label, placeholder = _ASKS.get(preset.asks, ("", ""))
        self._given_label.setText(label)
        self.given.setPlaceholderText(placeholder)
        self._given_label.setVisible(bool(label))
        self.given.setVisible(bool(label))
        # Translators: the placeholder of a place's name, when the admin must give one.
        self.name.setPlaceholderText(_("Required") if preset.kind == "other" else preset.label)


class PlacesDialog(QDialog):
    """Sets up the places that hold one organisation's key; each change is kept at once."""

    changed = Signal()

    def __init__(self, places: Places, profile: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Where this key is used"))
        self._places = places
        self._profile = profile
        self._listed = places.of(profile)
        intro = QLabel(ASK_WHERE, self)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName(_("Places that use this key"))
        self.remove_button = button(self, "removePlaceButton", _("&Remove"), _("Remove the chosen place from the list"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.form = PlaceForm(self)
        self.add_button = button(
            self, "addPlaceButton", _("&Add place"), _("Add the place described above to the list")
        )
        self.add_button.clicked.connect(self.add)
        self.problem = QLabel(self)
        self.problem.setObjectName("placeProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        adding = QGroupBox(_("Add a place"), self)
        adding_column = QVBoxLayout(adding)
        adding_column.addWidget(self.form)
        adding_column.addWidget(self.problem)
        adding_column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.list)
        column.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(adding)
        column.addWidget(buttons)
        self.setMinimumWidth(520)
        self._show_list()

    @Slot()
    def add(self) -> bool:
        try:
            place = self.form.place()
            self._keep([*self._listed, place])
        except ValueError as refused:
            return self._refused(str(refused))
        except OSError as error:
            return self._refused(describe_local_problem(error))
        self.form.clear()
        self.problem.hide()
        return True

    @Slot()
    def remove_selected(self) -> bool:
        row = self.list.currentRow()
        if not 0 <= row < len(self._listed):
            return False
        try:
            self._keep([place for index, place in enumerate(self._listed) if index != row])
        except OSError as error:
            return self._refused(describe_local_problem(error))
        return True

    def _keep(self, places: list[Place]) -> None:
        self._places.set(self._profile, places)
        self._listed = places
        self._show_list()
        self.changed.emit()

    def _refused(self, sentence: str) -> bool:
        self.problem.setText(sentence)
        self.problem.show()
        return False

    def _show_list(self) -> None:
        self.list.clear()
        for place in self._listed:
            # Translators: a line of the list of places: {place} is its name, {where} its address or how to reach it.
            self.list.addItem(_("{place}: {where}").format(place=place.name, where=place.address or place.how_to))
        self.remove_button.setEnabled(bool(self._listed))


class ChecklistBox(QGroupBox):
    """After a rotation: each place as a row with Open, Copy key and Done, until all are done or dismissed.

    Signals:
        copy_requested(): the admin pressed a Copy key (the new key is read now, for that press).
        ticked(str, int): a place was marked done (1) or not (0); no bool on a signal (see worker.py).
        dismissed(): the admin dismissed the checklist.
        edit_requested(): the admin wants to set up the places.
    """

    copy_requested = Signal()
    ticked = Signal(str, int)
    dismissed = Signal()
    edit_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(CHECKLIST_TITLE, parent)
        self.setObjectName("checklist")
        self.rows: dict[str, tuple[QCheckBox, QPushButton, QPushButton]] = {}
        self._grid_holder = QWidget(self)
        self.grid = QGridLayout(self._grid_holder)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.no_places = QLabel(CHECKLIST_WITHOUT_PLACES, self)
        self.no_places.setWordWrap(True)
        self.edit_button = button(self, "checklistPlacesButton", _("Change p&laces..."), EDIT_PLACES)
        self.edit_button.clicked.connect(self.edit_requested)
        self.dismiss_button = button(
            self, "dismissChecklistButton", _("&Dismiss"), _("Stop listing these places until the next rotation")
        )
        self.dismiss_button.clicked.connect(self.dismissed)
        footer = QHBoxLayout()
        footer.addWidget(self.edit_button)
        footer.addStretch(1)
        footer.addWidget(self.dismiss_button)
        column = QVBoxLayout(self)
        column.addWidget(self.no_places)
        column.addWidget(self._grid_holder)
        column.addLayout(footer)
        self.hide()

    def show_checklist(self, checklist: Checklist | None, places: list[Place]) -> None:
        """Show what is left of `checklist` (None: hide)."""
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        if checklist is None:
            self.hide()
            return
        self.no_places.setVisible(not places)
        for row, place in enumerate(places):
            self._add_row(row, place, place.name in checklist.done)
        left = still_to_update_sentence(len(checklist.still_to_update(places)))
        # Translators: the checklist's title; {still_to_update} is "2 places still to update" or "Every place is
        # updated".
        title = _("After the rotation: put the new key in each place ({still_to_update})")
        self.setTitle(title.format(still_to_update=left))
        self.show()

    def _add_row(self, row: int, place: Place, done: bool) -> None:
        holder = self._grid_holder
        tick = QCheckBox(place.name, holder)
        tick.setChecked(done)
        # Translators: a check box's name for screen readers; {place} is the place's name (Teachworks, say).
        tick.setAccessibleName(_("{place}: done").format(place=place.name))
        tick.setAccessibleDescription(_("Tick once the new key is saved there"))
        tick.toggled.connect(lambda checked, name=place.name: self.ticked.emit(name, int(checked)))
        where = QLabel(f"{place.address}\n{place.how_to}" if place.address else place.how_to, holder)
        where.setWordWrap(True)
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_button = button(
            holder,
            "openPlaceButton",
            # Translators: a button that opens a place (Teachworks, say) in the web browser.
            _("Open"),
            # Translators: {place} is the place's name (Teachworks, say).
            _("Open {place} in your web browser").format(place=place.name),
        )
        open_button.setEnabled(place.address is not None)
        fallback = BrowserFallback(place.address or "", holder)
        open_button.clicked.connect(fallback.open)
        copy_button = button(
            holder,
            "copyKeyForPlaceButton",
            _("Copy key"),
            # Translators: {place} is the place's name (Teachworks, say).
            _("Copy the new key, to paste it in {place}").format(place=place.name),
        )
        copy_button.clicked.connect(self.copy_requested)
        # A place is three lines: its name to tick with its buttons, where to go, and where the key goes there.
        where.setIndent(tick.style().pixelMetric(tick.style().PixelMetric.PM_IndicatorWidth) + 6)
        self.grid.addWidget(tick, 3 * row, 0)
        self.grid.addWidget(open_button, 3 * row, 1)
        self.grid.addWidget(copy_button, 3 * row, 2)
        self.grid.addWidget(where, 3 * row + 1, 0, 1, 3)
        self.grid.addWidget(fallback, 3 * row + 2, 0, 1, 3)
        self.grid.setColumnStretch(0, 1)
        self.rows[place.name] = (tick, open_button, copy_button)


def describe_places(places: list[Place], checklist: Checklist | None) -> str:
    """The details' line: what is left to update after a rotation, else which places are set up."""
    if checklist is not None and places:
        return still_to_update_sentence(len(checklist.still_to_update(places)))
    if not places:
        # Translators: the Other places line of the window's details.
        return _("None set up yet")
    return ", ".join(place.name for place in places)


class PlacesPanel(QObject):
    """One organisation's places and checklist in the window: the details' line with Set up places..., and
    the checklist after a rotation, with the lessons since counted (the details' Lessons line shows them).
    Reads and writes only small local files.

    Signals:
        pending(int): places are still to be updated after a rotation (the tray reminds, once a day at most).
    """

    pending = Signal(int)

    def __init__(
        self,
        host: KeyServiceHost,
        model: StatusModel,
        places: Places,
        checklists: Checklists,
        parent: QWidget,
    ):
        super().__init__(parent)
        self._host = host
        self._model = model
        self._places = places
        self._checklists = checklists
        self._parent = parent
        self._count_lessons_next = False
        self.label = QLabel(parent)
        self.label.setObjectName("placesLabel")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.edit_button = button(parent, "editPlacesButton", _("Set up &places..."), EDIT_PLACES)
        self.edit_button.clicked.connect(self.edit)
        self.box = ChecklistBox(parent)
        self.box.copy_requested.connect(host.read_key)
        self.box.ticked.connect(self._on_ticked)
        self.box.dismissed.connect(self._on_dismissed)
        self.box.edit_requested.connect(self.edit)
        host.rotated.connect(self._on_rotated)
        host.operation_finished.connect(self.refresh)  # a rotation, a save or a recovery changes the saved key
        self.refresh()

    @property
    def checklist(self) -> Checklist | None:
        """The checklist that still counts (see _open_checklist)."""
        return self._open_checklist(self._places.of(self._host.profile))

    def _open_checklist(self, places: list[Place]) -> Checklist | None:
        """The checklist, while it is about the saved key, not dismissed, and has a place left (or no places
        are set up, so it asks where the key is used)."""
        checklist = self._checklists.of(self._host.profile)
        if checklist is None or not checklist.counts_for(self._model.key.key_ending):
            return None
        return checklist if not places or checklist.still_to_update(places) else None

    def scheduled_check(self) -> bool:
        """The watch's check: while places are left to update, it counts the lessons since the rotation too."""
        return self._host.count_lessons() if self.checklist is not None else self._host.check()

    @Slot()
    def refresh(self) -> None:
        places = self._places.of(self._host.profile)  # read once: each refresh reads two small files
        checklist = self._open_checklist(places)
        self.label.setText(describe_places(places, checklist))
        self.box.show_checklist(checklist, places)
        if checklist is not None and places:
            self.pending.emit(len(checklist.still_to_update(places)))

    @Slot()
    def edit(self) -> PlacesDialog:
        dialog = PlacesDialog(self._places, self._host.profile, self._parent)
        dialog.changed.connect(self.refresh)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot(object)
    def _on_rotated(self, result: RotationResult) -> None:
        self._count_lessons_next = result.rotated

    @Slot()
    def rotation_dialog_closed(self) -> None:
        """Once the rotation dialog is closed (its Copy needs the worker), count the lessons since: from 0,
        the proof that the other places have the new key."""
        if self._count_lessons_next:
            self._count_lessons_next = False
            self._host.count_lessons()

    @Slot(str, int)
    def _on_ticked(self, place: str, done: int) -> None:
        self._checklists.tick(self._host.profile, place, bool(done))
        QTimer.singleShot(0, self.refresh)  # not inside the check box's own signal: the row is rebuilt

    @Slot()
    def _on_dismissed(self) -> None:
        self._checklists.dismiss(self._host.profile)
        self.refresh()
