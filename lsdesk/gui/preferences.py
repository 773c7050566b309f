"""The dialog that edits the preferences (lsdesk/core/preferences.py keeps them)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lsdesk.core.api_url import DEFAULT_API_URL, ApiUrlError, resolve_api_url
from lsdesk.core.key_dates import ROTATION_CHOICES_DAYS
from lsdesk.core.preferences import WATCH_CHOICES_MINUTES, Preferences

START_AT_SIGN_IN = "lsdesk then watches the key from the start, without opening its window."
NO_TRAY = (
    "This desktop shows no system tray, so lsdesk stops when its window is closed. "
    "On GNOME, the AppIndicator extension adds a tray."
)


def _describe_minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "hour" if hours == 1 else f"{hours} hours"


class PreferencesDialog(QDialog):
    """Edits Preferences; `preferences()` gives the result once accepted."""

    def __init__(
        self,
        current: Preferences,
        parent: QWidget | None = None,
        *,
        tray_available: bool = True,
        starts_at_sign_in: bool = False,
    ):
        super().__init__(parent)
        self.setWindowTitle("lsdesk settings")
        self.setMinimumWidth(480)

        self.api_url = QLineEdit(current.api_url, self)
        self.api_url.setObjectName("apiUrlField")
        self.api_url.setPlaceholderText(DEFAULT_API_URL)
        self.api_url.setAccessibleName("Lessonspace API address")
        self.api_url.setAccessibleDescription("Leave empty to use Lessonspace itself")
        self.api_problem = QLabel(self)
        self.api_problem.setWordWrap(True)
        self.api_problem.hide()

        self.rotation = QComboBox(self)
        self.rotation.setObjectName("rotationPolicy")
        self.rotation.setAccessibleName("Remind me to rotate the key")
        for days in ROTATION_CHOICES_DAYS:
            self.rotation.addItem(f"every {days} days" if days else "never", days)
        self.rotation.setCurrentIndex(max(0, self.rotation.findData(current.rotate_every_days)))

        self.watch = QComboBox(self)
        self.watch.setObjectName("watchInterval")
        self.watch.setAccessibleName("Check the key every")
        for minutes in WATCH_CHOICES_MINUTES:
            self.watch.addItem(f"every {_describe_minutes(minutes)}", minutes)
        self.watch.setCurrentIndex(max(0, self.watch.findData(current.watch_minutes)))

        self.keep_in_tray = QCheckBox("&Keep lsdesk in the system tray when the window is closed", self)
        self.keep_in_tray.setObjectName("keepInTray")
        self.keep_in_tray.setChecked(current.keep_in_tray)
        self.start_at_sign_in = QCheckBox("&Start lsdesk when I sign in", self)
        self.start_at_sign_in.setObjectName("startAtSignIn")
        self.start_at_sign_in.setChecked(starts_at_sign_in)
        self.start_at_sign_in.setToolTip(START_AT_SIGN_IN)
        self.start_at_sign_in.setAccessibleDescription(START_AT_SIGN_IN)
        self.no_tray = QLabel(NO_TRAY, self)
        self.no_tray.setObjectName("noTrayNote")
        self.no_tray.setWordWrap(True)
        if not tray_available:
            # Kept as chosen, for a desktop that shows a tray later; explained, and not offered here.
            self.keep_in_tray.setEnabled(False)
            self.keep_in_tray.setToolTip(NO_TRAY)
            self.keep_in_tray.setAccessibleDescription(NO_TRAY)
        else:
            self.no_tray.hide()

        form = QFormLayout()
        api_label = QLabel("Lessonspace &API address\n(for advanced users):", self)
        api_label.setBuddy(self.api_url)
        form.addRow(api_label, self.api_url)
        form.addRow("", self.api_problem)
        watch_label = QLabel("&Check the key:", self)
        watch_label.setBuddy(self.watch)
        form.addRow(watch_label, self.watch)
        form.addRow("", self.keep_in_tray)
        form.addRow("", self.no_tray)
        form.addRow("", self.start_at_sign_in)
        rotation_label = QLabel("&Remind me to rotate the key:", self)
        rotation_label.setBuddy(self.rotation)
        form.addRow(rotation_label, self.rotation)

        note = QLabel("A new API address is used the next time lsdesk starts.", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(note)
        column.addWidget(buttons)

    def preferences(self) -> Preferences:
        return Preferences(
            api_url=self.api_url.text().strip(),
            watch_minutes=int(self.watch.currentData()),
            keep_in_tray=self.keep_in_tray.isChecked(),
            rotate_every_days=int(self.rotation.currentData()),
        )

    @Slot()
    def accept(self) -> None:
        address = self.api_url.text().strip()
        if address:
            try:
                # Saved as lsdesk will use it: "api.thelessonspace.com" shows as https://... next time.
                self.api_url.setText(resolve_api_url(address))
            except ApiUrlError as error:
                self.api_problem.setText(f"Problem: {error}")
                self.api_problem.show()
                self.adjustSize()  # grow to fit the wrapped message; Qt's minimum size ignores wrapping
                self.api_url.setFocus()
                return
        super().accept()
