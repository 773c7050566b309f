"""The settings window, laid out like Lessonspace's integration settings page.

The window only shows and asks: every check and save goes to the worker
through `KeyServiceHost`, and comes back as a signal.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lsdesk.core.keystore import KEYRING_STOPPED_MESSAGE, KEYRING_STOPPED_TITLE, KEYRING_WAITING_TITLE
from lsdesk.core.outcome import Outcome, State
from lsdesk.gui.badge import StatusBadge
from lsdesk.gui.history_view import HistoryList
from lsdesk.gui.key_field import ApiKeyField
from lsdesk.gui.preferences import Preferences
from lsdesk.gui.questions import ask_to_switch_organisations
from lsdesk.gui.status_memory import StatusMemory
from lsdesk.gui.theme import banner_style, icon
from lsdesk.gui.worker import KeyServiceHost

if TYPE_CHECKING:
    from lsdesk.core.rotation import RotationResult
    from lsdesk.core.usecases import SaveResult
    from lsdesk.gui.preferences import PreferencesDialog
    from lsdesk.gui.rotate_dialog import RotateDialog
    from lsdesk.gui.watch import KeyWatch

# The dialogs are imported when first opened: the window appears sooner.

WINDOW_TITLE = "Lessonspace Integration Settings"
SANDBOX_BANNER = "Sandbox: not connected to Lessonspace; nothing is saved"
UNKNOWN = "Unknown"
SAVE_STOPPED_WAITING = "lsdesk stopped waiting for your keyring. Unlock your keyring, then press Save again."

HELP_STEPS = (
    "1. Sign in to Lessonspace as an administrator.<br>"
    "2. Open <b>Settings &gt; Developer</b>.<br>"
    "3. Generate a new API key and copy it.<br>"
    "4. Paste it into the <b>API key</b> field above and press <b>Save</b>."
)


class SettingsWindow(QWidget):
    """Signals:
    preferences_changed(Preferences): the user saved new preferences.
    """

    preferences_changed = Signal(object)

    def __init__(
        self,
        host: KeyServiceHost,
        memory: StatusMemory,
        settings: QSettings,
        *,
        developer_url: str,
        sandbox: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._host = host
        self._memory = memory
        self._settings = settings
        # Set by create_window: the scheduled re-check.
        self.watch: KeyWatch | None = None
        # Set by the application when a system tray shows lsdesk: closing then only hides.
        self.keep_in_tray = False
        self._quitting = False
        self._developer_url = developer_url
        self._last_check: Outcome | None = None
        self._operation: str | None = None  # which of check, save, rotate runs now
        self._banner: QLabel | None = None

        self.setWindowTitle(WINDOW_TITLE + (" (sandbox)" if sandbox else ""))
        self.setWindowIcon(icon("app.svg"))
        self.setMinimumWidth(560)

        self.notice = QLabel(self)
        self.notice.setObjectName("noticeLabel")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)  # may name the organisation
        self.notice.hide()
        self.badge = StatusBadge(self)
        self.organisation_label = self._detail_label("organisationLabel")
        self.key_ending_label = self._detail_label("keyEndingLabel")
        self.last_checked_label = self._detail_label("lastCheckedLabel")

        self.key_field = ApiKeyField(self)
        key_label = QLabel("API &key", self)
        key_label.setBuddy(self.key_field.line_edit)

        self.save_button = self._button("saveButton", "&Save", "Check the new key with Lessonspace, then save it")
        self.check_button = self._button("checkButton", "&Check again", "Check the saved key with Lessonspace again")
        self.rotate_button = self._button("rotateButton", "&Rotate API key", "Replace the saved key with a new one")
        self.open_developer_button = self._button(
            "openDeveloperSettingsButton",
            "&Open Lessonspace developer settings",
            "Open the Lessonspace page where API keys are made, in your web browser",
        )
        self.settings_button = self._button(
            "settingsButton", "Se&ttings...", "Change how often lsdesk checks the key, the tray, and the API address"
        )
        self.cancel_button = self._button("cancelWaitButton", "Cancel", "Stop waiting for your keyring")
        self.cancel_button.hide()  # shown only while the keyring keeps lsdesk waiting
        self.history_list = HistoryList(host.history, host.profile, self)
        self.history_list.refresh()

        self._lay_out(key_label, sandbox)
        tab_order = (
            self.key_field.line_edit,
            self.key_field.toggle,
            self.save_button,
            self.check_button,
            self.rotate_button,
            self.open_developer_button,
            self.history_list,
            self.settings_button,
        )
        for before, after in zip(tab_order, tab_order[1:]):
            self.setTabOrder(before, after)

        self.key_field.submitted.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.check_button.clicked.connect(self.check)
        self.rotate_button.clicked.connect(self.open_rotation)
        self.open_developer_button.clicked.connect(self._open_developer_settings)
        self.settings_button.clicked.connect(self.open_preferences)
        self.cancel_button.clicked.connect(self.stop_waiting)
        host.operation_started.connect(self._on_busy_changed)
        host.operation_finished.connect(self._on_busy_changed)
        host.checked.connect(self._on_checked)
        host.saved.connect(self._on_saved)
        host.rotated.connect(self._on_rotated)
        host.failed.connect(self._on_failed)
        host.recovered.connect(self._on_recovered)
        host.keyring_waiting.connect(self._on_keyring_waiting)
        host.keyring_answered.connect(self._on_keyring_answered)
        # Held: the accessibility hints live only as long as this wrapper.
        self._style_hints = QGuiApplication.styleHints()
        self._style_hints.accessibility().contrastPreferenceChanged.connect(self._restyle)
        self._update_buttons()

    @property
    def host(self) -> KeyServiceHost:
        """The worker's handle: its signals say when an operation ends."""
        return self._host

    # Actions ---------------------------------------------------------------

    def start(self) -> None:
        """Show the last known status, then check the stored key at once."""
        remembered = self._memory.recall()
        if remembered is not None:
            self._show_details(remembered)
        if self.check() and remembered is not None:
            self.badge.show_state(
                remembered.state,
                remembered.title,
                f"That was the status on {_when(remembered.checked_at)}. Checking again now...",
            )

    @Slot()
    def check(self) -> bool:
        if not self._host.check():
            return False
        self._operation = "check"
        self.badge.show_checking()
        return True

    @Slot()
    def save(self, allow_other_organisation: bool = False) -> None:
        if self._host.busy or not self.key_field.looks_like_a_key():
            return
        if self._host.save(self.key_field.text(), allow_other_organisation=allow_other_organisation):
            self._operation = "save"
            self.key_field.show_feedback("Checking the new key with Lessonspace...", problem=False)

    @Slot()
    def open_rotation(self) -> RotateDialog | None:
        """Open the guided rotation; offered only right after a check found the key valid."""
        if self._last_check is None or self._last_check.state is not State.VALID or self._host.busy:
            return None
        from lsdesk.gui.rotate_dialog import RotateDialog

        self._operation = "rotate"
        dialog = RotateDialog(self._host, self._last_check, self._developer_url, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def stop_waiting(self) -> None:
        """Cancel: stop waiting for the keyring; the window is free again at once."""
        operation = self._operation
        if not self._host.cancel():
            return
        if operation == "save":
            self.key_field.show_feedback(SAVE_STOPPED_WAITING, problem=True)
        else:
            self.badge.show_state(State.NO_STORAGE, KEYRING_STOPPED_TITLE, KEYRING_STOPPED_MESSAGE)

    # Results ---------------------------------------------------------------

    @Slot()
    def _on_keyring_waiting(self) -> None:
        if self._operation == "check":
            self.badge.show_waiting_for_keyring()
        elif self._operation == "save":
            self.key_field.show_feedback(f"{KEYRING_WAITING_TITLE}...", problem=False)
        else:
            return  # a rotation's dialog says it itself
        self.cancel_button.show()

    @Slot()
    def _on_keyring_answered(self) -> None:
        self.cancel_button.hide()
        if self._operation == "check":
            self.badge.show_checking()

    @Slot(object)
    def _on_checked(self, result: Outcome) -> None:
        self._show_stored_key_status(result)

    @Slot(object)
    def _on_saved(self, result: SaveResult) -> None:
        if result.needs_confirmation:
            # As the rotation dialog does: nothing was changed, the admin decides.
            self.key_field.show_feedback(result.outcome.message, problem=True)
            if ask_to_switch_organisations(self, result.outcome.message):
                self.save(allow_other_organisation=True)
            return
        if result.saved:
            self.key_field.clear()
            self.key_field.show_feedback(result.outcome.message, problem=False)
            self._show_stored_key_status(result.outcome)
        else:
            # The typed key stays in the field: nothing the user pasted is lost.
            self.key_field.show_feedback(result.outcome.message, problem=True)
            self.key_field.setFocus()

    @Slot(object)
    def _on_rotated(self, result: RotationResult) -> None:
        if result.rotated:
            self._show_stored_key_status(result.outcome)

    @Slot(str)
    def _on_recovered(self, notice: str) -> None:
        self.notice.setText(notice)
        self.notice.show()

    @Slot(object)
    def _on_failed(self, result: Outcome) -> None:
        if self._operation == "save":
            self.key_field.show_feedback(result.message, problem=True)
        elif self._operation == "check":
            self.badge.show_state(result.state, result.title, result.message)
        # A rotation's dialog shows its own failures.

    @Slot()
    def _on_busy_changed(self) -> None:
        self.key_field.set_busy(self._host.busy)
        self._update_buttons()
        if not self._host.busy:
            self.cancel_button.hide()
        if not self._host.busy:
            self.history_list.refresh()  # the worker records each operation before it ends

    # Display ---------------------------------------------------------------

    def _show_stored_key_status(self, result: Outcome) -> None:
        self.badge.show_state(result.state, result.title, result.message)
        self._last_check = result
        self._show_details(result)
        self._memory.remember(result)

    def _show_details(self, result: Outcome) -> None:
        org = result.organisation
        self.organisation_label.setText(org.describe() if org is not None else UNKNOWN)
        if result.key_ending:
            self.key_ending_label.setText(f"ends in {result.key_ending}")
        else:
            self.key_ending_label.setText("None saved" if result.state is State.NOT_SET else UNKNOWN)
        if result.state in (State.NOT_SET, State.NO_STORAGE, State.BAD_INPUT):
            self.last_checked_label.setText("Not checked")  # nothing was asked of Lessonspace
        else:
            unanswered = " (Lessonspace didn't answer)" if result.state.is_network_problem else ""
            self.last_checked_label.setText(_when(result.checked_at) + unanswered)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self._host.busy
        self.save_button.setEnabled(idle)
        self.check_button.setEnabled(idle)
        valid = self._last_check is not None and self._last_check.state is State.VALID
        self.rotate_button.setEnabled(idle and valid)

    @Slot()
    def _open_developer_settings(self) -> None:
        QDesktopServices.openUrl(QUrl(self._developer_url))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Widgets with a style sheet (the badge, the banner) get no palette or
        # font events of their own, so the window passes them on.
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        elif event.type() == QEvent.Type.FontChange:
            self.badge.scale_title_font()
        super().changeEvent(event)

    @Slot()
    def _restyle(self) -> None:
        self.badge.restyle()
        self._restyle_banner()

    def _restyle_banner(self) -> None:
        style = banner_style()
        if self._banner is not None and style != self._banner.styleSheet():
            self._banner.setStyleSheet(style)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self._fit_height()
        return handled

    def _fit_height(self) -> None:
        """Grow the window when a longer message needs room. Qt's minimum size
        ignores wrapped text, which would otherwise squeeze the help below."""
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.setMinimumHeight(layout.totalHeightForWidth(self.width()))

    @Slot()
    def open_preferences(self) -> PreferencesDialog:
        from lsdesk.gui.preferences import PreferencesDialog

        dialog = PreferencesDialog(Preferences.load(self._settings), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_preferences(dialog.preferences()))
        dialog.open()
        return dialog

    def _save_preferences(self, preferences: Preferences) -> None:
        preferences.save(self._settings)
        self.preferences_changed.emit(preferences)

    @Slot()
    def bring_forward(self) -> None:
        """Show the window on top, from the tray or when the key needs attention."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    @Slot()
    def quit(self) -> None:
        """Close for good, even when closing would only hide the window in the tray."""
        self._quitting = True
        self.close()  # the last window closed: the application ends

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.keep_in_tray and not self._quitting:
            event.ignore()
            self.hide()  # lsdesk keeps watching the key from the tray
            return
        self._host.shutdown()
        super().closeEvent(event)

    # Layout ----------------------------------------------------------------

    def _lay_out(self, key_label: QLabel, sandbox: bool) -> None:
        details = QFormLayout()
        details.addRow("Organisation:", self.organisation_label)
        details.addRow("Saved key:", self.key_ending_label)
        details.addRow("Last checked:", self.last_checked_label)

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        buttons.addWidget(self.rotate_button)

        key_box = QGroupBox("Save a new API key", self)
        key_layout = QVBoxLayout(key_box)
        key_layout.addWidget(key_label)
        key_layout.addWidget(self.key_field)
        key_layout.addLayout(buttons)

        history_box = QGroupBox("History", self)
        QVBoxLayout(history_box).addWidget(self.history_list)

        help_box = QGroupBox("How to get a new API key", self)
        help_text = QLabel(HELP_STEPS, help_box)
        help_layout = QVBoxLayout(help_box)
        help_layout.addWidget(help_text)
        help_layout.addWidget(self.open_developer_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(16, 16, 16, 16)
        column.setSpacing(12)
        if sandbox:
            self._banner = QLabel(SANDBOX_BANNER, self)
            self._banner.setObjectName("sandboxBanner")
            self._banner.setWordWrap(True)
            self._restyle_banner()
            column.addWidget(self._banner)
        column.addWidget(self.notice)
        column.addWidget(self.badge)
        column.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)  # hidden: takes no room
        column.addLayout(details)
        column.addWidget(key_box)
        column.addWidget(help_box)
        column.addWidget(history_box)
        settings_row = QHBoxLayout()
        settings_row.addStretch(1)
        settings_row.addWidget(self.settings_button)
        column.addLayout(settings_row)
        column.addStretch(1)

    def _detail_label(self, name: str) -> QLabel:
        label = QLabel(UNKNOWN, self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the organisation's name comes from the server
        return label

    def _button(self, name: str, text: str, description: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", ""))
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        return button


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y, %H:%M")
