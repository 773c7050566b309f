"""Desktop notifications through the freedesktop notification service, on Linux.

GNOME has shown no system tray since 3.26, so on most Linux desktops a tray
balloon reaches nobody; the notification service on the session bus
(org.freedesktop.Notifications) is what every desktop shows. Spoken to with
jeepney, which keyring already brings on Linux: PySide6's QtDBus cannot send
the unsigned integer Notify needs. Nothing here blocks the window: a message
is sent, and its reply and the service's signals are read when the bus
socket has something to read.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot

from lsdesk.core.language import _
from lsdesk.resource_files import resource

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
OPEN_ACTION = "default"  # the action most services run when the notification itself is clicked
# Translators: the action of lsdesk's desktop notification.
OPEN_LABEL = _("Open lsdesk")
SEND_TIMEOUT_S = 1.0
URGENCY_CRITICAL = 2  # stays until the admin dismisses it


class DesktopNotifications(QObject):
    """Notifications on the session bus; one at a time, each replacing the one before.

    Signals:
        activated(): the admin clicked lsdesk's notification, or its "Open lsdesk" action.
        unavailable(str, str): no notification service took the notification (title, message);
            the caller shows it another way.
    """

    activated = Signal()
    unavailable = Signal(str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._connection = None
        self._reader: QSocketNotifier | None = None
        self._waiting: dict[int, tuple[str, str]] = {}  # serial of a Notify call: what it showed
        self._shown_id = 0  # the service's id for lsdesk's notification; 0: none yet

    @property
    def shown_id(self) -> int:
        return self._shown_id

    def notify(self, title: str, message: str) -> None:
        """Show `title` and `message` (plain text), replacing lsdesk's earlier notification."""
        from jeepney import DBusAddress, new_method_call

        connection = self._connect()
        if connection is None:
            self.unavailable.emit(title, message)
            return
        call = new_method_call(
            DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE),
            "Notify",
            "susssasa{sv}i",
            (
                "lsdesk",
                self._shown_id,
                str(resource("icons", "app.svg")),
                title,
                message,
                [OPEN_ACTION, OPEN_LABEL],
                {"desktop-entry": ("s", "lsdesk"), "urgency": ("y", URGENCY_CRITICAL)},
                0,  # never expires: the admin has to have seen it
            ),
        )
        serial = next(connection.outgoing_serial)
        try:
            connection.sock.settimeout(SEND_TIMEOUT_S)
            connection.send(call, serial=serial)
        except OSError as error:
            log.warning("could not send a desktop notification: %s", type(error).__name__)
            self._disconnect()
            self.unavailable.emit(title, message)
            return
        self._waiting[serial] = (title, message)
        log.info("desktop notification sent: %s", title)  # a title names an organisation at most

    def _connect(self):
        if self._connection is not None:
            return self._connection
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection

        try:
            connection = open_dbus_connection(bus="SESSION")
            # The service's answers to lsdesk's notifications: which action was taken, when one closed.
            for member in ("ActionInvoked", "NotificationClosed"):
                rule = MatchRule(type="signal", interface=SERVICE, member=member, path=PATH)
                connection.send(message_bus.AddMatch(rule))
        except (OSError, ValueError, KeyError) as error:  # no session bus, or a refused one
            log.info("no session bus for desktop notifications: %s", type(error).__name__)
            return None
        self._connection = connection
        self._reader = QSocketNotifier(connection.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._reader.activated.connect(self._read)
        return connection

    def close(self) -> None:
        """Let go of the session bus; a later notification connects again."""
        self._disconnect()

    def _disconnect(self) -> None:
        if self._reader is not None:
            self._reader.setEnabled(False)
            self._reader.deleteLater()
            self._reader = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._shown_id = 0

    @Slot()
    def _read(self) -> None:
        connection = self._connection
        while connection is not None:
            try:
                message = connection.receive(timeout=0)
            except TimeoutError:
                return  # all read
            except (OSError, ValueError) as error:  # the bus went away, or sent what jeepney can't read
                log.info("the session bus closed: %s", type(error).__name__)
                self._disconnect()
                return
            self._handle(message)

    def _handle(self, message) -> None:
        from jeepney import HeaderFields, MessageType

        header = message.header
        kind = header.message_type
        answered = self._waiting.pop(header.fields.get(HeaderFields.reply_serial), None)
        if kind is MessageType.method_return and answered is not None:
            self._shown_id = int(message.body[0])
        elif kind is MessageType.error and answered is not None:
            log.info("the notification service refused: %s", header.fields.get(HeaderFields.error_name))
            self.unavailable.emit(*answered)
        elif kind is MessageType.signal and message.body and message.body[0] == self._shown_id:
            member = header.fields.get(HeaderFields.member)
            if member == "ActionInvoked" and message.body[1] == OPEN_ACTION:
                self.activated.emit()
            elif member == "NotificationClosed":
                self._shown_id = 0
