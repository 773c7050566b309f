"""Telling the admin that a key which worked has stopped working, wherever they are looking.

A desktop notification where the desktop has a notification service (every
Linux desktop; GNOME shows no tray), the tray's balloon where it has only a
tray (Windows, macOS), and the window brought forward where it has neither.
The taskbar entry asks for attention as well.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from lsdesk.core.language import _, ngettext
from lsdesk.core.status import KeyStatus

if TYPE_CHECKING:
    from lsdesk.gui.notifications import DesktopNotifications
    from lsdesk.gui.tray import TrayIcon
    from lsdesk.gui.window import SettingsWindow

DUE_TITLE = _("Time to rotate your Lessonspace API key")
DUE_MESSAGE = _("The saved key is as old as your rotation reminder allows. Click here to open lsdesk and rotate it.")
# A due rotation is a reminder: said at most once a day, and it never brings the window forward by itself.
REMIND_EVERY = timedelta(days=1)
LAST_REMINDED = "reminders/rotation_due_last"  # followed by /<profile>: each organisation is reminded
PLACES_LAST_REMINDED = "reminders/places_pending_last"
# Translators: the body of a notification whose title says how many places still need the new key.
PLACES_MESSAGE = _("Lessons launched from those places fail until they have it. Click here to open lsdesk's checklist.")
INVALID_TITLE = _("Your Lessonspace API key no longer works")
INVALID_MESSAGE = _("Lessons may not launch until a new key is saved. Click here to open lsdesk.")


def invalid_alert(key: KeyStatus) -> tuple[str, str]:
    """The alert's title and message, naming the organisation when it is known."""
    organisation = key.organisation
    if organisation and organisation.name:
        # Translators: a notification's title; {organisation} is the organisation's name in Lessonspace.
        return _("{organisation}: the API key no longer works").format(organisation=organisation.name), INVALID_MESSAGE
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

    def rotation_due(self, key: KeyStatus, settings: QSettings, now: datetime | None = None) -> bool:
        """Remind that `key` is due for rotation, unless lsdesk did so less than a day ago; True if it did."""
        organisation = key.organisation
        title = DUE_TITLE
        if organisation and organisation.name:
            # Translators: a notification's title; {organisation} is the organisation's name in Lessonspace.
            title = _("{organisation}: time to rotate the API key").format(organisation=organisation.name)
        return self._remind(f"{LAST_REMINDED}/{self._window.host.profile}", title, DUE_MESSAGE, settings, now)

    def places_pending(self, count: int, settings: QSettings, now: datetime | None = None) -> bool:
        """Remind that `count` places still hold the old key after a rotation, at most once a day."""
        organisation = self._window.model.key.organisation
        if organisation and organisation.name:
            title = ngettext(
                # Translators: a notification's title; {organisation} is the organisation's name in Lessonspace.
                "{organisation}: {count} place still to update with the new key",
                "{organisation}: {count} places still to update with the new key",
                count,
            ).format(organisation=organisation.name, count=count)
        else:
            title = ngettext(
                # Translators: a notification's title.
                "{count} place still to update with the new key",
                "{count} places still to update with the new key",
                count,
            ).format(count=count)
        return self._remind(f"{PLACES_LAST_REMINDED}/{self._window.host.profile}", title, PLACES_MESSAGE, settings, now)

    def _remind(self, remembered: str, title: str, message: str, settings: QSettings, now: datetime | None) -> bool:
        """A reminder, through a notification or the tray, unless the same was said less than a day ago."""
        now = now or datetime.now(UTC)
        last = _moment(settings.value(remembered))
        if last is not None and now - last < REMIND_EVERY:
            return False
        settings.setValue(remembered, now.isoformat())
        if self._notifications is not None:
            self._notifications.notify(title, message)
        elif self._tray is not None:
            self._tray.tell(title, message, QSystemTrayIcon.MessageIcon.Information)
        return True

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


def _moment(raw: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)
