"""The window in one language, as the admin meets it, for tests/test_translated.py.

    python -m tests.helpers.translated_window API_URL FOLDER

Speaks the language the window would: its Settings' choice (in $XDG_CONFIG_HOME/lsdesk/lsdesk.ini), else
$LSDESK_LANGUAGE's or the environment's. Runs in a process of its own because lsdesk's sentences are translated
as their modules are imported. Opens the
real window on the sandbox at API_URL (with the demo key, its files in FOLDER), waits for its check, then shows
every badge state, the Settings, rotation and places dialogs, and the tray menu. Prints one JSON object: every text
a person reads or hears in them (Qt's standard buttons apart, whose words are Qt's), and every widget whose text
is cut off or that runs outside its window.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lsdesk import _window_language
from lsdesk.core import language

language.use(_window_language([]))  # as lsdesk.main does for the window, before any sentence is imported

from PySide6.QtCore import QEventLoop, QPoint, QSettings, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from lsdesk.core.history import History
from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.core.outcome import State, outcome
from lsdesk.core.rotation import RotationJournal
from lsdesk.gui.app import create_window
from lsdesk.gui.elided_label import ElidedLabel
from lsdesk.gui.qt_language import speak
from lsdesk.gui.tray import TrayIcon
from lsdesk.gui.window import TEACHWORKS_ROTATED
from lsdesk.sandbox import DEMO_KEY

WAIT_MS = 15_000


def texts_of(top: QWidget) -> list[str]:
    """Every text of a window and its widgets that is shown or read out, but Qt's standard buttons' own."""
    found = [top.windowTitle(), top.toolTip(), top.accessibleName(), top.accessibleDescription()]
    for widget in top.findChildren(QWidget):
        if widget in standard_buttons(top):
            continue
        found += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription(), widget.whatsThis()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append(widget.text())
        if isinstance(widget, QLineEdit):
            found.append(widget.placeholderText())
        if isinstance(widget, QGroupBox):
            found.append(widget.title())
        if isinstance(widget, QComboBox):
            found += [widget.itemText(index) for index in range(widget.count())]
    return [text for text in found if text and text.strip()]


def standard_buttons(top: QWidget) -> list[QAbstractButton]:
    """The standard buttons (OK, Cancel...) of a dialog's button box: their words are Qt's, from its catalogue."""
    return [
        button
        for box in top.findChildren(QDialogButtonBox)
        for button in box.buttons()
        if box.standardButton(button) != QDialogButtonBox.StandardButton.NoButton
    ]


def cut_off(top: QWidget) -> list[str]:
    """The visible widgets whose text does not fit them, or that reach outside the window."""
    problems = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top) or widget.window() is not top:
            continue
        name = f"{type(widget).__name__} {widget.objectName() or repr(_text(widget))}"
        left = widget.mapTo(top, QPoint(0, 0)).x()
        if left < 0 or left + widget.width() > top.width():
            problems.append(f"{name} runs outside its window ({left}+{widget.width()} of {top.width()} px)")
        if isinstance(widget, ElidedLabel) or not _text(widget):
            continue  # an elided label shortens its text on purpose, and says it whole in its tooltip
        if isinstance(widget, QLabel) and widget.wordWrap():
            room = widget.contentsRect()
            if widget.heightForWidth(room.width()) > room.height() + 1:
                problems.append(f"{name}: {widget.heightForWidth(room.width())} px of text in {room.height()} px")
        elif isinstance(widget, (QLabel, QAbstractButton)) and widget.sizeHint().width() > widget.width():
            problems.append(f"{name}: needs {widget.sizeHint().width()} px, has {widget.width()}")
    return problems


def _text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""


def settle(app: QApplication, ms: int = 50) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def main(api_url: str, folder: str) -> int:
    app = QApplication(sys.argv[:1])
    speak(app)
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    files = Path(folder)
    window = create_window(
        api_url,
        store=store,
        settings=QSettings(str(files / "settings.ini"), QSettings.Format.IniFormat),
        journal=RotationJournal(files / "rotation"),
        history=History(files / "history.jsonl"),
    )
    window.show()
    waited = QEventLoop()
    window.host.operation_finished.connect(waited.quit)
    QTimer.singleShot(WAIT_MS, waited.quit)
    waited.exec()
    settle(app)
    seen: list[str] = []
    qts: list[str] = []
    cut: list[str] = []

    def look(top: QWidget, where: str) -> None:
        settle(app)
        seen.extend(texts_of(top))
        qts.extend(button.text() for button in standard_buttons(top))
        cut.extend(f"{where}: {problem}" for problem in cut_off(top))

    look(window, "the window")
    rotation = window.open_rotation()
    if rotation is None:
        cut.append("the rotation was not offered for the demo key")
    else:
        look(rotation, "the rotation dialog")
        rotation.reject()
    preferences = window.open_preferences()
    look(preferences, "the Settings dialog")
    preferences.reject()
    places = window.places.edit()
    look(places, "the places dialog")
    places.reject()
    for state in State:
        window.model.checked(outcome(state, TEACHWORKS_ROTATED))
        look(window, f"the window, {state.value}")
    tray = TrayIcon(window.model, open_window=window.show, check=window.check, quit_app=window.quit, parent=window)
    seen += [action.text() for action in tray.contextMenu().actions() if action.text()]
    seen.append(tray.toolTip())
    print(json.dumps({"language": language.current(), "texts": seen, "qt_texts": qts, "cut_off": cut}))
    window.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
