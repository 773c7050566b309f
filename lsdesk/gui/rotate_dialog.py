"""The guided rotation: get a new key from Lessonspace, and swap it in safely.

The dialog only asks and shows; the rotation itself runs on the worker
(`KeyServiceHost.rotate`). The new key stays in the dialog until it closes,
so a key Lessonspace accepted is never lost even if saving it fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from lsdesk.core.outcome import Outcome, State
from lsdesk.gui import clipboard
from lsdesk.gui.browser_fallback import BrowserFallback
from lsdesk.gui.key_field import ApiKeyField
from lsdesk.gui.questions import ask_to_switch_organisations
from lsdesk.gui.worker import KeyServiceHost

if TYPE_CHECKING:
    from lsdesk.core.rotation import RotationResult

INTRO = (
    "<p>Rotating gives your organisation a new API key and retires the old one.</p>"
    "<p>1. Open Lessonspace developer settings and generate a new API key.<br>"
    "2. Paste the new key below and press <b>Rotate</b>.</p>"
    "<p>lsdesk checks the new key with Lessonspace first, and keeps your current key until the new one "
    "is safely saved. Afterwards, every other place that uses the old key, such as your Teachworks "
    "settings page, needs the new key.</p>"
)


class RotateDialog(QDialog):
    def __init__(self, host: KeyServiceHost, current: Outcome, developer_url: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Rotate API key")
        self.setMinimumWidth(520)
        self._host = host
        self._current = current
        self._developer_url = developer_url
        self._new_key: str | None = None

        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.open_developer_button = QPushButton("&Open Lessonspace developer settings", self)
        self.open_developer_button.setAccessibleName("Open Lessonspace developer settings")
        self.developer_fallback = BrowserFallback(developer_url, self)  # shown if no browser opens
        self.open_developer_button.clicked.connect(self.developer_fallback.open)
        self.open_developer_button.clicked.connect(self.adjustSize)  # room for the address, if shown

        self.key_field = ApiKeyField(self)
        self.key_field.line_edit.setAccessibleName("New API key")
        label = QLabel("&New API key", self)
        label.setBuddy(self.key_field.line_edit)

        self.status = QLabel(self)
        self.status.setObjectName("rotationStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # carries organisation names and server text
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QDialogButtonBox(self)
        self.rotate_button = buttons.addButton("&Rotate", QDialogButtonBox.ButtonRole.AcceptRole)
        self.rotate_button.setObjectName("rotateNowButton")
        self.copy_button = buttons.addButton("&Copy new key", QDialogButtonBox.ButtonRole.ActionRole)
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

        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.open_developer_button)
        column.addWidget(self.developer_fallback)
        column.addWidget(label)
        column.addWidget(self.key_field)
        column.addWidget(self.status)
        column.addWidget(buttons)
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
            self.status.setText(f"{result.outcome.title}. {result.outcome.message}")
            self.copy_button.show()
            self.close_button.setFocus()
            return
        self.status.setText(f"Problem: {result.outcome.message}")
        if result.outcome.state is State.NO_STORAGE:
            # Lessonspace took the key but the keychain did not: keep it at hand.
            self.copy_button.show()
            self.rotate_button.setText("&Try again")

    def _confirm_other_organisation(self, result: RotationResult) -> None:
        if ask_to_switch_organisations(self, result.outcome.message):
            self.rotate(allow_other_organisation=True)

    @Slot()
    def _copy(self) -> None:
        key = self._new_key or self.key_field.key()
        if key:
            clipboard.copy_for_a_while(key)
            self.status.setText(
                f"{self.status.text()}\nThe new key is on the clipboard; lsdesk clears it in "
                f"{clipboard.CLEAR_AFTER_MS // 1000} seconds."
            )

    def reject(self) -> None:
        if self._host.busy:
            return  # a rotation is under way; its result must be seen
        self._new_key = None
        super().reject()
