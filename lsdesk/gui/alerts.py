"""Telling the admin that a key which worked has stopped working, wherever they are looking.

A desktop notification where the desktop has a notification service (every
Linux desktop; GNOME shows no tray), the tray's balloon where it has only a
tray (Windows, macOS), and the window brought forward where it has neither.
The taskbar entry asks for attention as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from lsdesk.core.status import KeyStatus

if TYPE_CHECKING:
    from lsdesk.gui.notifications import DesktopNotifications
    from lsdesk.gui.tray import TrayIcon
    from lsdesk.gui.window import SettingsWindow

INVALID_TITLE = "Your Lessonspace API key no longer works"
INVALID_MESSAGE = "Lessons may not launch until a new key is saved. Click here to open lsdesk."


def invalid_alert(key: KeyStatus) -> tuple[str, str]:
    """The alert's title and message, naming the organisation when it is known."""
    organisation = key.organisation
    if organisation and organisation.name:
        return f"{organisation.name}: the API key no longer works", INVALID_MESSAGE
    return INVALID_TITLE, INVALID_MESSAGE


class KeyAlerts(QObject):
    """Says a key turned invalid through the best channel this desktop has."""

    def __init__(
        self,
        window: SettingsWindow,
        *,
        tray: TrayIcon | None,
        notifications: DesktopNotifications | None,
    ):
        super().__init__(window)
        self._window = window
        self._tray = tray
        self._notifications = notifications
        if notifications is not None:
            notifications.activated.connect(window.bring_forward)
            notifications.unavailable.connect(self._without_a_notification_service)

    def close(self) -> None:
        """lsdesk is ending: let go of the session bus."""
        if self._notifications is not None:
            self._notifications.close()

    @Slot(object)
    def key_turned_invalid(self, key: KeyStatus) -> None:
        title, message = invalid_alert(key)
        QApplication.alert(self._window)  # the taskbar entry asks for attention
        if self._notifications is not None:
            self._notifications.notify(title, message)
        else:
            self._without_a_notification_service(title, message)

    @Slot(str, str)
    def _without_a_notification_service(self, title: str, message: str) -> None:
        if self._tray is not None:
            self._tray.tell(title, message, QSystemTrayIcon.MessageIcon.Warning)
        else:
            self._window.bring_forward()
