"""The settings window, laid out like Lessonspace's integration settings page.

The window only shows and asks: every check and save goes to the worker
through `KeyServiceHost`, and comes back as a signal.

It is made in two steps, so that it is drawn at once: `SettingsWindow(...)` is the window with its first
frame (lsdesk/gui/first_frame.py), and `fill` puts in everything else, once that frame is on screen. This
module imports only what the first frame needs; what the rest needs is imported where it is used, by then
already loaded by `fill`.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QPushButton, QVBoxLayout, QWidget

from lsdesk.core.language import _, ngettext
from lsdesk.core.store_words import WORDS
from lsdesk.gui.clipboard import CLEAR_AFTER_MS
from lsdesk.gui.first_frame import MARGIN, SANDBOX_BANNER, SPACING, FirstFrame
from lsdesk.gui.theme import banner_style, icon

if TYPE_CHECKING:
    from lsdesk.core.places import Checklists, Places
    from lsdesk.core.preferences import Preferences
    from lsdesk.core.profiles import KnownProfile
    from lsdesk.core.settings_file import SettingsReader
    from lsdesk.core.status import KeyStatus, StatusModel
    from lsdesk.core.usecases import SaveResult
    from lsdesk.gui.alerts import KeyAlerts
    from lsdesk.gui.preferences import PreferencesDialog
    from lsdesk.gui.rotate_dialog import RotateDialog
    from lsdesk.gui.sweep import ProfileSweep
    from lsdesk.gui.tray import TrayIcon
    from lsdesk.gui.watch import KeyWatch
    from lsdesk.gui.worker import KeyServiceHost

# The dialogs are imported when first opened.

log = logging.getLogger(__name__)

WINDOW_TITLE = _("Lessonspace Integration Settings")
# Translators: a detail of the saved key (its organisation, its age) that lsdesk does not know.
UNKNOWN = _("Unknown")
AUTOSTART_FAILED_TITLE = _("lsdesk could not change what starts when you sign in")
# Translators: the Lessons line of the window's details, before the lessons were counted.
LESSONS_NOT_COUNTED = _("Not counted yet")
COPY_QUESTION_TITLE = _("Copy the saved key?")
_CLEAR_AFTER_S = CLEAR_AFTER_MS // 1000
COPY_QUESTION = ngettext(
    "Anyone who sees your clipboard can use the key. lsdesk clears the clipboard "
    "{seconds} second after the copy, unless you have copied something else since.",
    "Anyone who sees your clipboard can use the key. lsdesk clears the clipboard "
    "{seconds} seconds after the copy, unless you have copied something else since.",
    _CLEAR_AFTER_S,
).format(seconds=_CLEAR_AFTER_S)
COPIED_TITLE = _("Copied the saved key")
COPIED = ngettext(
    "Paste it where it is needed now; lsdesk clears the clipboard in {seconds} second.",
    "Paste it where it is needed now; lsdesk clears the clipboard in {seconds} seconds.",
    _CLEAR_AFTER_S,
).format(seconds=_CLEAR_AFTER_S)
# Teachworks' own "Rotate API key" changes the key in Teachworks and Lessonspace at once, unseen by lsdesk.
TEACHWORKS_ROTATED = _(
    # Translators: "Rotate API key" is Teachworks' button and "Settings > Developer" Lessonspace's menu; both
    # dashboards are in English, so keep these names as written.
    "If someone pressed Rotate API key in Teachworks, copy the current key from Lessonspace "
    "(Settings > Developer) and save it here."
)
# Set once the admin was told that closing the window leaves lsdesk in the tray.
HID_TO_TRAY_ONCE = "hints/told_still_running_in_tray"
# Asked then too, unless lsdesk starts at sign-in already: the watch is worth most when it always runs.
START_AT_SIGN_IN_TITLE = _("Start lsdesk when you sign in?")
START_AT_SIGN_IN_QUESTION = _(
    # Translators: "Settings" is lsdesk's own Settings dialog (its button "Se&ttings..."): translate it as there.
    "lsdesk stays in the system tray and keeps checking your key. Start it each time you sign in, so it "
    "keeps watching after the computer restarts? You can change this later in Settings."
)
START_AT_SIGN_IN = _("&Start when I sign in")
# Translators: a button declining to start lsdesk at sign-in.
NOT_NOW = _("&Not now")
# Room left for the title bar and frame the window manager adds around the window.
TITLE_BAR_ALLOWANCE = 48
# The size the window last fitted itself to, in its settings: its first frame is drawn at that size, so that
# nothing moves when the rest is filled in. Before there is one, a height of this many lines of text.
FITTED_SIZE = "window/size"
FIRST_FRAME_LINES = 58
# Translators: {store} is the system's credential store ("keyring", "Keychain", "Credential Manager");
# {how_to_unlock} is a sentence saying how to unlock it.
SAVE_STOPPED_WAITING = _("lsdesk stopped waiting for your {store}. {how_to_unlock}").format(
    store=WORDS.short, how_to_unlock=WORDS.unlock
)
SAVING = _("Checking the new key with Lessonspace...")
FORGETTING = _("Removing the saved key...")
# Translators: {store} is the system's credential store ("keyring", "Keychain", "Credential Manager").
WAITING_FOR_KEYRING = _("Waiting for you to unlock your {store}").format(store=WORDS.short)
# Translators: {store} is the system's credential store ("keyring", "Keychain", "Credential Manager");
# shown while a save waits for it.
STILL_WAITING_FOR_KEYRING = _("Waiting for you to unlock your {store}...").format(store=WORDS.short)
FORGET_QUESTION = _(
    "Remove the saved API key from this computer? lsdesk will no longer check it, and you will need to paste "
    "a key again to use lsdesk. The key itself keeps working in Lessonspace."
)

HELP_STEPS = _(
    # Translators: "Settings > Developer" is Lessonspace's menu, whose dashboard is in English: keep it as
    # written. "API key" and "Save" are this window's field and button: translate them as there.
    "1. Sign in to Lessonspace as an administrator.<br>"
    "2. Open <b>Settings &gt; Developer</b>.<br>"
    "3. Generate a new API key and copy it.<br>"
    "4. Paste it into the <b>API key</b> field above and press <b>Save</b>."
)


class SettingsWindow(QMainWindow):
    """Signals:
    preferences_changed(Preferences): the user saved new preferences.
    profile_chosen(str): the admin picked another organisation's profile, or added one.
    profiles_changed(list[KnownProfile]): the organisations, or the state of one of them, changed.
    filled_in(): `fill` has put in the window's content.
    """

    preferences_changed = Signal(object)
    profile_chosen = Signal(str)
    profiles_changed = Signal(object)
    filled_in = Signal()

    def __init__(
        self, profile: str, *, sandbox: bool = False, fitted_size: QSize | None = None, parent: QWidget | None = None
    ):
        """The window with its first frame only, at `fitted_size` (the size it last fitted itself to) if given;
        `fill` puts in the rest."""
        super().__init__(parent)
        self._host: KeyServiceHost | None = None  # all three set by fill
        self._model: StatusModel | None = None
        self._settings: QSettings | None = None
        # Set by create_window: the scheduled re-check, and the tray icon where there is a tray.
        self.watch: KeyWatch | None = None
        self.tray: TrayIcon | None = None
        self.alerts: KeyAlerts | None = None  # set by add_tray: says when a key stops working
        self.sweep: ProfileSweep | None = None  # checks the other organisations' keys
        self.known_profiles: list[KnownProfile] = []  # as the organisation list shows them
        # Set by the application when a system tray shows lsdesk: closing then only hides.
        self.keep_in_tray = False
        self._quitting = False
        self.profile = profile  # the organisation's profile the window shows
        self._sandbox = sandbox
        self._banner: QLabel | None = None
        self._fitted = False
        self._first_frame_size = fitted_size
        self._needed_height = 0  # what the content needed when last measured
        self.column: QVBoxLayout | None = None  # the window's own layout, once laid out
        self._held_focus: QPushButton | None = None  # the pressed button, while its operation runs

        self.setWindowTitle(_window_title(profile, sandbox))
        self.setWindowIcon(icon("app.svg"))
        self.setMinimumWidth(560)
        self.setCentralWidget(FirstFrame(sandbox=sandbox, parent=self))

    @property
    def filled(self) -> bool:
        """Whether `fill` has put in the window's content (before that, it shows its first frame)."""
        return self._host is not None

    def fill(
        self,
        host: KeyServiceHost,
        model: StatusModel,
        settings: QSettings,
        *,
        developer_url: str,
        profiles: Callable[[], list[KnownProfile]] | None = None,
        places: Places,
        checklists: Checklists,
    ) -> None:
        """Put in the window's content in place of its first frame: the badge showing `model`, the details,
        the key field and buttons working through `host`, the places, the history."""

        from lsdesk.core.autostart import Autostart
        from lsdesk.core.status import NOT_DONE_TITLES, Action, Tone
        from lsdesk.gui.badge import StatusBadge
        from lsdesk.gui.browser_fallback import BrowserFallback
        from lsdesk.gui.elided_label import ElidedLabel
        from lsdesk.gui.history_view import EXPORTED_TITLE, HistoryBox
        from lsdesk.gui.key_field import ApiKeyField
        from lsdesk.gui.message_bar import MessageBar
        from lsdesk.gui.organisation_bar import OrganisationBar
        from lsdesk.gui.places_view import PlacesPanel

        self._host = host
        self._model = model
        self._settings = settings
        self.autostart = Autostart()  # lsdesk's entry among what starts when the admin signs in
        self._developer_url = developer_url
        profile = host.profile
        self._profiles = profiles
        self.organisations = OrganisationBar(profile, settings, self)
        self.organisations.chosen.connect(self.profile_chosen)
        self.organisations.renamed.connect(self.refresh_profiles)
        self.profile_switcher = self.organisations.switcher
        self.badge = StatusBadge(self)
        self.profile_label = self._detail_label("profileLabel")
        self.profile_label.setText(profile)
        self.organisation_label = self._detail_label("organisationLabel", ElidedLabel)
        self.key_ending_label = self._detail_label("keyEndingLabel")
        self.last_checked_label = self._detail_label("lastCheckedLabel")
        self.last_confirmed_label = self._detail_label("lastConfirmedLabel")
        self.key_age_label = self._detail_label("keyAgeLabel")
        self.lessons_label = self._detail_label("lessonsLabel")
        self.lessons_label.setText(LESSONS_NOT_COUNTED)
        self.check_lessons_button = self._button(
            "checkLessonsButton",
            _("Count &lessons"),
            _("Ask Lessonspace how many lessons have started since the key was saved"),
        )
        # Long at large fonts ("Saved 100 days ago: rotation due now"): wrapped, never wider than the window.
        for long_line in (self.key_age_label, self.last_checked_label, self.lessons_label):
            long_line.setWordWrap(True)
        self.message_bar = MessageBar(self)
        self.message_bar.dismissed.connect(model.dismiss)
        self.reminder_label = QLabel(self)
        self.reminder_label.setObjectName("rotationReminder")
        self.reminder_label.setWordWrap(True)
        self.rotate_now_button = self._button(
            "rotateNowReminderButton",
            _("Rotate &now..."),
            _("Replace the saved key with a new one, as the reminder asks"),
        )
        self.waiting_label = QLabel(WAITING_FOR_KEYRING, self)
        self.waiting_label.setObjectName("waitingLabel")
        self.waiting_label.setWordWrap(True)
        self.waiting_label.hide()

        self.key_field = ApiKeyField(self)
        key_label = QLabel(_("API &key"), self)
        key_label.setBuddy(self.key_field.line_edit)

        self.save_button = self._button(
            "saveButton",
            # Translators: a button: check the pasted key with Lessonspace, then save it.
            _("&Save"),
            _("Check the new key with Lessonspace, then save it"),
        )
        self.check_button = self._button(
            "checkButton",
            # Translators: a button: ask Lessonspace again whether the saved key works.
            _("&Check again"),
            _("Check the saved key with Lessonspace again"),
        )
        self.rotate_button = self._button(
            "rotateButton", _("&Rotate API key..."), _("Replace the saved key with a new one")
        )
        self.open_developer_button = self._button(
            "openDeveloperSettingsButton",
            _("&Open Lessonspace developer settings"),
            _("Open the Lessonspace page where API keys are made, in your web browser"),
        )
        self.developer_fallback = BrowserFallback(developer_url, self)  # shown if no browser opens
        self.settings_button = self._button(
            "settingsButton",
            _("Se&ttings..."),
            _("Change how often lsdesk checks the key, the tray, and the API address"),
        )
        self.forget_button = self._button(
            "forgetButton", _("&Forget this key..."), _("Remove the saved API key from this computer")
        )
        self.copy_saved_button = self._button(
            "copySavedKeyButton",
            _("Cop&y saved key..."),
            _("Copy the saved API key, to paste it where else it is used"),
        )
        self.cancel_button = self._button(
            "cancelWaitButton",
            # Translators: a button: stop waiting for the credential store to be unlocked.
            _("Cancel"),
            # Translators: {store} is the system's credential store ("keyring", "Keychain", "Credential Manager").
            _("Stop waiting for your {store}").format(store=WORDS.short),
        )
        self.cancel_button.hide()  # shown only while the keyring keeps lsdesk waiting
        self.places = PlacesPanel(host, model, places, checklists, self)
        self.history_box = HistoryBox(host.history, host.profile, self)
        self.history_box.exported.connect(lambda said: self._model.noted(Action.EXPORT, EXPORTED_TITLE, said))
        self.history_box.export_failed.connect(
            lambda said: self._model.noted(Action.EXPORT, NOT_DONE_TITLES[Action.EXPORT], said, tone=Tone.PROBLEM)
        )
        self.history_list = self.history_box.list

        self._lay_out(key_label)
        self.centralWidget().installEventFilter(self)
        tab_order = (
            self.key_field.line_edit,
            self.key_field.toggle,
            self.save_button,
            self.check_button,
            self.rotate_button,
            self.open_developer_button,
            self.developer_fallback.address,
            self.developer_fallback.copy_button,
            self.check_lessons_button,
            self.places.edit_button,
            self.history_box.scope,
            self.history_box.export_button,
            self.history_list,
            self.forget_button,
            self.copy_saved_button,
            self.settings_button,
        )
        for before, after in itertools.pairwise(tab_order):
            self.setTabOrder(before, after)

        self.key_field.submitted.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.check_button.clicked.connect(self.check)
        self.rotate_button.clicked.connect(self.open_rotation)
        self.open_developer_button.clicked.connect(self.developer_fallback.open)
        self.settings_button.clicked.connect(self.open_preferences)
        self.cancel_button.clicked.connect(self.stop_waiting)
        self.forget_button.clicked.connect(self.forget)
        self.copy_saved_button.clicked.connect(self.copy_saved_key)
        self.rotate_now_button.clicked.connect(self.open_rotation)
        self.check_lessons_button.clicked.connect(self._host.count_lessons)
        host.lessons_counted.connect(self._on_lessons_counted)
        host.key_read.connect(self._on_key_read)
        host.operation_finished.connect(self.refresh_profiles)  # a save or a removal changes the list
        host.saved.connect(self._on_saved)
        host.operation_finished.connect(self.history_box.refresh)  # each operation is recorded before it ends
        # Held: the accessibility hints live only as long as this wrapper.
        self._style_hints = QGuiApplication.styleHints()
        self._style_hints.accessibility().contrastPreferenceChanged.connect(self._restyle)
        model.subscribe(self._render)
        self._render(model)
        self.refresh_profiles()
        self.setTabOrder(self.profile_switcher, self.organisations.rename_button)
        self.setTabOrder(self.organisations.rename_button, self.key_field.line_edit)
        self.key_field.line_edit.setFocus()  # the admin's usual first step: pasting a key
        if self.isVisible():  # filled in after its first frame was drawn: fitted to its content now
            self.centralWidget().show()  # now, not once Qt gets to it: its size counts all of the content
            self.fit_to_screen()
        self.filled_in.emit()

    @property
    def host(self) -> KeyServiceHost:
        """The worker's handle: its signals say when an operation ends."""
        return self._host

    @property
    def model(self) -> StatusModel:
        """The profile's status: what the window, tray and watch all show."""
        return self._model

    # Actions ---------------------------------------------------------------

    def start(self) -> None:
        """Check the stored key at once (what was known before is shown, as remembered, meanwhile)."""
        self.check()

    @Slot()
    def check(self) -> bool:
        return self._host.check()

    @Slot()
    def save(self, *, allow_other_organisation: bool = False) -> None:
        if self._host.busy or not self.key_field.looks_like_a_key():
            return
        self._host.save(self.key_field.text(), allow_other_organisation=allow_other_organisation)

    @Slot()
    def open_rotation(self) -> RotateDialog | None:
        """Open the guided rotation; offered only while Lessonspace has just confirmed the key valid."""
        from PySide6.QtCore import Qt

        current = self._model.key.as_outcome()
        if not self._rotation_offered() or current is None:
            return None
        from lsdesk.gui.rotate_dialog import RotateDialog

        dialog = RotateDialog(self._host, current, self._developer_url, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._focus_after_rotation)
        dialog.open()
        return dialog

    @Slot()
    def _focus_after_rotation(self) -> None:
        """Focus goes back to the button that opened the dialog (to the key field if it is off now)."""
        self.places.rotation_dialog_closed()
        self.activateWindow()
        (self.rotate_button if self.rotate_button.isEnabled() else self.key_field).setFocus()

    @Slot()
    def forget(self) -> bool:
        """Remove the saved key, once the admin confirmed it; False if not started."""
        from lsdesk.core.outcome import State
        from lsdesk.gui.questions import ask_yes_no

        if self._host.busy or self._model.key.state is State.NOT_SET:
            return False
        if not ask_yes_no(self, _("Forget this key?"), FORGET_QUESTION):
            return False
        return self._host.forget()

    @Slot()
    def refresh_profiles(self) -> None:
        """The organisations lsdesk knows, as the list at the top shows them (and the tray, through
        profiles_changed)."""
        if self._profiles is None:
            self.organisations.hide()
            return
        known = self._profiles()
        if known != self.known_profiles:
            self.known_profiles = known
            self.profiles_changed.emit(known)
        self.organisations.show_profiles(known)

    @Slot()
    def copy_saved_key(self) -> bool:
        """Copy the saved key, once the admin has said yes: it is read on this press only, never shown."""
        from lsdesk.core.outcome import State
        from lsdesk.gui.questions import ask_yes_no

        if self._host.busy or self._model.key.state is State.NOT_SET:
            return False
        if not ask_yes_no(self, COPY_QUESTION_TITLE, COPY_QUESTION):
            return False
        return self._host.read_key()

    @Slot(object)
    def _on_lessons_counted(self, counted: object) -> None:
        checked, lessons = counted
        self.lessons_label.setText(lessons.sentence() if lessons is not None else checked.message)

    @Slot(object)
    def _on_key_read(self, result: object) -> None:
        from lsdesk.core.status import Action
        from lsdesk.gui.clipboard import copy_for_a_while

        if isinstance(result, str):
            copy_for_a_while(result)
            self._model.noted(Action.COPY, COPIED_TITLE, COPIED)
        else:
            self._model.acted(Action.COPY, result, succeeded=False)

    @Slot()
    def stop_waiting(self) -> None:
        """Cancel: stop waiting for the keyring; the window is free again at once."""
        from lsdesk.core.keystore import KEYRING_STOPPED_MESSAGE, KEYRING_STOPPED_TITLE
        from lsdesk.core.outcome import State, outcome
        from lsdesk.core.status import Action, Activity

        activity = self._host.activity
        if not self._host.cancel():
            return
        stopped = outcome(State.NO_STORAGE, KEYRING_STOPPED_MESSAGE, title=KEYRING_STOPPED_TITLE)
        if activity is Activity.SAVING:
            self._model.acted(
                Action.SAVE,
                outcome(State.NO_STORAGE, SAVE_STOPPED_WAITING, title=KEYRING_STOPPED_TITLE),
                succeeded=False,
            )
        elif activity is Activity.CHECKING:
            self._model.checked(stopped)

    # Results ---------------------------------------------------------------

    @Slot(object)
    def _on_saved(self, result: SaveResult) -> None:
        if result.saved:
            self.key_field.clear()
        elif result.needs_confirmation:
            # Asked once the save has ended, so that Yes can start the next one.
            QTimer.singleShot(0, lambda: self._confirm_other_organisation(result))
        else:
            self.key_field.setFocus()  # the typed key stays: nothing the admin pasted is lost

    def _confirm_other_organisation(self, result: SaveResult) -> None:
        from lsdesk.gui.questions import ask_to_switch_organisations

        # As the rotation dialog asks: nothing was changed, the admin decides.
        if ask_to_switch_organisations(self, result.outcome.message):
            self.save(allow_other_organisation=True)

    # Display ---------------------------------------------------------------

    def _render(self, model: StatusModel) -> None:
        """Draw everything from the model: the badge, the details, the message bar, the buttons."""
        from lsdesk.core.outcome import State
        from lsdesk.core.status import Activity

        key = model.key
        waiting = model.waiting_for_keyring
        self.waiting_label.setVisible(waiting)
        self.cancel_button.setVisible(waiting)
        if waiting and model.activity is Activity.CHECKING:
            self.badge.show_waiting_for_keyring()
        elif key.state is None:
            self.badge.show_checking()
        elif not key.live:
            self.badge.show_state(
                key.state,
                # Translators: {status} is the key's status as lsdesk last knew it, e.g. "Key is valid".
                _("Last known: {status}").format(status=key.title),
                _remembered(key, checking=model.activity is Activity.CHECKING),
                muted=True,
            )
        elif model.activity is Activity.CHECKING:
            self.badge.show_checking()
        else:
            self.badge.show_state(key.state, key.title, _badge_message(key))
        self._show_details(key)
        self._show_message(model)
        busy = model.activity is not Activity.IDLE
        if busy:
            self._hold_focus()
        self.key_field.set_busy(busy)
        self.save_button.setEnabled(not busy)
        self.check_button.setEnabled(not busy)
        self.rotate_button.setEnabled(not busy and self._rotation_offered())
        self.rotate_now_button.setEnabled(self.rotate_button.isEnabled())
        self.rotate_button.setToolTip(
            _("Replace the saved key with a new one")
            if self._rotation_offered()
            else _("Rotate is offered once Lessonspace has confirmed the saved key works")
        )
        self.forget_button.setEnabled(not busy and key.state is not State.NOT_SET)
        self.copy_saved_button.setEnabled(not busy and key.state is not State.NOT_SET)
        self.check_lessons_button.setEnabled(not busy and key.state is not State.NOT_SET)
        if not busy:
            self._give_focus_back()

    def _key_buttons(self) -> tuple[QPushButton, ...]:
        return (self.save_button, self.check_button, self.rotate_button, self.forget_button, self.copy_saved_button)

    def _hold_focus(self) -> None:
        """A pressed button is disabled while its operation runs; Qt would then move the focus on to
        the next control, an unrelated one a screen reader reads out. The focus waits instead."""
        focused = QApplication.focusWidget()
        if self._held_focus is None and focused in self._key_buttons():
            self._held_focus = focused
            focused.clearFocus()

    def _give_focus_back(self) -> None:
        """To the button that was pressed, once it works again; to the key field if it stays off."""
        held, self._held_focus = self._held_focus, None
        if held is None or QApplication.focusWidget() is not None:
            return  # the admin has moved on (a dialog, another control)
        (held if held.isEnabled() else self.key_field).setFocus()

    def _show_message(self, model: StatusModel) -> None:
        from lsdesk.core.status import Activity

        if model.activity is Activity.SAVING:
            self.message_bar.show_progress(STILL_WAITING_FOR_KEYRING if model.waiting_for_keyring else SAVING)
        elif model.activity is Activity.FORGETTING:
            self.message_bar.show_progress(FORGETTING)
        elif model.last_action is not None:
            self.message_bar.show_result(model.last_action)
        else:
            self.message_bar.hide()

    def _show_details(self, key: KeyStatus) -> None:
        from lsdesk.core.key_dates import describe_age, rotation_reminder
        from lsdesk.core.moments import when
        from lsdesk.core.outcome import State
        from lsdesk.core.preferences import Preferences

        org = key.organisation
        self.organisation_label.setText(org.describe() if org is not None else UNKNOWN)
        if key.key_ending:
            # Translators: the Saved key line of the details; {last_four} is the saved key's last four characters.
            self.key_ending_label.setText(_("ends in {last_four}").format(last_four=key.key_ending))
        else:
            # Translators: the Saved key line of the details, when no key is saved.
            self.key_ending_label.setText(_("None saved") if key.state is State.NOT_SET else UNKNOWN)
        if key.last_checked is None:
            # Translators: the Last checked line of the details.
            self.last_checked_label.setText(_("Not checked"))  # nothing was asked of Lessonspace
        elif key.state and key.state.is_network_problem:
            # Translators: the Last checked line of the details; {when} is a date and time, "03 Dec 2026, 11:52".
            self.last_checked_label.setText(_("{when} (Lessonspace didn't answer)").format(when=when(key.last_checked)))
        else:
            self.last_checked_label.setText(when(key.last_checked))
        self.last_confirmed_label.setText(
            # Translators: the Last confirmed valid line of the details.
            when(key.last_confirmed_valid) if key.last_confirmed_valid else _("Never")
        )
        rotate_every = Preferences.load(self._settings).rotate_every_days
        self.key_age_label.setText(describe_age(key.key_saved_at, rotate_every) if key.key_ending else UNKNOWN)
        # The reminder asks for a rotation, which needs a key Lessonspace has just confirmed.
        reminder = rotation_reminder(key.key_saved_at, rotate_every) if self._rotation_offered() else None
        self.reminder_label.setText(reminder or "")
        self.reminder_label.setVisible(reminder is not None)
        self.rotate_now_button.setVisible(reminder is not None)

    def _rotation_offered(self) -> bool:
        from lsdesk.core.outcome import State

        key = self._model.key
        return key.live and key.state is State.VALID

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Widgets with a style sheet (the badge, the banner) get no palette or
        # font events of their own, so the window passes them on. The first frame, there only until the
        # window is filled, keeps the palette and font it was drawn in.
        if self.filled and event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        elif self.filled and event.type() == QEvent.Type.FontChange:
            self.badge.scale_title_font()
        super().changeEvent(event)

    @Slot()
    def _restyle(self) -> None:
        self.badge.restyle()
        self.message_bar.restyle()
        self._restyle_banner()

    def _restyle_banner(self) -> None:
        style = banner_style()
        if self._banner is not None and style != self._banner.styleSheet():
            self._banner.setStyleSheet(style)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # The window's content lives in its central widget, whose layout hears of every change in size.
        if watched is self.centralWidget():
            if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
                self._fit_height()
            if event.type() == QEvent.Type.LayoutRequest and self._fitted:
                self._grow_to_show_everything()
        return super().eventFilter(watched, event)

    def _grow_to_show_everything(self) -> None:
        """A message that appears (a refused save, say) makes the window taller by as much, where the screen
        has room, rather than hiding part of the window behind the scroll bar. Only by as much: a window
        the admin made smaller stays smaller."""
        central = self.centralWidget()
        # The height all of it needs at this width (the main window's own size hint is updated later).
        needed = self.column.totalHeightForWidth(central.width())
        grown, self._needed_height = needed - self._needed_height, needed
        if grown <= 0 or self._needed_height == grown:  # smaller, or the first measure
            return
        room = self.screen().availableGeometry().height() - TITLE_BAR_ALLOWANCE
        taller = min(self.height() + grown, room)
        if taller > self.height():
            self.resize(self.width(), taller)

    def _fit_height(self) -> None:
        """Keep room for the badge's whole message, however it wraps: Qt's minimum
        size ignores wrapped text, which would otherwise squeeze it.

        The layout's height for this width counts the scrolled column at its full
        height; it needs only its minimum, and scrolls the rest.
        """
        layout = self.column
        if layout is None or not layout.hasHeightForWidth():
            return
        column = self.scroll_area
        whole = layout.totalHeightForWidth(self.centralWidget().width())
        self.setMinimumHeight(whole - column.sizeHint().height() + column.minimumSizeHint().height())

    @Slot()
    def open_preferences(self) -> PreferencesDialog:
        from PySide6.QtCore import Qt

        from lsdesk.core.preferences import Preferences
        from lsdesk.gui.preferences import PreferencesDialog

        dialog = PreferencesDialog(
            Preferences.load(self._settings),
            self,
            tray_available=self.tray is not None,
            starts_at_sign_in=self.autostart.is_enabled(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._save_preferences(dialog.preferences(), dialog.start_at_sign_in.isChecked())
        )
        dialog.open()
        return dialog

    def _save_preferences(self, preferences: Preferences, start_at_sign_in: bool | None = None) -> None:
        preferences.save(self._settings)
        self.preferences_changed.emit(preferences)
        self._render(self._model)  # the key age line follows the rotation policy
        if start_at_sign_in is not None:
            self._start_at_sign_in(start_at_sign_in)

    def _start_at_sign_in(self, wanted: bool) -> None:
        """Write or remove lsdesk's entry among what starts when the admin signs in."""
        from lsdesk.core.local_problem import describe_local_problem

        if wanted == self.autostart.is_enabled():
            return
        try:
            if wanted:
                self.autostart.enable()
            else:
                self.autostart.disable()
        except OSError as error:
            log.warning("could not change the sign-in entry: %s", type(error).__name__)
            QMessageBox.warning(self, AUTOSTART_FAILED_TITLE, describe_local_problem(error))

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
            if self.tray is not None and not _flag_set(self._settings, HID_TO_TRAY_ONCE):
                self._settings.setValue(HID_TO_TRAY_ONCE, "true")  # the first time the watch runs on its own
                if not self.autostart.is_enabled():
                    self._offer_start_at_sign_in()  # the window hides once it is answered
                    return
                self.tray.tell_still_running()
            self.hide()  # lsdesk keeps watching the key from the tray
            return
        if self._host is not None:
            self._host.shutdown()
        if self.sweep is not None:
            self.sweep.shutdown()
        if self.alerts is not None:
            self.alerts.close()
        super().closeEvent(event)

    def _offer_start_at_sign_in(self) -> QMessageBox:
        from PySide6.QtCore import Qt

        box = QMessageBox(
            QMessageBox.Icon.Question,
            START_AT_SIGN_IN_TITLE,
            START_AT_SIGN_IN_QUESTION,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        start = box.addButton(START_AT_SIGN_IN, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(NOT_NOW, QMessageBox.ButtonRole.RejectRole))  # off unless chosen
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.hide()
            if self.tray is not None:
                self.tray.tell_still_running()
            if box.clickedButton() is start:
                self._start_at_sign_in(True)

        box.finished.connect(answered)
        box.open()
        return box

    # Layout ----------------------------------------------------------------

    def _lay_out(self, key_label: QLabel) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout

        from lsdesk.gui.scrolling_column import ScrollingColumn

        details = QFormLayout()
        if self._host.profile != "default":
            details.addRow(_("Profile:"), self.profile_label)
        else:
            self.profile_label.hide()
        details.addRow(_("Organisation:"), self.organisation_label)
        details.addRow(_("Saved key:"), self.key_ending_label)
        details.addRow(_("Key age:"), self.key_age_label)
        details.addRow(_("Last checked:"), self.last_checked_label)
        details.addRow(_("Last confirmed valid:"), self.last_confirmed_label)
        lessons_row = QHBoxLayout()
        lessons_row.addWidget(self.lessons_label, 1)
        lessons_row.addWidget(self.check_lessons_button, 0, Qt.AlignmentFlag.AlignTop)
        details.addRow(_("Lessons:"), lessons_row)
        places_row = QHBoxLayout()
        places_row.addWidget(self.places.label, 1)
        places_row.addWidget(self.places.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        details.addRow(_("Other places:"), places_row)

        buttons = QHBoxLayout()  # the key's buttons stay together however wide the window is
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.rotate_button)
        buttons.addStretch(1)

        key_box = QGroupBox(_("Save a new API key"), self)
        key_layout = QVBoxLayout(key_box)
        key_layout.addWidget(key_label)
        key_layout.addWidget(self.key_field)
        key_layout.addWidget(self.message_bar)
        key_layout.addLayout(buttons)

        help_box = QGroupBox(_("How to get a new API key"), self)
        help_text = QLabel(HELP_STEPS, help_box)
        help_layout = QVBoxLayout(help_box)
        help_layout.addWidget(help_text)
        help_layout.addWidget(self.open_developer_button)
        help_layout.addWidget(self.developer_fallback)

        # The badge and the window's own buttons stay in view; the rest scrolls when the screen
        # is too short for it (a small laptop at 200 %, a large system font).
        content = QWidget(self)
        content_column = QVBoxLayout(content)
        content_column.setContentsMargins(0, 0, 0, 0)
        content_column.setSpacing(12)
        content_column.addWidget(self.places.box)  # after a rotation: first, where it cannot be missed
        content_column.addLayout(details)
        content_column.addWidget(key_box)
        content_column.addWidget(help_box)
        content_column.addWidget(self.history_box)
        content_column.addStretch(1)
        self.scroll_area = ScrollingColumn(content, self)

        # A main window, so that screen readers meet it as a frame titled as the window. Its first frame goes.
        self.setCentralWidget(QWidget(self))
        column = self.column = QVBoxLayout(self.centralWidget())
        column.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        column.setSpacing(SPACING)
        if self._sandbox:
            self._banner = QLabel(SANDBOX_BANNER, self)
            self._banner.setObjectName("sandboxBanner")
            self._banner.setWordWrap(True)
            self._restyle_banner()
            column.addWidget(self._banner)
        column.addWidget(self.organisations)
        column.addWidget(self.badge)
        reminder_row = QHBoxLayout()  # hidden unless a rotation is due: takes no room
        reminder_row.addWidget(self.reminder_label, 1)
        reminder_row.addWidget(self.rotate_now_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(reminder_row)
        waiting_row = QHBoxLayout()  # hidden unless the keyring keeps lsdesk waiting: takes no room
        waiting_row.addWidget(self.waiting_label, 1)
        waiting_row.addWidget(self.cancel_button)
        column.addLayout(waiting_row)
        column.addWidget(self.scroll_area, 1)
        settings_row = QHBoxLayout()
        settings_row.addWidget(self.forget_button)
        settings_row.addWidget(self.copy_saved_button)
        settings_row.addStretch(1)
        settings_row.addWidget(self.settings_button)
        column.addLayout(settings_row)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not self._fitted:
            self._fitted = True
            self.fit_to_screen()
        super().showEvent(event)

    def fit_to_screen(self) -> None:
        """All of the window where the screen has room for it, else as much as fits (the rest scrolls).

        Before the window is filled, the size it last fitted itself to (its content is most often the same
        again), or a height for about FIRST_FRAME_LINES lines of text. Once filled, the size it fits is kept
        in its settings for the next start's first frame."""
        room = self.screen().availableGeometry().size() - QSize(0, TITLE_BAR_ALLOWANCE)
        if self.filled:
            wanted = self.sizeHint().expandedTo(self.minimumSizeHint())
        else:
            wanted = self._first_frame_size or QSize(0, self.fontMetrics().lineSpacing() * FIRST_FRAME_LINES)
        self.resize(wanted.boundedTo(room).expandedTo(self.minimumSize()))
        if self.filled:
            self._settings.setValue(FITTED_SIZE, f"{self.width()}x{self.height()}")

    def _detail_label(self, name: str, kind: type[QLabel] = QLabel) -> QLabel:
        from PySide6.QtCore import Qt

        label = kind(UNKNOWN, self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the organisation's name comes from the server
        return label

    def _button(self, name: str, text: str, description: str) -> QPushButton:
        from lsdesk.gui.controls import button

        return button(self, name, text, description)


def remembered_size(settings: SettingsReader) -> QSize | None:
    """The size the window last fitted itself to ("560x740" under FITTED_SIZE); None before there is one, or
    for a value that is not a size."""
    width, times, height = str(settings.value(FITTED_SIZE, "")).partition("x")
    if not (times and width.isdigit() and height.isdigit()):
        return None
    return QSize(int(width), int(height))


def _flag_set(settings: QSettings, name: str) -> bool:
    return str(settings.value(name, "")).lower() == "true"


def _window_title(profile: str, sandbox: bool) -> str:
    """The window's title, naming the profile unless it is the default one, and the sandbox."""
    if profile == "default":
        return _("Lessonspace Integration Settings (sandbox)") if sandbox else WINDOW_TITLE
    if sandbox:
        # Translators: {profile} is the name of lsdesk's profile (one per organisation) the window shows.
        return _("Lessonspace Integration Settings ({profile}) (sandbox)").format(profile=profile)
    # Translators: {profile} is the name of lsdesk's profile (one per organisation) the window shows.
    return _("Lessonspace Integration Settings ({profile})").format(profile=profile)


def _remembered(key: KeyStatus, *, checking: bool) -> str:
    """The badge's sentence for a status remembered from an earlier run, while none is known yet from this one."""
    from lsdesk.core.moments import when

    if key.last_checked is None:
        if checking:
            return _("That was the status on an earlier run. Checking with Lessonspace now...")
        return _("That was the status on an earlier run.")
    if checking:
        # Translators: {when} is a date and time, "03 Dec 2026, 11:52".
        return _("That was the status on {when}. Checking with Lessonspace now...").format(when=when(key.last_checked))
    # Translators: {when} is a date and time, "03 Dec 2026, 11:52".
    return _("That was the status on {when}.").format(when=when(key.last_checked))


def _badge_message(key: KeyStatus) -> str:
    """The badge's sentence: the answer's own, and, when Lessonspace could not answer, when the key last worked."""
    from lsdesk.core.moments import when
    from lsdesk.core.outcome import TITLES, State

    if key.state is not None and key.state.is_network_problem and key.last_confirmed_valid is not None:
        # Translators: {message} is the status's own sentence (why Lessonspace could not answer);
        # {when} is a date and time, "03 Dec 2026, 11:52".
        return _("{message} Your key was last confirmed valid on {when}.").format(
            message=key.message, when=when(key.last_confirmed_valid)
        )
    if key.state is State.REJECTED and key.title == TITLES[State.REJECTED]:
        return f"{key.message} {TEACHWORKS_ROTATED}"
    return key.message
