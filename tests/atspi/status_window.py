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
  check  Lessonspace revokes the saved key, and the admin presses Check
         again (Space on the focused button).
  save   the admin types the second key into the field and presses Save.
  quit   ends the window.
"""

import json
import sys

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.gui.app import create_window
from lsdesk.sandbox import SandboxServer

saved_key, second_key = sys.stdin.readline().split()
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


def press(button: QPushButton) -> None:
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)


def on_command() -> None:
    command = sys.stdin.readline().strip()
    if command == "check":
        server.revoke_key(store.get("default"))
        press(window.check_button)
    elif command == "save":
        QTest.keyClicks(window.key_field.line_edit, second_key)
        press(window.save_button)
    else:
        app.quit()


# Once the events queued at the operation's end are handled: the window has then given the focus back.
window.host.operation_finished.connect(lambda: QTimer.singleShot(0, report))
command_notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
command_notifier.activated.connect(on_command)
app.exec()
server.stop()
