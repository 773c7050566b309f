"""Putting the window together, and running it as an application.

`run_window` draws the window's first frame before anything else of lsdesk's window is imported or made, and
fills the window in once that frame is on screen (lsdesk/gui/first_frame.py); this module's own imports are
only what that first frame needs.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from lsdesk.core import paths
from lsdesk.core.language import _
from lsdesk.core.settings_file import SANDBOX_SETTINGS, SETTINGS, IniSettings, settings_path
from lsdesk.gui.first_paint import after_first_paint
from lsdesk.gui.qt_language import speak
from lsdesk.gui.single_window import server_name, single_window
from lsdesk.gui.source_text import release_source_text
from lsdesk.gui.theme import icon
from lsdesk.gui.window import SettingsWindow, remembered_size

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from lsdesk.core.client import LessonspaceClient
    from lsdesk.core.desk import KeyDesk
    from lsdesk.core.history import History
    from lsdesk.core.keystore import KeyStore
    from lsdesk.core.rotation import RotationJournal
    from lsdesk.core.status import StatusModel
    from lsdesk.gui.sweep import ProfileSweep

log = logging.getLogger(__name__)

ORGANISATION = "lsdesk"
APPLICATION = paths.APP_NAME
ENDED_BY_SIGTERM = "asked to end (SIGTERM): quitting"
# For the benchmarks, which time a built bundle's window from outside: a file that gets the moment (seconds of
# time.monotonic(), the system-wide clock on Linux) the window had been drawn. Nothing else is written there.
FIRST_PAINT_REPORT = "LSDESK_REPORT_FIRST_PAINT"


def settings_for(application: str = SETTINGS) -> QSettings:
    """lsdesk's preferences (never a key), in the file the command line reads too."""
    return QSettings(str(settings_path(application)), QSettings.Format.IniFormat)


def create_window(
    api_url: str | None = None,
    profile: str = "default",
    *,
    store: KeyStore | None = None,
    settings: QSettings | None = None,
    journal: RotationJournal | None = None,
    history: History | None = None,
    client: LessonspaceClient | None = None,
    sandbox: bool = False,
    background: bool = False,
    window: SettingsWindow | None = None,
) -> SettingsWindow:
    """Build one profile's window and everything around it, inside an existing QApplication:
    the worker, the status model every view reads, the scheduled watch.

    The first check is asked for at once and runs once the window has been
    drawn. The caller shows the window (and adds the tray: `add_tray`).
    `window` is one already drawn with its first frame, to fill; without it a new one is made.
    `client` is for tests: a Lessonspace client of their own (without pacing,
    say); without it the worker makes the usual one on its own thread.

    Raises ApiUrlError for an API address lsdesk will not send a key to, and
    ValueError for a malformed profile name or $LSDESK_KEYRING_TIMEOUT.
    """
    from PySide6.QtCore import Qt

    from lsdesk.core.api_url import developer_settings_url, resolve_api_url
    from lsdesk.core.history import HISTORY_FILE, History
    from lsdesk.core.keystore import SystemKeyStore, check_profile_name, keyring_timeout
    from lsdesk.core.places import CHECKLISTS_FOLDER, PLACES_FOLDER, Checklists, Places
    from lsdesk.core.preferences import Preferences
    from lsdesk.core.profiles import known_profiles
    from lsdesk.core.rotation import RotationJournal
    from lsdesk.core.status import StatusFile, StatusModel
    from lsdesk.gui.status_feed import feed
    from lsdesk.gui.watch import KeyWatch
    from lsdesk.gui.worker import KeyServiceHost

    settings = settings or settings_for()
    preferences = Preferences.load(settings)
    url = resolve_api_url(api_url, preferred=preferences.api_url)
    profile = check_profile_name(profile)
    store = store or SystemKeyStore(timeout=keyring_timeout())
    journal = journal or RotationJournal(paths.state_dir() / "rotation")
    history = history or History(paths.data_dir() / HISTORY_FILE)

    def open_desk() -> KeyDesk:  # on the worker thread, at its first request: httpx loads after the window
        from lsdesk.core.client import LessonspaceClient
        from lsdesk.core.desk import KeyDesk

        release_source_text()  # httpx's, keyring's and the rest's: before the request needs memory
        return KeyDesk(client or LessonspaceClient(url), store, profile, journal=journal, history=history)

    state_folder = journal.folder.parent
    # The sandbox remembers nothing between runs; otherwise the status is kept beside the journals.
    model = StatusModel(profile, None if sandbox else StatusFile.in_folder(state_folder, profile))
    host = KeyServiceHost(open_desk, store, profile, history=history)
    feed(host, model)
    window = window or SettingsWindow(profile, sandbox=sandbox)
    window.fill(
        host,
        model,
        settings,
        developer_url=developer_settings_url(url),
        profiles=lambda: known_profiles(state_folder, profile, settings),
        # Where else the key is used: with the preferences (the sandbox's own, in its own folder).
        places=Places((state_folder if sandbox else Path(settings.fileName()).parent) / PLACES_FOLDER),
        checklists=Checklists(state_folder / CHECKLISTS_FOLDER),
    )
    host.setParent(window)
    window.sweep = _sweep_of_the_others(url, store, profile, journal, history, parent=window)
    window.sweep.status_changed.connect(window.refresh_profiles)
    host.checked.connect(window.sweep.run, Qt.ConnectionType.SingleShotConnection)  # once the window's answered
    window.start()  # the first check waits for the worker thread
    if background:
        host.start()  # no window is drawn: the watch starts at once
    else:
        after_first_paint(window, host.start)
    window.watch = KeyWatch(model, window.places.scheduled_check, preferences.watch_minutes * 60_000, parent=window)
    window.watch.due.connect(window.sweep.run)
    window.watch.start()
    window.preferences_changed.connect(lambda changed: window.watch.set_interval_ms(changed.watch_minutes * 60_000))
    return window


def _sweep_of_the_others(
    url: str, store: KeyStore, profile: str, journal: RotationJournal, history: History, *, parent: QObject
) -> ProfileSweep:
    """Checks every other profile lsdesk has noted, on its own thread with its own Lessonspace client."""
    from lsdesk.core.profiles import noted_profile_names
    from lsdesk.gui.sweep import ProfileSweep

    state_folder = journal.folder.parent
    clients: list[LessonspaceClient] = []  # made on the sweep's thread, at its first check

    def open_desk(name: str) -> KeyDesk:
        from lsdesk.core.client import LessonspaceClient
        from lsdesk.core.desk import KeyDesk

        if not clients:
            clients.append(LessonspaceClient(url))
        return KeyDesk(clients[0], store, name, journal=journal, history=history)

    def others() -> list[str]:
        return [name for name in noted_profile_names(state_folder) if name != profile]

    sweep = ProfileSweep(open_desk, state_folder, others, parent=parent)
    sweep.destroyed.connect(lambda: [client.close() for client in clients])
    return sweep


def add_tray(window: SettingsWindow, settings: QSettings) -> None:
    """Show lsdesk in the system tray where there is one, and say when a key stops working
    (lsdesk/gui/alerts.py: a desktop notification, the tray, or the window brought forward)."""
    from PySide6.QtWidgets import QSystemTrayIcon

    from lsdesk.core.key_dates import rotation_due_in
    from lsdesk.core.outcome import State
    from lsdesk.core.preferences import Preferences
    from lsdesk.gui.alerts import KeyAlerts
    from lsdesk.gui.tray import TrayIcon

    if QSystemTrayIcon.isSystemTrayAvailable():
        window.tray = TrayIcon(
            window.model, open_window=window.bring_forward, check=window.check, quit_app=window.quit, parent=window
        )
        window.tray.show_others(window.known_profiles)
        window.profiles_changed.connect(window.tray.show_others)
        window.tray.show()
        window.keep_in_tray = Preferences.load(settings).keep_in_tray
        window.preferences_changed.connect(lambda changed: setattr(window, "keep_in_tray", changed.keep_in_tray))
    notifications = None
    if sys.platform.startswith("linux"):  # elsewhere the tray's balloon is the system's notification
        from lsdesk.gui.notifications import DesktopNotifications

        notifications = DesktopNotifications(window)
    window.alerts = KeyAlerts(window, tray=window.tray, notifications=notifications)
    window.watch.turned_invalid.connect(window.alerts.key_turned_invalid)
    window.sweep.turned_invalid.connect(window.alerts.key_turned_invalid)  # names its organisation

    def remind_if_due(model: StatusModel) -> None:
        key = model.key
        if key.live and key.state is State.VALID:
            due = rotation_due_in(key.key_saved_at, Preferences.load(settings).rotate_every_days)
            if due is not None and due <= 0:
                window.alerts.rotation_due(key, settings)  # at most once a day

    window.model.subscribe(remind_if_due)
    window.places.pending.connect(lambda count: window.alerts.places_pending(count, settings))  # once a day
    window.places.refresh()  # a checklist left from an earlier run reminds too


def run_window(
    api_url: str | None = None, profile: str = "default", *, sandbox: bool = False, background: bool = False
) -> int:
    """Open the window and run until it closes; returns the exit code.

    The window is drawn first with its first frame, and filled in once that frame is on screen.
    `background` (lsdesk started at sign-in): watch the key from the tray, or with only the
    notifications where there is no tray, without opening the window; starting lsdesk again opens it.
    """
    release_source_text()  # the modules imported so far: their source goes before the widgets are made
    app = QApplication.instance() or QApplication(sys.argv[:1])
    speak(app)  # Qt's own words and the dates, in the language lsdesk.main chose
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(icon("app.svg"))
    app.setDesktopFileName("lsdesk")  # lets Wayland desktops match the window to lsdesk.desktop
    sys.excepthook = _report_crash

    single = single_window(server_name(profile, sandbox=sandbox))
    if single.ask_running_to_show():
        return 0  # one window per profile: the open one has come forward
    single.listen()

    window = SettingsWindow(
        profile,
        sandbox=sandbox,
        fitted_size=remembered_size(IniSettings(settings_path(SANDBOX_SETTINGS if sandbox else SETTINGS))),
    )
    opening = _Opening(window, api_url, sandbox=sandbox, background=background)
    switch = ProfileSwitch(window, opening.open_profile)
    single.show_requested.connect(switch.bring_forward)

    def clean_up() -> None:
        single.close()
        opening.clean_up()

    if background:
        opening.fill()  # no window is drawn: the watch starts at once
        if opening.refused:
            clean_up()
            return opening.refused
    else:
        # What waits for the first paint runs in the reverse order of these calls: the report first.
        after_first_paint(window, opening.fill)
    quit_on_termination(app, lambda: switch.current.quit(), None if background else window)
    if not background and os.environ.get(FIRST_PAINT_REPORT):
        after_first_paint(window, functools.partial(_report_first_paint, os.environ[FIRST_PAINT_REPORT]))
    code = exec_until_closed(app, window, on_exit=clean_up, show=not background)
    return opening.refused or code


class _Opening:
    """What `run_window` makes once the window's first frame is on screen: the sandbox if asked for, the
    window's content and worker, the tray; and, for another organisation picked in the window, its window."""

    def __init__(self, window: SettingsWindow, api_url: str | None, *, sandbox: bool, background: bool):
        self._window = window
        self._api_url = api_url
        self._sandbox = sandbox
        self._background = background
        self._server = None
        self._store: KeyStore | None = None
        self._settings: QSettings | None = None
        self._journal: RotationJournal | None = None
        self._history: History | None = None
        self.refused = 0  # the exit code when lsdesk could not start: a refused option or setting

    def fill(self) -> None:
        from lsdesk.core.api_url import ApiUrlError

        window = self._window
        if self._sandbox:
            self._start_sandbox(window.profile)
        try:
            self.open_profile(window.profile, self._background, window=window)
        except (ApiUrlError, ValueError) as error:
            self._refuse(error)
            return
        if self._background:
            _log_to_file()
            log.info("started in the background; the window opens when lsdesk is started again")
        else:
            after_first_paint(window, _log_to_file)  # installed after the worker's, so it runs first
        after_first_paint(window, release_source_text)
        window.host.operation_finished.connect(release_source_text)  # the first check's imports too, and any later

    def open_profile(
        self, name: str, in_background: bool = False, *, window: SettingsWindow | None = None
    ) -> SettingsWindow:
        opened = create_window(
            self._api_url,
            name,
            store=self._store,
            settings=self._settings,
            journal=self._journal,
            history=self._history,
            sandbox=self._sandbox,
            background=in_background,
            window=window,
        )
        add_tray(opened, self._settings or settings_for())
        return opened

    def _start_sandbox(self, profile: str) -> None:
        from lsdesk.core.history import History
        from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
        from lsdesk.core.keystore import MemoryKeyStore
        from lsdesk.core.rotation import RotationJournal
        from lsdesk.sandbox import DEMO_KEY, SandboxServer

        self._server = SandboxServer().start()
        self._api_url = self._server.api_url
        self._store = MemoryKeyStore()
        self._store.set(profile, DEMO_KEY)
        self._settings = settings_for(SANDBOX_SETTINGS)
        # Nothing of the sandbox's outlives it: history in memory; the journal, the waits Lessonspace
        # asked for and the keys' dates in a temporary folder of its own, removed when it ends.
        self._history = History(None)
        import tempfile  # the sandbox's only

        self._journal = RotationJournal(Path(tempfile.mkdtemp(prefix="lsdesk-sandbox-")) / "rotation")
        # The demo key was "saved" as the sandbox started: its age, and the lessons since, count from now.
        KeyDates(self._journal.folder.parent / KEY_DATES_FOLDER).saved(profile, DEMO_KEY[-4:])

    def _refuse(self, error: Exception) -> None:
        """An option or setting lsdesk will not start with: said on the terminal and in a message, with the
        window gone first, so that nothing on screen says lsdesk is checking."""
        self.refused = 2
        self._window.hide()
        print(error, file=sys.stderr)
        QMessageBox.critical(None, _("lsdesk can't start"), str(error))
        QApplication.instance().exit(self.refused)

    def clean_up(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._journal is not None:
            import shutil

            shutil.rmtree(self._journal.folder.parent, ignore_errors=True)


def quit_on_termination(app: QApplication, quit_app: Callable[[], None], drawn_first: QWidget | None = None) -> None:
    """SIGTERM (the desktop signing out, `kill`, a service manager) ends lsdesk as its Quit does: the worker
    stops, the sandbox's temporary folder goes. Python's default would end the process where it stands.

    Python runs a signal handler only between its own instructions, and Qt's event loop waits in C++: the
    signal's byte on a socket wakes a notifier, whose slot lets Python run the handler (as qutebrowser does).
    That socket costs the window's first paint about 6 ms, so with `drawn_first` it is made once that window has
    been drawn; until then Python code runs all along, and runs the handler. Windows sends no SIGTERM to a
    windowed program; it closes the window, which Quit handles already.
    """
    if sys.platform == "win32":
        return
    import signal

    def on_sigterm(_number: int, _frame: object) -> None:
        log.info(ENDED_BY_SIGTERM)
        quit_app()

    signal.signal(signal.SIGTERM, on_sigterm)
    if drawn_first is None:
        _wake_python_for_signals(app)
    else:
        after_first_paint(drawn_first, functools.partial(_wake_python_for_signals, app))


def _wake_python_for_signals(app: QApplication) -> None:
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda: reader.recv(64))  # back in Python: the handler runs now
    notifier.ends = (reader, writer)  # open as long as the notifier


class ProfileSwitch(QObject):
    """One window at a time, for the organisation the admin picked in it.

    Picking another opens that profile's window where this one was, then
    closes this one for good (its worker, tray icon and watch with it).
    """

    def __init__(self, first: SettingsWindow, open_profile: Callable[[str], SettingsWindow]):
        super().__init__()
        self._open_profile = open_profile
        self.current = first
        first.profile_chosen.connect(self.switch_to)

    @Slot(str)
    def switch_to(self, profile: str) -> None:
        from lsdesk.core.outcome import State

        before = self.current
        after = self._open_profile(profile)
        after.profile_chosen.connect(self.switch_to)
        after.setGeometry(before.geometry())
        after.show()  # first: closing the last window would end lsdesk
        self.current = after
        log.info("switched to profile %s", profile)
        before.quit()
        before.deleteLater()
        if after.model.key.state is None or after.model.key.state is State.NOT_SET:
            after.key_field.setFocus()  # a new organisation: its key is pasted next

    @Slot()
    def bring_forward(self) -> None:
        self.current.bring_forward()


def exec_until_closed(app: QApplication, window: SettingsWindow, on_exit=None, *, show: bool = True) -> int:
    """Show the window (unless `show` is False) and run the event loop until it closes."""
    if show:
        window.show()
    code = app.exec()
    if on_exit is not None:
        on_exit()
    from lsdesk.gui.worker import unfinished_threads  # imported by then, with the window's content

    if unfinished_threads():
        # A request still hangs on the network; nothing is left to save, so
        # leave now instead of waiting for its timeout.
        logging.shutdown()
        os._exit(code)
    return code


def _report_first_paint(path: str) -> None:
    try:
        Path(path).write_text(f"{time.monotonic()}\n", encoding="utf-8")
    except OSError as error:
        log.warning("could not report the first paint: %s", type(error).__name__)


def _report_crash(exc_type, error, tb) -> None:
    """An exception on the GUI thread: logged without its message, and told
    to the user in words instead of a traceback."""
    from lsdesk.gui.worker import CRASH_MESSAGE, CRASH_TITLE, log_crash

    _log_to_file()
    log_crash("the window", error)
    QMessageBox.critical(None, CRASH_TITLE, CRASH_MESSAGE)


@functools.cache  # opened once: when the window has been drawn, or by a crash before that
def _log_to_file() -> None:
    """Technical detail for support goes to a log file; never the key.

    Not opened before the window is drawn: the log folder costs the window's start-up a few milliseconds.
    """
    from platformdirs import user_log_path

    from lsdesk.core.log_file import LogFile

    try:
        folder = user_log_path(APPLICATION, appauthor=False, ensure_exists=True)
        handler = LogFile(folder / "lsdesk.log")
    except OSError:
        log.warning("no log file: the log folder could not be created")
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
