"""The organisation list at the top of the window: every profile lsdesk knows with its state, Rename...,
"Add organisation...", and a warning when two profiles hold keys of one organisation."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from lsdesk.core.language import _
from lsdesk.core.profiles import KnownProfile, profile_name_for, same_organisation_warning, set_display_name
from lsdesk.gui.badge import state_icon
from lsdesk.gui.controls import button
from lsdesk.gui.theme import draw_status_icon, status_icon

# Translators: the last entry of the list of organisations; choosing it adds one.
ADD_ORGANISATION = _("Add organisation...")
ADD_ORGANISATION_TITLE = _("Add organisation")
ADD_ORGANISATION_QUESTION = _("The organisation's name, as you call it (its key is pasted next):")
RENAME_TITLE = _("Rename organisation")
RENAME_QUESTION = _("The name lsdesk shows for this organisation (Lessonspace's own name is not changed):")
# The warning beside the list and on its line, in lsdesk's own colours (light, dark, high contrast), at the size
# of a small icon.
WARNING = "warning.svg"
WARNING_SIZE = 16


class OrganisationBar(QWidget):
    """Signals:
    chosen(str): the admin picked another profile, or named a new one.
    renamed(): the admin gave this profile's organisation another name.
    """

    chosen = Signal(str)
    renamed = Signal()

    def __init__(self, profile: str, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self._profile = profile
        self._settings = settings
        self._known: list[KnownProfile] = []
        self._listed: list[tuple[str, str | None, bool]] = []  # each line: its text, profile, warning icon
        self.switcher = QComboBox(self)
        self.switcher.setObjectName("profileSwitcher")
        self.switcher.setAccessibleName(_("Organisation"))
        self.switcher.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.switcher.setMinimumContentsLength(24)
        self.switcher.view().setAccessibleName(_("Organisations"))
        self.switcher.activated.connect(self._on_picked)
        self.rename_button = button(
            self, "renameOrganisationButton", _("Re&name..."), _("Change the name lsdesk shows for this organisation")
        )
        self.rename_button.clicked.connect(self.rename)
        self._warning_icon = QLabel(self)
        draw_status_icon(self._warning_icon, WARNING, WARNING_SIZE)
        self.warning = QLabel(self)
        self.warning.setObjectName("sameOrganisationWarning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.switcher, 1)
        top.addWidget(self.rename_button)
        warning_row = QHBoxLayout()
        warning_row.setContentsMargins(0, 0, 0, 0)
        warning_row.addWidget(self._warning_icon, 0, Qt.AlignmentFlag.AlignTop)
        warning_row.addWidget(self.warning, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addLayout(warning_row)
        self._show_warning(None)

    @property
    def current(self) -> KnownProfile | None:
        return next((known for known in self._known if known.name == self._profile), None)

    def show_profiles(self, known: list[KnownProfile]) -> None:
        """The organisations lsdesk knows, this one selected, and "Add organisation..." last.

        A line changes in place when only its state or name changed: a screen reader hears only that.
        """
        self._known = known
        current = self.current
        self._show_warning(same_organisation_warning(current) if current is not None else None)
        switcher = self.switcher
        listed = self._listed
        wanted = [(profile.label(), profile.name, bool(profile.same_organisation_as)) for profile in known]
        wanted.append((ADD_ORGANISATION, None, False))
        self._listed = wanted
        if listed == wanted:
            return  # unchanged: a screen reader hears nothing new
        if [line[1] for line in listed] == [line[1] for line in wanted]:
            for index, profile in enumerate(known):
                if listed[index] != wanted[index]:
                    switcher.setItemText(index, profile.label())
                    switcher.setItemIcon(index, self._icon_of(profile))
            return
        switcher.blockSignals(True)
        switcher.clear()
        for profile in known:
            switcher.addItem(self._icon_of(profile), profile.label(), profile.name)
        switcher.addItem(ADD_ORGANISATION, None)
        switcher.setCurrentIndex(max(0, switcher.findData(self._profile)))
        switcher.blockSignals(False)

    @Slot()
    def rename(self) -> bool:
        """Ask for the organisation's name as the admin calls it; False if it was not changed."""
        current = self.current
        shown = current.shown_name if current is not None else self._profile
        typed, given = QInputDialog.getText(self, RENAME_TITLE, RENAME_QUESTION, QLineEdit.EchoMode.Normal, shown)
        if not given or typed.strip() == shown:
            return False
        try:
            set_display_name(self._settings, self._profile, typed)
        except ValueError as refused:
            QMessageBox.warning(self, RENAME_TITLE, str(refused))
            return False
        self.renamed.emit()
        return True

    def _icon_of(self, profile: KnownProfile):
        if profile.same_organisation_as:
            return status_icon(WARNING, WARNING_SIZE, self.devicePixelRatioF())
        return state_icon(profile.status.state if profile.status else None)

    def _show_warning(self, sentence: str | None) -> None:
        self.warning.setText(sentence or "")
        self.warning.setAccessibleName(sentence or "")
        self._warning_icon.setVisible(sentence is not None)
        self.warning.setVisible(sentence is not None)

    @Slot(int)
    def _on_picked(self, index: int) -> None:
        chosen = self.switcher.itemData(index)
        if chosen is None:
            chosen = self._ask_for_a_new_profile()
        if chosen is None or chosen == self._profile:
            self.switcher.setCurrentIndex(max(0, self.switcher.findData(self._profile)))
            return
        self.chosen.emit(chosen)

    def _ask_for_a_new_profile(self) -> str | None:
        taken = {known.name for known in self._known}
        typed, given = QInputDialog.getText(self, ADD_ORGANISATION_TITLE, ADD_ORGANISATION_QUESTION)
        if not given:
            return None
        try:
            name = profile_name_for(typed, taken)
            set_display_name(self._settings, name, typed)
        except ValueError as refused:
            QMessageBox.warning(self, ADD_ORGANISATION_TITLE, str(refused))
            return None
        return name
