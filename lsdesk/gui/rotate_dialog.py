"""The guided rotation: get a new key from Lessonspace, and swap it in safely.

The dialog only asks and shows; the rotation itself runs on the worker
(`KeyServiceHost.rotate`). The new key stays in the dialog until it closes,
so a key Lessonspace accepted is never lost even if saving it fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lsdesk.core.language import _, ngettext
from lsdesk.core.outcome import Outcome, State
from lsdesk.core.rotation import FollowUp
from lsdesk.gui import clipboard
from lsdesk.gui.browser_fallback import BrowserFallback
from lsdesk.gui.key_field import ApiKeyField
from lsdesk.gui.questions import ask_to_switch_organisations
from lsdesk.gui.worker import KeyServiceHost

if TYPE_CHECKING:
    from lsdesk.core.rotation import RotationResult


def _plain_label(text: str, parent: QWidget, name: str = "") -> QLabel:
    """Wrapped, selectable plain text: it carries organisation names and server text."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


INTRO = _(
    # Translators: "Rotate" is this dialog's button: translate it as there.
    "<p>Rotating replaces the key lsdesk keeps with a new one. The old key goes on working in Lessonspace "
    "until you revoke it there.</p>"
    "<p>1. Open Lessonspace developer settings and generate a new API key.<br>"
    "2. Paste the new key below and press <b>Rotate</b>.</p>"
    "<p>lsdesk checks the new key with Lessonspace first, and keeps your current key until the new one "
    "is safely saved. Afterwards, every other place that uses the old key, such as your Teachworks "
    "settings page, needs the new key.</p>"
)
NOT_COPIED_TITLE = _("You haven't copied the new key yet")
NOT_COPIED = _(
    "Every other place that uses the old key, such as your Teachworks settings page, needs the new one. "
    "Once this window is closed, lsdesk will not show the new key again."
)
COPY_AND_CLOSE = _("&Copy and close")
CLOSE_ANYWAY = _("Close &anyway")
COPY_NEW_KEY = _("&Copy new key")
FOLLOW_UP_BUTTONS = {
    FollowUp.REVOKE_OLD_KEY: ("revokeOldKeyButton", _("Open Lessonspace &dashboard")),
    FollowUp.UPDATE_ELSEWHERE: ("copyKeyButton", COPY_NEW_KEY),
}


class RotateDialog(QDialog):
    def __init__(self, host: KeyServiceHost, current: Outcome, developer_url: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Rotate API key"))
        self.setMinimumWidth(520)
        self._host = host
        self._current = current
        self._developer_url = developer_url
        self._new_key: str | None = None  # accepted by Lessonspace: kept until the dialog closes
        self._copied = False
        self.revoke_button: QPushButton | None = None  # a follow-up, once the rotation is done

        self.intro = QLabel(INTRO, self)
        self.intro.setWordWrap(True)
        self.open_developer_button = QPushButton(_("&Open Lessonspace developer settings"), self)
        self.open_developer_button.setAccessibleName(_("Open Lessonspace developer settings"))
        self.developer_fallback = BrowserFallback(developer_url, self)  # shown if no browser opens
        self.open_developer_button.clicked.connect(self.developer_fallback.open)
        self.open_developer_button.clicked.connect(self.adjustSize)  # room for the address, if shown

        self.key_field = ApiKeyField(self)
        self.key_field.line_edit.setAccessibleName(_("New API key"))
        self._key_label = QLabel(_("&New API key"), self)
        self._key_label.setBuddy(self.key_field.line_edit)

        self.status = _plain_label("", self, "rotationStatus")
        # After a rotation: what was done, then each follow-up on its own line with its own button.
        self.result_list = QWidget(self)
        self.result_list.setObjectName("rotationResult")
        self.result_list.setAccessibleName(_("What was done, and what is left to do"))
        self._result_rows = QGridLayout(self.result_list)
        self._result_rows.setContentsMargins(0, 0, 0, 0)
        self._result_rows.setColumnStretch(0, 1)
        self.result_list.hide()
        self.copy_note = _plain_label("", self, "copyNote")  # said once, however often Copy is pressed
        self.copy_note.hide()

        buttons = QDialogButtonBox(self)
        # Translators: the button that replaces the saved key with the new one.
        self.rotate_button = buttons.addButton(_("&Rotate"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.rotate_button.setObjectName("rotateNowButton")
        self.copy_button = buttons.addButton(COPY_NEW_KEY, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("copyKeyButton")
        self.copy_button.hide()
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.rotate_button, self.copy_button, self.close_button):
            button.setAccessibleName(button.text().replace("&", ""))
            button.setAutoDefault(False)
        self.rotate_button.setDefault(True)
        # The box's own accept/reject would close the dialog; each button is handled here.
        self.rotate_button.clicked.connect(self.rotate)
        self.copy_button.clicked.connect(self._copy)
        self.close_button.clicked.connect(self.reject)
        self.key_field.submitted.connect(self.rotate)

        self._buttons = buttons
        column = QVBoxLayout(self)
        column.addWidget(self.intro)
        column.addWidget(self.open_developer_button)
        column.addWidget(self.developer_fallback)
        column.addWidget(self._key_label)
        column.addWidget(self.key_field)
        column.addWidget(self.status)
        column.addWidget(self.result_list)
        column.addWidget(self.copy_note)
        column.addWidget(buttons)
        # Never narrower than its layout needs (a check box's or button's text does not wrap, and a translation is
        # often longer than the English): a small screen would otherwise get it at two thirds of its width, cut off.
        self.setMinimumWidth(max(self.minimumWidth(), column.minimumSize().width()))
        self.key_field.setFocus()  # the admin's next step is pasting the new key

        host.operation_started.connect(self._on_busy_changed)
        host.operation_finished.connect(self._on_busy_changed)
        host.rotation_progressed.connect(self._on_progress)
        host.rotated.connect(self._on_rotated)

    @Slot()
    def rotate(self, allow_other_organisation: bool = False) -> None:
        if self._host.busy or self._new_key is not None:
            return
        if not self.key_field.looks_like_a_key():
            return
        self._host.rotate(self.key_field.text(), self._current, allow_other_organisation=allow_other_organisation)

    @Slot()
    def _on_busy_changed(self) -> None:
        busy = self._host.busy
        self.rotate_button.setEnabled(not busy and self._new_key is None)
        self.close_button.setEnabled(not busy)
        self.key_field.set_busy(busy)

    @Slot(str)
    def _on_progress(self, step: str) -> None:
        self.status.setText(step)

    @Slot(object)
    def _on_rotated(self, result: RotationResult) -> None:
        if result.needs_confirmation:
            self.status.setText(result.outcome.message)
            # Asked once the rotation has ended, so that Yes can start the next one.
            QTimer.singleShot(0, lambda: self._confirm_other_organisation(result))
            return
        if result.rotated:
            self._new_key = self.key_field.key()
            self.key_field.clear()
            self.key_field.set_busy(True)
            self.rotate_button.setEnabled(False)
            # Translators: the rotation's headline ("Rotated the API key", say), as a sentence.
            self.status.setText(_("{title}.").format(title=result.outcome.title))
            self._show_result(result)
            self.copy_button.setFocus()  # the next step: the other places need the new key
            return
        # Translators: {message} says what went wrong.
        self.status.setText(_("Problem: {message}").format(message=result.outcome.message))
        if result.outcome.state is State.NO_STORAGE:
            # Lessonspace took the key but the keychain did not: keep it at hand.
            self.copy_button.show()
            self.rotate_button.setText(_("&Try again"))

    def _show_result(self, result: RotationResult) -> None:
        rows = self._result_rows
        # Translators: the first line of a rotation's result; {message} says what was done.
        done = _("Done: {message}").format(message=result.done)
        rows.addWidget(_plain_label(done, self.result_list, "rotationDone"), 0, 0, 1, 2)
        for row, (follow_up, text) in enumerate(result.follow_ups, start=1):
            rows.addWidget(_plain_label(text, self.result_list, "followUp"), row, 0)
            if follow_up is FollowUp.UPDATE_ELSEWHERE:
                self._buttons.removeButton(self.copy_button)
                button = self.copy_button
                button.setParent(self.result_list)
            elif follow_up is FollowUp.REVOKE_OLD_KEY:
                name, label = FOLLOW_UP_BUTTONS[follow_up]
                button = QPushButton(label, self.result_list)
                button.setObjectName(name)
                button.setAccessibleName(label.replace("&", ""))
                button.setAutoDefault(False)
                button.clicked.connect(self.developer_fallback.open)
                self.revoke_button = button
            else:
                continue
            rows.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
            button.show()
        # The steps and the field are done with: the result is what is left to read.
        for done_with in (self.intro, self.open_developer_button, self._key_label, self.key_field, self.rotate_button):
            done_with.hide()
        headline = self.status.font()
        headline.setBold(True)
        self.status.setFont(headline)
        self.result_list.show()
        self.adjustSize()

    def _confirm_other_organisation(self, result: RotationResult) -> None:
        if ask_to_switch_organisations(self, result.outcome.message):
            self.rotate(allow_other_organisation=True)

    @Slot()
    def _copy(self) -> None:
        key = self._new_key or self.key_field.key()
        if key:
            clipboard.copy_for_a_while(key)
            self._copied = True
            seconds = clipboard.CLEAR_AFTER_MS // 1000
            self.copy_note.setText(
                ngettext(
                    "The new key is on the clipboard; lsdesk clears it in {seconds} second.",
                    "The new key is on the clipboard; lsdesk clears it in {seconds} seconds.",
                    seconds,
                ).format(seconds=seconds)
            )
            self.copy_note.show()

    def _key_at_risk(self) -> bool:
        """A key Lessonspace accepted that would be gone with the dialog: saved but not yet copied
        for the other places, or not saved at all (the keychain refused it)."""
        if self._copied:
            return False
        return self._new_key is not None or (self.copy_button.isVisible() and bool(self.key_field.key()))

    def reject(self) -> None:
        if self._host.busy:
            return  # a rotation is under way; its result must be seen
        if self._key_at_risk():
            choice = self._ask_before_closing()
            if choice is None:
                return
            if choice == COPY_AND_CLOSE:
                self._copy()
        self._new_key = None
        super().reject()

    def _ask_before_closing(self) -> str | None:
        """Copy and close, Close anyway, or None to stay (Escape)."""
        box = QMessageBox(QMessageBox.Icon.Warning, NOT_COPIED_TITLE, NOT_COPIED_TITLE, parent=self)
        box.setInformativeText(NOT_COPIED)
        box.setTextFormat(Qt.TextFormat.PlainText)
        copy = box.addButton(COPY_AND_CLOSE, QMessageBox.ButtonRole.AcceptRole)
        anyway = box.addButton(CLOSE_ANYWAY, QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(copy)
        box.setEscapeButton(stay)
        box.exec()
        clicked = box.clickedButton()
        if clicked == copy:
            return COPY_AND_CLOSE
        return CLOSE_ANYWAY if clicked == anyway else None
