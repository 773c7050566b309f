"""`lsdesk --sandbox` as the command runs it, telling what its window held at its first paint and once filled.

Prints one JSON line: at the first Paint event of the window, which of lsdesk's modules were imported, whether
the window was filled, the texts of its labels and its size; then the same once the window has been filled in.
The one hook is where the benchmark probe puts its own: `exec_until_closed`, just before the window is shown.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

GIVE_UP_MS = 30_000


def seen(window: QWidget) -> dict:
    return {
        "modules": sorted(name for name in sys.modules if name == "lsdesk" or name.startswith("lsdesk.")),
        "filled": window.filled,
        "labels": [label.text() for label in window.findChildren(QLabel) if label.isVisibleTo(window)],
        "size": [window.width(), window.height()],
    }


class FirstPaint(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.report: dict = {}
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self.report["first_paint"] = seen(self.window)
            self.window.filled_in.connect(lambda: QTimer.singleShot(0, self.filled))
        return False

    def filled(self) -> None:
        self.report["filled"] = seen(self.window)
        print(json.dumps(self.report), flush=True)
        self.window.quit()


def main() -> int:
    from lsdesk.gui import app

    show_and_run = app.exec_until_closed

    def watched(qt_app, window, *args, **kwargs):
        window.probe = FirstPaint(window)
        QTimer.singleShot(GIVE_UP_MS, lambda: qt_app.exit(3))
        return show_and_run(qt_app, window, *args, **kwargs)

    app.exec_until_closed = watched
    from lsdesk import main as lsdesk_main

    return lsdesk_main(["--sandbox", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
