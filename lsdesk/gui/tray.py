"""The system-tray icon: the key's state at a glance, and a warning when it stops working."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from lsdesk.core.status import KeyStatus, StatusModel
from lsdesk.gui.badge import CHECKING_TITLE, state_icon

INVALID_TITLE = "Your Lessonspace API key no longer works"
INVALID_MESSAGE = "Lessons may not launch until a new key is saved. Click here to open lsdesk."
CHECK_AGAIN = "&Check again"  # as the window's button says it


class TrayIcon(QSystemTrayIcon):
    """Reads the profile's status model; its menu opens the window, checks again or quits."""

    def __init__(
        self,
        model: StatusModel,
        *,
        open_window: Callable[[], None],
        check: Callable[[], object],
        quit_app: Callable[[], None],
        parent: QObject | None = None,
    ):
        super().__init__(state_icon(None), parent)
        self._open_window = open_window
        menu = QMenu()
        self.state_line = menu.addAction("")
        self.state_line.setEnabled(False)  # the state, as the first line: read, not clicked
        menu.addSeparator()
        for text, action in (("&Open lsdesk", open_window), (CHECK_AGAIN, check), ("&Quit", quit_app)):
            item = QAction(text, menu)
            item.triggered.connect(action)
            menu.addAction(item)
        self.setContextMenu(menu)
        self._menu = menu  # a context menu is not owned by the tray icon
        self.activated.connect(self._on_activated)
        self.messageClicked.connect(open_window)
        model.subscribe(self.show_state)
        self.show_state(model)

    def show_state(self, model: StatusModel) -> None:
        key = model.key
        title = key.title if key.state is not None else CHECKING_TITLE
        if key.state is not None and not key.live:
            title = f"Last known: {title}"
        self.setIcon(state_icon(key.state))
        self.setToolTip(f"lsdesk: {title}")
        self.state_line.setText(title)

    @Slot(object)
    def warn_invalid(self, key: KeyStatus) -> None:
        title = (
            f"{key.organisation.name}: the API key no longer works"
            if key.organisation and key.organisation.name
            else INVALID_TITLE
        )
        self.showMessage(title, INVALID_MESSAGE, QSystemTrayIcon.MessageIcon.Warning, 0)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._open_window()
