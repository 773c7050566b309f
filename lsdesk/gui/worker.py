"""The worker thread: every network and keychain call happens here.

`KeyService` lives on one long-lived QThread and runs the core use cases.
`KeyServiceHost` lives on the GUI thread: it owns that thread, numbers each
request, lets one run at a time, and passes on only the result of the
request that is still current. Nothing on the worker touches a widget.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from lsdesk.core.keystore import KeyStore
from lsdesk.core.outcome import State, outcome

if TYPE_CHECKING:
    from lsdesk.core.client import LessonspaceClient

# The HTTP client and the use cases are imported on the worker thread, at the
# first request: httpx and keyring take longer to import than the window
# takes to appear.

log = logging.getLogger(__name__)

SHUTDOWN_WAIT_MS = 500
CRASH_TITLE = "Something went wrong in lsdesk"
CRASH_MESSAGE = (
    "lsdesk ran into a problem it did not expect; your saved key was not changed. "
    "Try again, and if it keeps happening, send the log file to your IT contact."
)

# Threads whose request still hung at shutdown. Held so that Python never
# destroys a running QThread (Qt aborts the process if it does).
_abandoned_threads: set[QThread] = set()


def log_crash(where: str, error: BaseException) -> None:
    """Log an unexpected exception by its type and frames only: its message
    could quote the key it was handed."""
    log.error("%s crashed: %s\n%s", where, type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))


def unfinished_threads() -> list[QThread]:
    """Worker threads abandoned at shutdown and still running."""
    return [thread for thread in _abandoned_threads if thread.isRunning()]


class KeyService(QObject):
    """Runs check and save on the worker thread.

    Signals:
        checked(int, Outcome): a check of the stored key finished.
        saved(int, SaveResult): a save finished, stored or not.
        failed(int, Outcome): an operation crashed; the Outcome says so in plain words.
    """

    checked = Signal(int, object)
    saved = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, api_url: str, store: KeyStore, profile: str):
        super().__init__()
        self._api_url = api_url
        self._store = store
        self._profile = profile
        self._lock = threading.Lock()
        self._client: LessonspaceClient | None = None
        self._closed = False

    def close(self) -> None:
        """Abandon the client; safe to call from any thread."""
        with self._lock:
            self._closed = True
            client = self._client
        if client is not None:
            client.close()

    @Slot(int)
    def check_stored(self, request_id: int) -> None:
        self._run(request_id, self.checked, lambda usecases, client: usecases.check_stored_key(client, self._store, self._profile))

    @Slot(int, str)
    def save(self, request_id: int, raw_key: str) -> None:
        self._run(request_id, self.saved, lambda usecases, client: usecases.save_key(client, self._store, self._profile, raw_key))

    def _client_for_request(self) -> LessonspaceClient | None:
        with self._lock:
            if self._client is None and not self._closed:
                from lsdesk.core.client import LessonspaceClient

                self._client = LessonspaceClient(self._api_url)
            return None if self._closed else self._client

    def _run(self, request_id: int, done: Signal, operation: Callable) -> None:
        try:
            from lsdesk.core import usecases

            client = self._client_for_request()
            if client is None:
                return  # shut down: nobody waits for this result
            result = operation(usecases, client)
        except Exception as error:
            # Only the type and the frames are logged: an exception's message
            # could quote the key it was handed.
            log_crash(f"operation {request_id}", error)
            self.failed.emit(
                request_id,
                outcome(State.UNEXPECTED, CRASH_MESSAGE, title=CRASH_TITLE),
            )
            return
        done.emit(request_id, result)


class KeyServiceHost(QObject):
    """The GUI thread's handle on the worker.

    Signals:
        busy_changed(bool): an operation started (True) or finished (False).
        checked(Outcome): the current check finished.
        saved(SaveResult): the current save finished.
        failed(Outcome): the current operation crashed.
    """

    busy_changed = Signal(bool)
    checked = Signal(object)
    saved = Signal(object)
    failed = Signal(object)

    _check_requested = Signal(int)
    _save_requested = Signal(int, str)

    def __init__(self, api_url: str, store: KeyStore, profile: str, parent: QObject | None = None):
        super().__init__(parent)
        self._current = 0
        self._busy = False
        self._thread = QThread()
        self._thread.setObjectName("lsdesk-worker")
        self._service = KeyService(api_url, store, profile)
        self._service.moveToThread(self._thread)
        self._thread.finished.connect(self._service.deleteLater)
        self._check_requested.connect(self._service.check_stored)
        self._save_requested.connect(self._service.save)
        self._service.checked.connect(self._on_checked)
        self._service.saved.connect(self._on_saved)
        self._service.failed.connect(self._on_failed)

    def start(self) -> None:
        """Start the worker thread; requests sent before this wait for it."""
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._busy

    def check(self) -> bool:
        """Start checking the stored key. False if another operation runs."""
        return self._start(lambda request_id: self._check_requested.emit(request_id))

    def save(self, raw_key: str) -> bool:
        """Start checking and storing a new key. False if another operation runs."""
        return self._start(lambda request_id: self._save_requested.emit(request_id, raw_key))

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop the worker; True if it stopped within `wait_ms`.

        A request that hangs is abandoned: its result will be ignored, and
        its thread is kept referenced until it ends on its own.
        """
        self._current += 1  # whatever is running now is superseded
        self._service.close()
        self._thread.quit()
        if self._thread.wait(wait_ms):
            return True
        log.warning("worker still busy after %d ms at shutdown; abandoning its request", wait_ms)
        _abandoned_threads.add(self._thread)
        self._thread.finished.connect(lambda thread=self._thread: _abandoned_threads.discard(thread))
        return False

    def _start(self, send: Callable[[int], None]) -> bool:
        if self._busy:
            return False
        self._current += 1
        self._set_busy(True)
        send(self._current)
        return True

    def _is_current(self, request_id: int) -> bool:
        if request_id != self._current:
            log.info("ignoring the result of superseded request %d", request_id)
            return False
        self._set_busy(False)
        return True

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    @Slot(int, object)
    def _on_checked(self, request_id: int, result) -> None:
        if self._is_current(request_id):
            self.checked.emit(result)

    @Slot(int, object)
    def _on_saved(self, request_id: int, result) -> None:
        if self._is_current(request_id):
            self.saved.emit(result)

    @Slot(int, object)
    def _on_failed(self, request_id: int, result) -> None:
        if self._is_current(request_id):
            self.failed.emit(result)
