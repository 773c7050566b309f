"""One lsdesk window per user and profile.

Starting lsdesk again brings the running window forward instead of opening
a second window with a second tray icon. The first start listens on a local
socket (a Unix socket, a named pipe on Windows); a later start connects,
says "show", waits for "shown", and ends. A socket left behind by a start
that crashed answers nobody: it is removed, and the new start takes the name.

On Linux and macOS the socket is Python's own (`UnixSingleWindow`): Qt's
QLocalServer would load QtNetwork and, with it, Kerberos' libraries, about
2.5 MiB and 9 ms before the window appears, for one line of text. Windows has
no Unix sockets for this: there Qt's named pipe does it (`QtSingleWindow`).
Both speak the same lines, and on Linux either one answers the other.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import zlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot

from lsdesk.core.settings_file import settings_path

if TYPE_CHECKING:
    import socket

    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

SHOW = b"show\n"
SHOWN = b"shown\n"
CONNECT_WAIT_MS = 1_000
ANSWER_WAIT_MS = 5_000


def server_name(profile: str, *, sandbox: bool) -> str:
    """The socket's name: one per user (their settings folder), profile, and sandbox or not.

    A checksum of those, so any profile name makes a valid name (not a secret: a name). On Linux it goes into
    the user's own runtime folder when there is one, where no other user can take it first; elsewhere into the
    user's temporary folder, as Qt puts a name without a folder."""
    identity = "\0".join((str(settings_path().parent), profile, "sandbox" if sandbox else "real")).encode()
    name = f"lsdesk-{zlib.crc32(identity):08x}{zlib.adler32(identity):08x}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform.startswith("linux") and runtime and os.path.isdir(runtime):
        return os.path.join(runtime, name)
    return name


def single_window(name: str, parent: QObject | None = None) -> SingleWindow:
    """The listener and the request for this system: a Unix socket, or Qt's named pipe on Windows."""
    return (QtSingleWindow if sys.platform == "win32" else UnixSingleWindow)(name, parent)


class SingleWindow(QObject):
    """The first start's listener, and a later start's request.

    Signals:
        show_requested(): another start of lsdesk asked for this window.
    """

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self._name = name

    def ask_running_to_show(self) -> bool:
        """True if a running lsdesk answered that it brought its window forward."""
        answer = self._ask()
        if answer is None:
            return False  # nobody listens: this start is the first
        if answer != SHOWN:
            log.warning("another lsdesk for this profile did not answer; this one takes over")
            return False
        log.info("the lsdesk window already open for this profile was brought forward")
        return True

    def listen(self) -> bool:
        """Listen for later starts; False (and logged) if the name cannot be taken."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop listening, and remove the socket."""
        raise NotImplementedError

    def _ask(self) -> bytes | None:
        """Say SHOW to a running lsdesk: its answer (b"" for none), or None if nobody listens."""
        raise NotImplementedError

    def _answer(self, request: bytes) -> bytes | None:
        """The reply to what a later start said, once it said a whole line; None while the line is unfinished,
        b"" for something that is not another lsdesk."""
        line, newline, _rest = request.partition(b"\n")
        if not newline:
            return b"" if len(request) > len(SHOW) else None
        if line + newline != SHOW:
            return b""
        log.info("another start of lsdesk asked for this window; bringing it forward")
        self.show_requested.emit()
        return SHOWN


class UnixSingleWindow(SingleWindow):
    """The socket as a file in the user's runtime or temporary folder, readable by this user alone."""

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(name, parent)
        import tempfile

        self.path = name if os.path.isabs(name) else os.path.join(tempfile.gettempdir(), name)
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._requests: set[_Request] = set()

    def _ask(self) -> bytes | None:
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(CONNECT_WAIT_MS / 1000)
            try:
                connection.connect(self.path)
            except OSError:  # no such file, or a file nobody listens on
                return None
            answer = b""
            connection.settimeout(ANSWER_WAIT_MS / 1000)
            try:
                connection.sendall(SHOW)
                while not answer.endswith(b"\n") and len(answer) <= len(SHOWN):
                    received = connection.recv(64)
                    if not received:
                        break
                    answer += received
            except OSError:  # it stopped answering, or never did in time
                pass
            return answer

    def listen(self) -> bool:
        import socket

        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                server.bind(self.path)
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                # Left by a start that crashed, or held by one that no longer answers.
                os.unlink(self.path)
                server.bind(self.path)
            os.chmod(self.path, 0o600)  # this user's alone, as Qt's UserAccessOption makes it
            server.listen(8)
        except OSError as error:
            server.close()
            log.warning("a second start of lsdesk will open a second window: %s", error.strerror or error)
            return False
        server.setblocking(False)
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def close(self) -> None:
        for request in list(self._requests):
            request.close()
        if self._server is None:
            return
        self._notifier.setEnabled(False)
        self._server.close()
        self._server = None
        try:
            os.unlink(self.path)
        except OSError:
            pass  # already gone: nothing is left to remove

    @Slot()
    def _accept(self) -> None:
        while self._server is not None:
            try:
                connection, _address = self._server.accept()
            except OSError:  # nothing more to accept now (BlockingIOError), or a connection already gone
                return
            connection.setblocking(False)
            self._requests.add(_Request(connection, self))

    def _finished(self, request: _Request) -> None:
        self._requests.discard(request)


class _Request(QObject):
    """One later start's connection: read until its line is whole, answer, close."""

    def __init__(self, connection: socket.socket, listener: UnixSingleWindow):
        super().__init__(listener)
        self._connection = connection
        self._listener = listener
        self._received = b""
        self._notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    @Slot()
    def _read(self) -> None:
        try:
            received = self._connection.recv(64)
        except BlockingIOError:
            return
        except OSError:
            received = b""
        if not received:
            self.close()
            return
        self._received += received
        answer = self._listener._answer(self._received)
        if answer is None:
            return
        if answer:
            try:
                self._connection.send(answer)  # six bytes: a fresh socket's buffer takes them at once
            except OSError:
                pass  # the other start gave up waiting: nothing to tell it
        self.close()

    def close(self) -> None:
        self._notifier.setEnabled(False)
        self._connection.close()
        self._listener._finished(self)
        self.deleteLater()


class QtSingleWindow(SingleWindow):
    """Qt's local socket: a named pipe on Windows (and a Unix socket elsewhere, which the tests use)."""

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(name, parent)
        self._server: QLocalServer | None = None

    def _ask(self) -> bytes | None:
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(CONNECT_WAIT_MS):
            return None
        socket.write(SHOW)
        socket.waitForBytesWritten(CONNECT_WAIT_MS)
        answer = b""
        while not answer.endswith(b"\n"):
            waited = socket.waitForReadyRead(ANSWER_WAIT_MS)
            answer += bytes(socket.readAll())  # also what arrived just before the other end closed
            if not waited:
                break
        socket.abort()
        return answer

    def listen(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

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
        if self._server is not None:
            self._server.close()  # Qt removes the socket too

    @Slot()
    def _on_new_connection(self) -> None:
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.readyRead.connect(lambda connection=connection: self._on_request(connection))
            connection.disconnected.connect(connection.deleteLater)

    def _on_request(self, connection: QLocalSocket) -> None:
        answer = self._answer(bytes(connection.peek(connection.bytesAvailable())))
        if answer is None:
            return
        connection.readAll()
        if answer:
            connection.write(answer)
            connection.flush()
            connection.disconnectFromServer()
        else:
            connection.abort()  # not another lsdesk
