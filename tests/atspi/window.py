"""The lsdesk window in its own process, on the accessibility bus, driven as
an admin would: type a key, select all and delete it, paste one (with the
"Organisation " prefix, from the real clipboard), save it (lsdesk then
clears the field), and type one into the rotation dialog.

Argument: the first key, the second key. Prints "acted" when done and
quits at a line on standard input.
"""

import sys

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.gui.app import create_window
from lsdesk.sandbox import DEMO_KEY, SandboxServer

first_key, second_key, third_key = sys.argv[1:4]
app = QApplication(sys.argv[:1])
server = SandboxServer().start()
server.add_key(first_key)
server.add_key(second_key)
server.add_key(third_key)
store = MemoryKeyStore()
store.set("default", DEMO_KEY)
window = create_window(server.api_url, "default", store=store)
window.show()


def act() -> None:
    field = window.key_field.line_edit
    field.setFocus()
    QTest.keyClicks(field, first_key)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_Backspace)
    QGuiApplication.clipboard().setText(f"Organisation {second_key}")
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    window.host.saved.connect(lambda _result: QTimer.singleShot(300, in_the_dialog))
    QTest.keyClick(field, Qt.Key.Key_Return)


def in_the_dialog() -> None:
    dialog = window.open_rotation()
    dialog.key_field.line_edit.setFocus()
    QTest.keyClicks(dialog.key_field.line_edit, third_key)
    QTest.keyClick(dialog.key_field.line_edit, Qt.Key.Key_Backspace)
    QTimer.singleShot(500, lambda: print("acted", store.get("default") == second_key, flush=True))


QTimer.singleShot(500, act)
quit_notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
quit_notifier.activated.connect(app.quit)
app.exec()
server.stop()
