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
from lsdesk.core.language import LANGUAGES, _, ngettext
from lsdesk.core.preferences import WATCH_CHOICES_MINUTES, Preferences

START_AT_SIGN_IN = _("lsdesk then watches the key from the start, without opening its window.")
NO_TRAY = _(
    # Translators: "AppIndicator" is the name of a GNOME Shell extension.
    "This desktop shows no system tray, so lsdesk stops when its window is closed. "
    "On GNOME, the AppIndicator extension adds a tray."
)
# Translators: the choice of language that follows the computer's own language.
SYSTEM_LANGUAGE = _("System")
LANGUAGE_NOTE = _("Takes effect the next time lsdesk opens.")


def _describe_interval(minutes: int) -> str:
    """A choice of how often to check the key: "every 15 minutes", "every hour", "every 6 hours"."""
    if minutes < 60:
        # Translators: a choice of how often lsdesk checks the key ("Check the key: every 15 minutes").
        return ngettext("every {count} minute", "every {count} minutes", minutes).format(count=minutes)
    hours = minutes // 60
    if hours == 1:
        # Translators: a choice of how often lsdesk checks the key ("Check the key: every hour").
        return _("every hour")
    # Translators: a choice of how often lsdesk checks the key ("Check the key: every 6 hours").
    return ngettext("every {count} hour", "every {count} hours", hours).format(count=hours)


def _describe_rotation(days: int) -> str:
    """A choice of rotation reminder: "every 90 days", or "never"."""
    if not days:
        # Translators: a choice of how often lsdesk reminds to rotate the key ("Remind me to rotate the key: never").
        return _("never")
    # Translators: a choice of how often lsdesk reminds to rotate the key ("Remind me to rotate the key: every
    # 90 days").
    return ngettext("every {count} day", "every {count} days", days).format(count=days)


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
        self.setWindowTitle(_("lsdesk settings"))
        self.setMinimumWidth(480)

        self.api_url = QLineEdit(current.api_url, self)
        self.api_url.setObjectName("apiUrlField")
        self.api_url.setPlaceholderText(DEFAULT_API_URL)
        self.api_url.setAccessibleName(_("Lessonspace API address"))
        self.api_url.setAccessibleDescription(_("Leave empty to use Lessonspace itself"))
        self.api_problem = QLabel(self)
        self.api_problem.setWordWrap(True)
        self.api_problem.hide()

        self.rotation = QComboBox(self)
        self.rotation.setObjectName("rotationPolicy")
        self.rotation.setAccessibleName(_("Remind me to rotate the key"))
        for days in ROTATION_CHOICES_DAYS:
            self.rotation.addItem(_describe_rotation(days), days)
        self.rotation.setCurrentIndex(max(0, self.rotation.findData(current.rotate_every_days)))

        self.watch = QComboBox(self)
        self.watch.setObjectName("watchInterval")
        # Translators: read before a choice such as "every 6 hours".
        self.watch.setAccessibleName(_("Check the key every"))
        for minutes in WATCH_CHOICES_MINUTES:
            self.watch.addItem(_describe_interval(minutes), minutes)
        self.watch.setCurrentIndex(max(0, self.watch.findData(current.watch_minutes)))

        self.language = QComboBox(self)
        self.language.setObjectName("languageChoice")
        self.language.setAccessibleName(_("Language"))
        self.language.setAccessibleDescription(LANGUAGE_NOTE)
        self.language.addItem(SYSTEM_LANGUAGE, "")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)  # each language in its own words, whichever lsdesk speaks now
        self.language.setCurrentIndex(max(0, self.language.findData(current.language)))
        self.language_note = QLabel(LANGUAGE_NOTE, self)
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)

        self.keep_in_tray = QCheckBox(_("&Keep lsdesk in the system tray when the window is closed"), self)
        self.keep_in_tray.setObjectName("keepInTray")
        self.keep_in_tray.setChecked(current.keep_in_tray)
        self.start_at_sign_in = QCheckBox(_("&Start lsdesk when I sign in"), self)
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
        api_label = QLabel(_("Lessonspace &API address\n(for advanced users):"), self)
        api_label.setBuddy(self.api_url)
        form.addRow(api_label, self.api_url)
        form.addRow("", self.api_problem)
        watch_label = QLabel(_("&Check the key:"), self)
        watch_label.setBuddy(self.watch)
        form.addRow(watch_label, self.watch)
        form.addRow("", self.keep_in_tray)
        form.addRow("", self.no_tray)
        form.addRow("", self.start_at_sign_in)
        rotation_label = QLabel(_("&Remind me to rotate the key:"), self)
        rotation_label.setBuddy(self.rotation)
        form.addRow(rotation_label, self.rotation)
        language_label = QLabel(_("&Language:"), self)
        language_label.setBuddy(self.language)
        form.addRow(language_label, self.language)
        form.addRow("", self.language_note)

        note = QLabel(_("A new API address is used the next time lsdesk starts."), self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(note)
        column.addWidget(buttons)
        # Never narrower than its layout needs (a check box's or button's text does not wrap, and a translation is
        # often longer than the English): a small screen would otherwise get it at two thirds of its width, cut off.
        self.setMinimumWidth(max(self.minimumWidth(), column.minimumSize().width()))

    def preferences(self) -> Preferences:
        return Preferences(
            api_url=self.api_url.text().strip(),
            watch_minutes=int(self.watch.currentData()),
            keep_in_tray=self.keep_in_tray.isChecked(),
            rotate_every_days=int(self.rotation.currentData()),
            language=str(self.language.currentData()),
        )

    @Slot()
    def accept(self) -> None:
        address = self.api_url.text().strip()
        if address:
            try:
                # Saved as lsdesk will use it: "api.thelessonspace.com" shows as https://... next time.
                self.api_url.setText(resolve_api_url(address))
            except ApiUrlError as error:
                # Translators: {message} says what went wrong.
                self.api_problem.setText(_("Problem: {message}").format(message=error))
                self.api_problem.show()
                self.adjustSize()  # grow to fit the wrapped message; Qt's minimum size ignores wrapping
                self.api_url.setFocus()
                return
        super().accept()
