"""One lsdesk window per user and profile.

Starting lsdesk again brings the running window forward instead of opening
a second window with a second tray icon. The first start listens on a local
socket (a Unix socket, a named pipe on Windows); a later start connects,
says "show", waits for "shown", and ends. A socket left behind by a start
that crashed answers nobody: it is removed, and the new start takes the name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from lsdesk.core import paths

log = logging.getLogger(__name__)

SHOW = b"show\n"
SHOWN = b"shown\n"
CONNECT_WAIT_MS = 1_000
ANSWER_WAIT_MS = 5_000


def server_name(profile: str, *, sandbox: bool) -> str:
    """The socket's name: one per user (their state folder), profile, and sandbox or not.

    Hashed, so any profile name makes a valid name. On Linux it goes into the
    user's own runtime folder when there is one, where no other user can
    take it first; elsewhere Qt puts it in the user's temporary folder."""
    identity = "\0".join((str(paths.state_dir()), profile, "sandbox" if sandbox else "real"))
    name = "lsdesk-" + hashlib.sha256(identity.encode()).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform.startswith("linux") and runtime and os.path.isdir(runtime):
        return os.path.join(runtime, name)
    return name


class SingleWindow(QObject):
    """The first start's listener, and a later start's request.

    Signals:
        show_requested(): another start of lsdesk asked for this window.
    """

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self._name = name
        self._server: QLocalServer | None = None

    def ask_running_to_show(self) -> bool:
        """True if a running lsdesk answered that it brought its window forward."""
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(CONNECT_WAIT_MS):
            return False  # nobody listens: this start is the first
        socket.write(SHOW)
        socket.waitForBytesWritten(CONNECT_WAIT_MS)
        answer = b""
        while not answer.endswith(b"\n") and socket.waitForReadyRead(ANSWER_WAIT_MS):
            answer += bytes(socket.readAll())
        socket.abort()
        if answer != SHOWN:
            log.warning("another lsdesk for this profile did not answer; this one takes over")
            return False
        log.info("the lsdesk window already open for this profile was brought forward")
        return True

    def listen(self) -> bool:
        """Listen for later starts; False (and logged) if the name cannot be taken."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._name):
            # Left by a start that crashed, or held by one that no longer answers.
            QLocalServer.removeServer(self._name)
            if not server.listen(self._name):
                log.warning("a second start of lsdesk will open a second window: %s", server.errorString())
                return False
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def close(self) -> None:
        """Stop listening, and remove the socket (Qt does both)."""
        if self._server is not None:
            self._server.close()

    @Slot()
    def _on_new_connection(self) -> None:
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.readyRead.connect(lambda connection=connection: self._on_request(connection))
            connection.disconnected.connect(connection.deleteLater)

    def _on_request(self, connection: QLocalSocket) -> None:
        if not connection.canReadLine():
            if connection.bytesAvailable() > len(SHOW):
                connection.abort()  # not another lsdesk
            return
        if bytes(connection.readLine()) == SHOW:
            log.info("another start of lsdesk asked for this window; bringing it forward")
            self.show_requested.emit()
            connection.write(SHOWN)
            connection.flush()
        connection.disconnectFromServer()
