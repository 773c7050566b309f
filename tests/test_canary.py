"""A canary key run through every flow must never show up where a key must not be."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import keyring
import keyring.errors
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QMessageBox, QWidget

from lsdesk.core.history import History
from lsdesk.core.keystore import MemoryKeyStore, SystemKeyStore, credential_service
from lsdesk.core.rotation import RotationJournal, backup_slot, pending_slot
from lsdesk.gui import app, clipboard
from lsdesk.gui.app import create_window
from lsdesk.gui.rotate_dialog import CLOSE_ANYWAY
from lsdesk.gui.worker import CRASH_MESSAGE, unfinished_threads
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import CANARY_KEY, answer_when_asked
from tests.flaky_keyring import FlakyBackend
from tests.test_rotate_dialog import rotate_with
from tests.test_rotation_crash import DIE_AT

WAIT_MS = 10_000


def visible_texts(window: QWidget) -> list[str]:
    """Every text a user or a screen reader can get from the window, but the key field's own content."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription(), widget.statusTip()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
    return texts


def save_through_the_window(qtbot, window, text: str) -> None:
    window.key_field.line_edit.setText(text)
    with qtbot.waitSignal(window.host.saved, timeout=WAIT_MS):
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)


def test_canary_never_leaves_the_key_field_in_the_window(qtbot, sandbox, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    settings = QSettings(str(tmp_path / "lsdesk.ini"), QSettings.Format.IniFormat)
    store = MemoryKeyStore()
    sandbox.add_key(CANARY_KEY)
    window = create_window(
        sandbox.api_url,
        store=store,
        settings=settings,
        journal=RotationJournal(tmp_path / "rotation"),
        history=History(tmp_path / "history.jsonl"),
    )
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        pass

    save_through_the_window(qtbot, window, f" Organisation {CANARY_KEY}\n")  # accepted and stored
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    for fault in ({"status": 500}, {"html_page": True}, {"drop_connection": True}, {"status": 429}):
        sandbox.faults.reset()
        sandbox.faults.update(fault)
        save_through_the_window(qtbot, window, CANARY_KEY)
    sandbox.faults.reset()
    sandbox.revoke_key(CANARY_KEY)
    save_through_the_window(qtbot, window, CANARY_KEY)  # rejected
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    window.key_field.line_edit.setText(CANARY_KEY + "x")  # malformed
    qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)

    texts = visible_texts(window)
    window.close()
    settings.sync()
    files_text = texts_of_files(tmp_path)  # preferences, the remembered status, the history
    assert "ends in" in window.key_ending_label.text()
    assert store.get("default") == CANARY_KEY
    assert CANARY_KEY not in "\n".join(texts)
    assert CANARY_KEY not in caplog.text
    assert CANARY_KEY not in files_text
    assert CANARY_KEY[-4:] in files_text  # the ending is all that is remembered


def test_canary_never_appears_when_the_keychain_or_the_worker_fails(qtbot, sandbox, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sandbox.add_key(CANARY_KEY)
    backend = FlakyBackend(raise_on_use=RuntimeError(f"backend exploded while holding {CANARY_KEY}"))
    window = create_window(
        sandbox.api_url,
        store=SystemKeyStore(backend=backend),
        settings=QSettings(str(tmp_path / "lsdesk.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        pass
    save_through_the_window(qtbot, window, CANARY_KEY)
    backend.raise_on_use = None

    class Exploding(MemoryKeyStore):
        def get(self, profile):
            raise ValueError(f"unexpected bug with {CANARY_KEY}")

    crashing = create_window(
        sandbox.api_url,
        store=Exploding(),
        settings=QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(crashing)
    with qtbot.waitSignal(crashing.host.checked, timeout=WAIT_MS):
        pass
    assert crashing.badge.title() == "Something went wrong in lsdesk"
    texts = visible_texts(window) + visible_texts(crashing)
    window.close()
    crashing.close()
    for thread in unfinished_threads():
        thread.wait(WAIT_MS)
    assert "ValueError" in caplog.text  # the crash was logged, without its message
    assert CANARY_KEY not in caplog.text
    assert CANARY_KEY not in "\n".join(texts)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--key-stdin"],
        ["check", "--key-stdin", "--json"],
        ["save"],
        ["save", "--json"],
    ],
)
@pytest.mark.parametrize("fault", [None, {"status": 500}, {"drop_connection": True}, "revoked"])
def test_canary_never_reaches_stdout_or_stderr(sandbox, args, fault):
    sandbox.add_key(CANARY_KEY)
    if fault == "revoked":
        sandbox.revoke_key(CANARY_KEY)
    elif fault:
        sandbox.faults.update(fault)
    result = subprocess.run(
        [sys.executable, "-m", "lsdesk", "--verbose", *args, "--api-url", sandbox.api_url],
        input=CANARY_KEY,
        capture_output=True,
        text=True,
        timeout=60,
        # No secure storage, so a save never touches a developer's real keychain.
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.stdout
    assert CANARY_KEY not in result.stdout
    assert CANARY_KEY not in result.stderr


def texts_of_files(folder: Path) -> str:
    """Everything written under `folder` (journal, history, log), as text."""
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in sorted(folder.rglob("*")) if path.is_file()
    )


def test_canary_never_leaves_the_rotation_dialog_the_journal_the_history_or_the_clipboard(
    qtbot, sandbox, tmp_path, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(clipboard, "CLEAR_AFTER_MS", 200)
    sandbox.add_key(CANARY_KEY)
    backend = FlakyBackend()
    backend.values[("lsdesk:default", "default")] = DEMO_KEY
    settings = QSettings(str(tmp_path / "lsdesk.ini"), QSettings.Format.IniFormat)
    files = tmp_path / "files"
    journal, history = RotationJournal(files / "rotation"), History(files / "history.jsonl")

    def open_window():
        window = create_window(
            sandbox.api_url, store=SystemKeyStore(backend=backend), settings=settings, journal=journal, history=history
        )
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
            pass
        return window

    window = open_window()
    board = QGuiApplication.clipboard()
    dialog = window.open_rotation()
    for fault in ({"status": 500}, {"drop_connection": True}):  # Lessonspace can't answer: nothing changes
        sandbox.faults.update(fault)
        assert not rotate_with(qtbot, dialog, CANARY_KEY).rotated
        sandbox.faults.reset()
    backend.fail_set_for = frozenset({"default"})  # the keychain refuses: the dialog keeps the key to copy
    assert not rotate_with(qtbot, dialog, CANARY_KEY).rotated
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert board.text() == CANARY_KEY
    qtbot.waitUntil(lambda: board.text() == "", timeout=WAIT_MS)
    backend.fail_set_for = frozenset()
    assert rotate_with(qtbot, dialog, CANARY_KEY).rotated
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.text() == "", timeout=WAIT_MS)
    texts = visible_texts(window)
    dialog.reject()
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)  # the lessons since the rotation, counted

    # Now the canary is the old key, and the keychain hands back something else: the rotation
    # stops half way and leaves its journal for the next launch, which finishes it.
    dialog = window.open_rotation()
    backend.written.clear()
    backend.read_back = "garbled"
    assert not rotate_with(qtbot, dialog, sandbox.generate_key()).rotated
    backend.read_back = None
    texts += visible_texts(window)
    journal_text = texts_of_files(journal.folder)
    assert journal.read("default") is not None
    asked = answer_when_asked(qtbot, CLOSE_ANYWAY)  # the new key was not copied: lsdesk asks first
    dialog.reject()
    assert asked
    window.close()
    relaunched = open_window()
    assert "interrupted" in relaunched.message_bar.text()
    texts += visible_texts(relaunched)
    relaunched.close()
    for thread in unfinished_threads():
        thread.wait(WAIT_MS)
    settings.sync()

    assert CANARY_KEY not in "\n".join(texts)
    assert CANARY_KEY not in journal_text and CANARY_KEY[-4:] in journal_text
    assert CANARY_KEY not in texts_of_files(files)  # the history, and whatever the journal left
    assert CANARY_KEY not in texts_of_files(tmp_path)  # preferences and the remembered status too
    assert CANARY_KEY not in caplog.text
    assert board.text() != CANARY_KEY


def test_an_unhandled_exception_on_the_gui_thread_is_logged_and_shown_without_its_message(monkeypatch, caplog, qapp):
    caplog.set_level(logging.DEBUG)
    shown = []
    # The real QMessageBox.critical is modal: it would wait for a click that never comes.
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args) or QMessageBox.StandardButton.Ok)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        try:
            raise ValueError(f"could not check {CANARY_KEY}")
        except ValueError as error:
            app._report_crash(ValueError, error, error.__traceback__)
        log_files = [handler.baseFilename for handler in root.handlers if hasattr(handler, "baseFilename")]
        for handler in root.handlers:
            handler.flush()
        logged = "\n".join(Path(name).read_text(encoding="utf-8") for name in log_files)
    finally:
        opened = set(root.handlers) - set(handlers)  # the log file, unless an earlier test opened it
        for handler in opened:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        if opened:
            app._log_to_file.cache_clear()

    assert log_files, "the crash was not written to the log file"
    assert "ValueError" in logged and "ValueError" in caplog.text
    assert CANARY_KEY not in logged
    assert CANARY_KEY not in caplog.text
    assert len(shown) == 1
    assert CRASH_MESSAGE in shown[0]
    assert CANARY_KEY not in " ".join(str(part) for part in shown[0])


@pytest.fixture
def cli_profile(real_keyring, tmp_path):
    """A profile of the real `lsdesk` keychain entry, and a home whose files the test can read."""
    name = f"canary-{uuid.uuid4().hex[:12]}"
    home = {name: str(tmp_path / name.lower()) for name in ("XDG_DATA_HOME", "XDG_STATE_HOME")}
    yield name, home, tmp_path
    for slot in (name, backup_slot(name), pending_slot(name)):
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(credential_service(slot), slot)


def run_lsdesk(args: list[str], stdin: str, home: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lsdesk", "--verbose", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **home},
    )


def test_canary_never_leaves_lsdesk_rotate_as_new_key_or_old_key(sandbox, cli_profile):
    profile, home, folder = cli_profile
    sandbox.add_key(CANARY_KEY)
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    common = ["--api-url", sandbox.api_url, "--profile", profile]
    runs = []
    sandbox.faults.status = 503
    runs.append(run_lsdesk(["rotate", "--json", *common], CANARY_KEY, home))  # can't check: nothing changes
    sandbox.faults.reset()
    runs.append(run_lsdesk(["rotate", *common], CANARY_KEY, home))  # the canary becomes the saved key
    runs.append(run_lsdesk(["rotate", "--json", *common], CANARY_KEY, home))  # that is the key already saved
    assert keyring.get_password(credential_service(profile), profile) == CANARY_KEY
    runs.append(run_lsdesk(["rotate", "--json", *common], sandbox.generate_key(), home))  # the canary is the old key
    # A rotation back to the canary, killed half way, then the next launch finishes it.
    killed = subprocess.run(
        [sys.executable, "-c", DIE_AT, sandbox.api_url, profile, CANARY_KEY, "set", "main", "before"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **home},
    )
    assert killed.returncode == -signal.SIGKILL
    journal_text = texts_of_files(Path(home["XDG_STATE_HOME"]))
    runs.append(run_lsdesk(["check", "--json", *common], "", home))
    assert "interrupted" in runs[-1].stderr
    assert keyring.get_password(credential_service(profile), profile) == CANARY_KEY

    assert [run.returncode for run in runs] == [4, 0, 2, 0, 0]
    for run in [*runs, killed]:
        assert CANARY_KEY not in run.stdout
        assert CANARY_KEY not in run.stderr
    assert CANARY_KEY[-4:] in journal_text and CANARY_KEY not in journal_text
    assert CANARY_KEY not in texts_of_files(folder)  # history, journal, anything else written
