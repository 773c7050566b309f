"""The lsdesk window in its own process, on the accessibility bus, with a
saved key Lessonspace (the sandbox) accepts; driven from standard input as
an admin would use the keyboard.

The first line on standard input: the saved key and a second key Lessonspace
accepts too (not arguments: Orca logs each application's command line). After
each check or save, once the window has given the focus back, prints one
JSON line: the badge's title and message, the object name of the focused
widget, and what the message bar and the organisation and last-confirmed
details say.
Then reads one command a line:
  focus NAME  moves the focus to the widget of that object name, as Tab would.
  type        types the second key into the focused field.
  revoke      Lessonspace revokes the saved key.
  press       presses Space on the focused button (the JSON line follows).
  quit        ends the window.
"""

import json
import os
import sys

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.gui.app import create_window
from lsdesk.sandbox import SandboxServer


def first_line() -> str:
    """Read byte by byte: nothing after it is taken from standard input before the notifier can see it."""
    line = b""
    while not line.endswith(b"\n"):
        line += os.read(0, 1) or b"\n"
    return line.decode()


saved_key, second_key = first_line().split()
app = QApplication(sys.argv)
server = SandboxServer().start()
server.add_key(saved_key)
server.add_key(second_key)
store = MemoryKeyStore()
store.set("default", saved_key)
window = create_window(server.api_url, "default", store=store)
window.show()
window.activateWindow()


def report() -> None:
    focused = QApplication.focusWidget()
    shown = {
        "title": window.badge.title(),
        "message": window.badge.message(),
        "focus": focused.objectName() if focused is not None else None,
        "messageBar": window.message_bar.accessibleName() if window.message_bar.isVisible() else None,
        "organisationLabel": window.organisation_label.text(),
        "lastConfirmedLabel": window.last_confirmed_label.text(),
    }
    print(json.dumps(shown), flush=True)


def run(command: str) -> None:
    command, _, argument = command.partition(" ")
    focused = QApplication.focusWidget()
    if command == "focus":
        window.findChild(QWidget, argument).setFocus()
    elif command == "type":
        QTest.keyClicks(focused, second_key)
    elif command == "revoke":
        server.revoke_key(store.get("default"))
    elif command == "press":
        QTest.keyClick(focused, Qt.Key.Key_Space)
    else:
        app.quit()


pending = b""


def on_input() -> None:
    """Every whole line that has arrived, read unbuffered: a buffered reader would keep lines the notifier has
    already signalled, and never hear of them again."""
    global pending
    chunk = os.read(0, 4096)
    if not chunk:
        app.quit()
        return
    *commands, pending = (pending + chunk).split(b"\n")
    for command in commands:
        run(command.decode())


# Once the events queued at the operation's end are handled: the window has then given the focus back.
window.host.operation_finished.connect(lambda: QTimer.singleShot(0, report))
command_notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
command_notifier.activated.connect(on_input)
app.exec()
server.stop()
