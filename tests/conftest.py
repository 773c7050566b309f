"""Shared fixtures: a real sandbox Lessonspace on loopback, and an isolated home for Qt."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from lsdesk.core.client import LessonspaceClient
from lsdesk.core.history import History
from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.core.language import LANGUAGE_VARIABLE, SOURCE_LANGUAGE
from lsdesk.core.rotation import RotationJournal
from lsdesk.sandbox import SandboxServer

pytest_plugins = ["pytester", "tests.keyring_fixtures", "tests.helpers.logfail"]

CANARY_KEY = "c0ffee00-dead-4bee-8f00-ca1a12ca1a12"
WAIT_MS = 10_000
ON_THE_SANDBOX = "the sandbox's API address"


def pytest_configure(config: pytest.Config) -> None:
    # A suite started in the background by a script (`... &`) inherits SIGINT ignored, and under
    # nohup SIGHUP too, and passes that on to every lsdesk it starts: the tests of Ctrl-C and of
    # a hang-up could then never see lsdesk stop.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    # Preferences, logs, history, rotation journals and the last known status
    # go to a throwaway folder, never into the developer's own lsdesk files.
    home = Path(tempfile.mkdtemp(prefix="lsdesk-tests-"))
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[name] = str(home / name.lower())
    # The sentences the tests compare are English, whatever language the developer's desktop speaks; the tests
    # of the translations ask for theirs (tests/test_translated.py).
    os.environ[LANGUAGE_VARIABLE] = SOURCE_LANGUAGE


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # pytest-xvfb has set DISPLAY by now if it could start Xvfb; without any
    # screen, Qt draws offscreen instead of aborting.
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def type_and_save(qtbot, window, key: str) -> None:
    """Type `key` into the window's field and press Save, as an admin does; waits for the result."""
    from PySide6.QtCore import Qt

    qtbot.keyClicks(window.key_field.line_edit, key)
    with qtbot.waitSignal(window.host.saved, timeout=WAIT_MS):
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)


# What Qt says when it finds no browser to start (xcb and offscreen platforms).
NO_BROWSER_WARNINGS = ("Unable to detect a web browser", "does not support QPlatformServices::openUrl")


@pytest.fixture
def no_browser(monkeypatch, tmp_path):
    """A computer with no web browser Qt can start: no xdg-open or known browser
    on the PATH, no $BROWSER. QDesktopServices.openUrl then really returns False."""
    if not sys.platform.startswith("linux"):
        pytest.skip("how Qt finds a browser is Linux's: xdg-open, $BROWSER, the PATH")
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for name in ("BROWSER", "DEFAULT_BROWSER"):
        monkeypatch.delenv(name, raising=False)


def answer_when_asked(qtbot, button) -> list:
    """Click `button` (a standard button, or a button's text) on the real modal question once it
    opens (it would wait for a click); the list gets each question's text and text format."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    asked = []
    tries = iter(range(WAIT_MS // 20))

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append((box.text(), box.textFormat()))
            if isinstance(button, str):
                (chosen,) = [candidate for candidate in box.buttons() if candidate.text() == button]
            else:
                chosen = box.button(button)
            chosen.click()
        elif next(tries, None) is not None:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    return asked


@pytest.fixture
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture
def client(sandbox):
    # Unpaced: these tests check one key many times in a row; the window's
    # one-check-a-second pacing has its own tests (tests/test_security.py).
    with LessonspaceClient(sandbox.api_url, timeout=5.0, min_check_interval=0) as api:
        yield api


# The window, as `lsdesk` opens it, on the sandbox and with files of the test's own.
# A module overrides `store` (say, to start with a key saved) and the window uses it.


@pytest.fixture
def store():
    return MemoryKeyStore()


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "lsdesk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def journal(tmp_path):
    return RotationJournal(tmp_path / "rotation")


@pytest.fixture
def history(tmp_path):
    return History(tmp_path / "history.jsonl")


@pytest.fixture
def open_window(qtbot, sandbox, store, settings, journal, history):
    """Opens the settings window and waits for its first check (unless `wait=False`).

    Afterwards every window it opened is closed, the sandbox stops (which ends
    any request still waiting on a delay), and abandoned worker threads end.
    """
    from lsdesk.core.api_url import resolve_api_url
    from lsdesk.gui.app import create_window
    from lsdesk.gui.worker import unfinished_threads

    opened = []

    def open_(*, key_store=None, api_url=ON_THE_SANDBOX, wait=True, banner=False, paced=False):
        url = sandbox.api_url if api_url == ON_THE_SANDBOX else api_url
        # Unpaced unless asked: the production client waits a second between a key's checks.
        client = None if paced or url is None else LessonspaceClient(resolve_api_url(url), min_check_interval=0)
        window = create_window(
            url,
            store=key_store or store,
            settings=settings,
            journal=journal,
            history=history,
            client=client,
            sandbox=banner,
        )
        qtbot.addWidget(window)
        opened.append(window)
        window.show()
        if wait:
            with qtbot.waitSignal(window.host.operation_finished, timeout=WAIT_MS):
                pass
        return window

    yield open_
    for window in opened:
        window.quit()
    sandbox.stop()
    for thread in unfinished_threads():
        thread.wait(WAIT_MS)
