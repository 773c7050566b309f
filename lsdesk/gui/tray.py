"""The system-tray icon: the key's state at a glance, and a warning when it stops working."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from lsdesk.core.outcome import Outcome
from lsdesk.gui.badge import state_icon
from lsdesk.gui.window import SettingsWindow

INVALID_TITLE = "Your Lessonspace API key no longer works"
INVALID_MESSAGE = "Lessons may not launch until a new key is saved. Click here to open lsdesk."


class TrayIcon(QSystemTrayIcon):
    def __init__(self, window: SettingsWindow):
        super().__init__(state_icon(None), window)
        self._window = window
        self.setToolTip("lsdesk: checking your Lessonspace API key")
        menu = QMenu(window)
        for text, action in (
            ("&Open lsdesk", window.bring_forward),
            ("&Check now", window.check),
            ("&Quit", window.quit),
        ):
            item = QAction(text, menu)
            item.triggered.connect(action)
            menu.addAction(item)
        self.setContextMenu(menu)
        self._menu = menu
        self.activated.connect(self._on_activated)
        self.messageClicked.connect(window.bring_forward)
        window.host.checked.connect(self.show_state)

    @Slot(object)
    def show_state(self, result: Outcome) -> None:
        self.setIcon(state_icon(result.state))
        self.setToolTip(f"lsdesk: {result.title}")

    @Slot(object)
    def warn_invalid(self, result: Outcome) -> None:
        self.showMessage(INVALID_TITLE, INVALID_MESSAGE, QSystemTrayIcon.MessageIcon.Warning, 0)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._window.bring_forward()
