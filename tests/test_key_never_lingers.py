"""Once saved, the key cannot be got back from the field, and a copy of it
is marked as a secret and does not outlive lsdesk (issue 9, items 7 and 9).

The clipboard tests use the real X clipboard of pytest-xvfb's screen, read
back from another process, as a clipboard manager would read it.
"""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from lsdesk.gui import clipboard
from tests.conftest import WAIT_MS, type_and_save
from tests.test_rotate_dialog import (
    rotate_with,
    store,  # noqa: F401 - the fixture: a saved key, so Rotate is on
)

READ_CLIPBOARD = """
import json, sys
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
app = QGuiApplication(sys.argv[:1])
mime = QGuiApplication.clipboard().mimeData()
print(json.dumps({name: bytes(mime.data(name)).decode("latin-1") for name in mime.formats()}))
"""


def read_clipboard_from_another_process(qtbot) -> dict[str, str]:
    """Each format on the X clipboard and its bytes, as another program sees
    them. This process keeps running its event loop meanwhile: on X the
    owner answers the other program's request."""
    child = subprocess.Popen([sys.executable, "-c", READ_CLIPBOARD], stdout=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=WAIT_MS)
        return json.loads(child.stdout.read())
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def undo_after_show(qtbot, field) -> list[str]:
    """What the field shows after Show and each of three Ctrl+Z presses (the
    first undoes the clearing; more would undo the typing too)."""
    qtbot.mouseClick(field.toggle, Qt.MouseButton.LeftButton)
    assert field.line_edit.echoMode() is QLineEdit.EchoMode.Normal
    seen = []
    for _press in range(3):
        qtbot.keyClick(field.line_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        seen.append(field.line_edit.text())
    return seen


def test_after_a_save_show_and_undo_do_not_bring_the_key_back(open_window, store, sandbox, qtbot):
    """Before: the field was emptied with QLineEdit.clear(), an undoable edit."""
    window = open_window()
    new_key = sandbox.generate_key()
    type_and_save(qtbot, window, new_key)
    assert store.get("default") == new_key
    assert window.key_field.text() == ""
    assert all(text == "" for text in undo_after_show(qtbot, window.key_field))  # no diff: it would print the key
    assert not window.key_field.line_edit.isUndoAvailable()


def test_after_a_rotation_undo_in_the_dialog_does_not_bring_the_key_back(open_window, sandbox, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    dialog.key_field.line_edit.setFocus()
    qtbot.keyClicks(dialog.key_field.line_edit, new_key)
    with qtbot.waitSignal(window.host.rotated, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    dialog.key_field.set_busy(False)  # read-only after the rotation; undo must find nothing even so
    assert all(text == "" for text in undo_after_show(qtbot, dialog.key_field))  # no diff: it would print the key


def test_copy_new_key_copies_the_key_without_a_pasted_prefix(open_window, sandbox, qtbot):
    """Before: the field's raw text was copied, "Organisation " and all."""
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    result = rotate_with(qtbot, dialog, f"  Organisation {new_key} ")
    assert result.rotated
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert read_clipboard_from_another_process(qtbot)["text/plain"] == new_key


def test_the_copied_key_is_marked_secret_for_clipboard_managers(open_window, sandbox, qtbot):
    """Klipper and others skip a copy marked x-kde-passwordManagerHint=secret
    (KeePassXC sets the same); before, a bare text copy was made."""
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    rotate_with(qtbot, dialog, new_key)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    formats = read_clipboard_from_another_process(qtbot)
    assert formats["text/plain"] == new_key
    assert formats["x-kde-passwordManagerHint"] == "secret"


def test_the_marks_for_windows_and_macos_are_the_documented_ones():
    """No Windows or macOS runs the tests: this holds the names and values
    Microsoft and nspasteboard.org document, as Qt's mime names for them."""
    windows = clipboard.secret_marks("win32")
    assert windows == {
        'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': b"\x01\x00\x00\x00",
        'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': b"\x00\x00\x00\x00",
        'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': b"\x00\x00\x00\x00",
    }
    assert clipboard.secret_marks("darwin") == {"application/x-nspasteboard-concealed-type": b"secret"}
    mime = clipboard.secret_mime_data("text", "win32")
    assert mime.text() == "text" and set(mime.formats()) >= set(windows)


def test_quitting_clears_the_clipboard_only_if_it_still_holds_the_key(open_window, sandbox, qtbot):
    """Before: nothing happened at quit; the key stayed for the 30 s timer,
    or for ever with a clipboard manager that saves the clipboard at exit."""
    app = QGuiApplication.instance()
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    rotate_with(qtbot, dialog, new_key)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    app.aboutToQuit.emit()  # what QApplication.quit() emits
    assert "text/plain" not in read_clipboard_from_another_process(qtbot)

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    QGuiApplication.clipboard().setText("something the user copied since")
    app.aboutToQuit.emit()
    assert read_clipboard_from_another_process(qtbot)["text/plain"] == "something the user copied since"
