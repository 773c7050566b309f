"""`lsdesk ARGS` as the command runs it, answering the message it shows if it refuses to start.

Prints one JSON line: each message box's text, and whether the window was on screen while it was shown.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

GIVE_UP_MS = 30_000


def main() -> int:
    from lsdesk.gui import app

    show_and_run = app.exec_until_closed
    seen: list[dict] = []

    def watched(qt_app, window, *args, **kwargs):
        def answer() -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                seen.append({"text": box.text(), "window_visible": window.isVisible()})
                box.button(QMessageBox.StandardButton.Ok).click()

        timer = QTimer(qt_app, interval=50)
        timer.timeout.connect(answer)
        timer.start()
        QTimer.singleShot(GIVE_UP_MS, lambda: qt_app.exit(3))
        return show_and_run(qt_app, window, *args, **kwargs)

    app.exec_until_closed = watched
    from lsdesk import main as lsdesk_main

    code = lsdesk_main(sys.argv[1:])
    print(json.dumps({"boxes": seen}), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
