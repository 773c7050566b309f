"""A canary key run through every flow must never show up where a key must not be."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from lsdesk.core.keystore import MemoryKeyStore, SystemKeyStore
from lsdesk.gui.app import create_window
from lsdesk.gui.worker import unfinished_threads
from tests.conftest import CANARY_KEY
from tests.flaky_keyring import FlakyBackend

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
    window = create_window(sandbox.api_url, store=store, settings=settings)
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
    with open(settings.fileName(), encoding="utf-8") as saved:
        settings_text = saved.read()
    assert "ends in" in window.key_ending_label.text()
    assert store.get("default") == CANARY_KEY
    assert CANARY_KEY not in "\n".join(texts)
    assert CANARY_KEY not in caplog.text
    assert CANARY_KEY not in settings_text
    assert CANARY_KEY[-4:] in settings_text  # the ending is all that is remembered


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
    with qtbot.waitSignal(crashing.host.failed, timeout=WAIT_MS):
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
