"""The few non-secret preferences, kept in QSettings, and the dialog that edits them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Slot
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

log = logging.getLogger(__name__)

# How often the running app re-checks the key. Never more often than every
# 15 minutes: a key does not change that fast, and Lessonspace limits requests.
WATCH_CHOICES_MINUTES = (15, 30, 60, 180, 360, 720, 1440)
DEFAULT_WATCH_MINUTES = 360
MIN_WATCH_MINUTES = WATCH_CHOICES_MINUTES[0]


@dataclass(frozen=True)
class Preferences:
    api_url: str = ""  # empty: $LSDESK_API_URL or Lessonspace itself
    watch_minutes: int = DEFAULT_WATCH_MINUTES
    keep_in_tray: bool = True

    @classmethod
    def load(cls, settings: QSettings) -> Preferences:
        """The saved preferences. The settings file is plain text anyone can edit,
        so a value of the wrong type or out of range is replaced (a number of
        minutes by the nearest choice the dialog offers) and logged by its name
        alone: lsdesk starts whatever the file holds."""
        return cls(
            api_url=_text(settings, "preferences/api_url", ""),
            watch_minutes=_watch_minutes(settings),
            keep_in_tray=_flag(settings, "preferences/keep_in_tray", True),
        )

    def save(self, settings: QSettings) -> None:
        settings.setValue("preferences/api_url", self.api_url)
        settings.setValue("preferences/watch_minutes", self.watch_minutes)
        settings.setValue("preferences/keep_in_tray", "true" if self.keep_in_tray else "false")
        settings.sync()


def _text(settings: QSettings, name: str, default: str) -> str:
    value = settings.value(name, default)
    if value is None:
        return default
    if not isinstance(value, str):  # an INI value with a comma reads as a list
        log.warning("ignored the setting %s: not a piece of text", name)
        return default
    return value


def _flag(settings: QSettings, name: str, default: bool) -> bool:
    value = settings.value(name, None)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    log.warning("ignored the setting %s: not true or false", name)
    return default


def _watch_minutes(settings: QSettings) -> int:
    """A number of minutes the dialog offers: the largest choice not above the
    saved number, and never below the shortest choice."""
    name = "preferences/watch_minutes"
    value = settings.value(name, None)
    if value is None:
        return DEFAULT_WATCH_MINUTES
    try:
        if isinstance(value, bool):
            raise TypeError("a flag, not a number")
        minutes = int(value)
    except (TypeError, ValueError, OverflowError):
        log.warning("ignored the setting %s: not a whole number", name)
        return DEFAULT_WATCH_MINUTES
    if minutes in WATCH_CHOICES_MINUTES:
        return minutes
    chosen = max([choice for choice in WATCH_CHOICES_MINUTES if choice <= minutes], default=MIN_WATCH_MINUTES)
    log.warning("the setting %s is not one of the offered intervals; using %d minutes", name, chosen)
    return chosen


def _describe_minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "hour" if hours == 1 else f"{hours} hours"


class PreferencesDialog(QDialog):
    """Edits Preferences; `preferences()` gives the result once accepted."""

    def __init__(self, current: Preferences, parent: QWidget | None = None):
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

        self.watch = QComboBox(self)
        self.watch.setObjectName("watchInterval")
        self.watch.setAccessibleName("Check the key every")
        for minutes in WATCH_CHOICES_MINUTES:
            self.watch.addItem(f"every {_describe_minutes(minutes)}", minutes)
        self.watch.setCurrentIndex(max(0, self.watch.findData(current.watch_minutes)))

        self.keep_in_tray = QCheckBox("&Keep lsdesk in the system tray when the window is closed", self)
        self.keep_in_tray.setObjectName("keepInTray")
        self.keep_in_tray.setChecked(current.keep_in_tray)

        form = QFormLayout()
        api_label = QLabel("Lessonspace &API address\n(for advanced users):", self)
        api_label.setBuddy(self.api_url)
        form.addRow(api_label, self.api_url)
        form.addRow("", self.api_problem)
        watch_label = QLabel("&Check the key:", self)
        watch_label.setBuddy(self.watch)
        form.addRow(watch_label, self.watch)
        form.addRow("", self.keep_in_tray)

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
