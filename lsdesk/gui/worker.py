"""The worker thread: every network and keychain call happens here.

`KeyService` lives on one long-lived QThread and runs the core's `KeyDesk`.
`KeyServiceHost` lives on the GUI thread: it owns that thread, numbers each
request, lets one run at a time, and passes on only the result of the
request that is still current. Nothing on the worker touches a widget.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from lsdesk.core.history import History
from lsdesk.core.keystore import KEYRING_WAITING_TITLE, Attention, KeyStore
from lsdesk.core.language import _
from lsdesk.core.outcome import Outcome, State, outcome
from lsdesk.core.rotation import RotationResult
from lsdesk.core.status import Activity
from lsdesk.core.usecases import SaveResult
from lsdesk.gui.source_text import release_source_text

if TYPE_CHECKING:
    from lsdesk.core.desk import KeyDesk

log = logging.getLogger(__name__)

# How long quitting waits for the operation under way. A save, rotation or removal is given time to finish its
# keychain call; a check or a copy changes nothing that matters if it is cut short (lsdesk's own files are
# replaced whole, never half-written), so a check hanging on the network holds up quitting only briefly.
SHUTDOWN_WAIT_MS = 500
READING_SHUTDOWN_WAIT_MS = 100
_ONLY_READING = (Activity.IDLE, Activity.CHECKING, Activity.COPYING)
CRASH_TITLE = _("Something went wrong in lsdesk")
CRASH_MESSAGE = _(
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


def abandon(thread: QThread) -> None:
    """Keep a thread whose request still hangs at shutdown referenced until it ends on its own."""
    _abandoned_threads.add(thread)
    thread.finished.connect(lambda: _abandoned_threads.discard(thread))


def unfinished_threads() -> list[QThread]:
    """Worker threads abandoned at shutdown and still running."""
    return [thread for thread in _abandoned_threads if thread.isRunning()]


@dataclass(frozen=True)
class SaveRequest:
    """A save's arguments, carried to the worker as one object (no bool on a signal: see below)."""

    raw_key: str
    allow_other_organisation: bool


@dataclass(frozen=True)
class RotateRequest:
    """A rotation's arguments, carried to the worker as one object."""

    raw_key: str
    current: Outcome | None
    allow_other_organisation: bool


DeskFactory = Callable[[], "KeyDesk"]


class KeyService(QObject):
    """Runs check, save, rotate and forget on the worker thread.

    It is handed a factory for the core's desk rather than the desk: the
    factory runs on the worker at the first request, because httpx and
    keyring take longer to import than the window takes to appear.

    Signals:
        recovered(int, str): an interrupted rotation was finished or rolled back; says how.
        checked(int, Outcome): a check of the stored key finished (a crash is an Outcome too).
        saved(int, SaveResult): a save finished, stored or not.
        rotation_progressed(int, str): a rotation reached its next step.
        rotated(int, RotationResult): a rotation finished, done or not.
        forgotten(int, Outcome): removing the saved key finished, done or not.
        key_read(int, str | Outcome): the saved key was read for a copy (an Outcome when it could not be).
        lessons_counted(int, (Outcome, LessonsSince | None)): the saved key's check and the lessons since it was saved.
        keyring_waiting(int): a keychain call is slow: it may be waiting for an unlock prompt.
        keyring_answered(int): the slow keychain call ended after all.
    """

    recovered = Signal(int, str)
    checked = Signal(int, object)
    saved = Signal(int, object)
    rotation_progressed = Signal(int, str)
    rotated = Signal(int, object)
    forgotten = Signal(int, object)
    key_read = Signal(int, object)
    lessons_counted = Signal(int, object)
    keyring_waiting = Signal(int)
    keyring_answered = Signal(int)

    def __init__(self, open_desk: DeskFactory, store: KeyStore):
        super().__init__()
        self._open_desk_once = open_desk
        self._store = store
        self._lock = threading.Lock()
        self._desk: KeyDesk | None = None
        self._closed = False
        self._cancel: tuple[int, threading.Event] | None = None  # the running request's

    def stop_waiting(self, request_id: int) -> None:
        """Make request `request_id` stop waiting for the keychain; safe to call from any thread.

        Its keychain calls then fail at once, it ends, and its result is
        dropped; a call the keychain is stuck in may still end later, and
        goes nowhere.
        """
        with self._lock:
            running = self._cancel
        if running is not None and running[0] == request_id:
            running[1].set()

    def close(self) -> None:
        """Abandon the HTTP client; safe to call from any thread."""
        with self._lock:
            self._closed = True
            desk = self._desk
        if desk is not None:
            desk.client.close()

    @Slot(int)
    def check_stored(self, request_id: int) -> None:
        def recover_then_check(desk: KeyDesk) -> Outcome:
            notice = desk.recover()
            if notice:
                self.recovered.emit(request_id, notice)
            return desk.check_stored()

        self._run(request_id, self.checked, recover_then_check, crashed=lambda result: result)

    @Slot(int, object)
    def save(self, request_id: int, request: SaveRequest) -> None:
        self._run(
            request_id,
            self.saved,
            lambda desk: desk.save(request.raw_key, allow_other_organisation=request.allow_other_organisation),
            crashed=lambda result: SaveResult(result, saved=False),
        )

    @Slot(int, object)
    def rotate(self, request_id: int, request: RotateRequest) -> None:
        self._run(
            request_id,
            self.rotated,
            progress_while_waiting=True,
            operation=lambda desk: desk.rotate(
                request.raw_key,
                current=request.current,
                allow_other_organisation=request.allow_other_organisation,
                progress=lambda step: self.rotation_progressed.emit(request_id, step),
            ),
            crashed=lambda result: RotationResult(result, rotated=False),
        )

    @Slot(int)
    def forget(self, request_id: int) -> None:
        self._run(request_id, self.forgotten, lambda desk: desk.forget(), crashed=lambda result: result)

    @Slot(int)
    def count_lessons(self, request_id: int) -> None:
        self._run(request_id, self.lessons_counted, lambda desk: desk.lessons(), crashed=lambda result: (result, None))

    @Slot(int)
    def read_key(self, request_id: int) -> None:
        self._run(request_id, self.key_read, lambda desk: desk.read_saved_key(), crashed=lambda result: result)

    def _open_desk(self) -> KeyDesk | None:
        with self._lock:
            if self._desk is None and not self._closed:
                self._desk = self._open_desk_once()
                release_source_text()  # httpx and the core are imported now: before the request needs memory
            return None if self._closed else self._desk

    def _run(
        self,
        request_id: int,
        done: Signal,
        operation: Callable[[KeyDesk], object],
        *,
        crashed: Callable[[Outcome], object],
        progress_while_waiting: bool = False,
    ) -> None:
        cancelled = threading.Event()
        with self._lock:
            self._cancel = (request_id, cancelled)

        def waiting() -> None:
            self.keyring_waiting.emit(request_id)
            if progress_while_waiting:
                self.rotation_progressed.emit(request_id, f"{KEYRING_WAITING_TITLE}...")

        attention = Attention(
            waiting=waiting, answered=lambda: self.keyring_answered.emit(request_id), cancelled=cancelled
        )
        attended = getattr(self._store, "attended", None)  # only the system keychain can be slow
        try:
            desk = self._open_desk()
            if desk is None:
                return  # shut down: nobody waits for this result
            with attended(attention) if attended is not None else contextlib.nullcontext():
                result = operation(desk)
        except Exception as error:  # noqa: BLE001 - a bug must end as a result, never kill the worker
            log_crash(f"operation {request_id}", error)
            # Each operation reports its own failure, as its own kind of result.
            result = crashed(outcome(State.UNFINISHED, CRASH_MESSAGE, title=CRASH_TITLE))
        done.emit(request_id, result)


class KeyServiceHost(QObject):
    """The GUI thread's handle on the worker.

    Signals:
        operation_started(): an operation began (`activity` says which); no other can start until it ends.
        recovered(str): an interrupted rotation was finished or rolled back; says how.
        checked(Outcome): the current check finished.
        saved(SaveResult): the current save finished.
        rotation_progressed(str): the current rotation reached its next step.
        rotated(RotationResult): the current rotation finished.
        forgotten(Outcome): removing the saved key finished.
        key_read(str | Outcome): the saved key, read for the admin's Copy, or why it could not be.
        lessons_counted((Outcome, LessonsSince | None)): the saved key's check, and the lessons since it was saved.
        keyring_waiting(): the current operation waits for the keychain (an unlock prompt, perhaps).
        keyring_answered(): the keychain answered after all.
        operation_finished(): the operation ended or was cancelled; always after its result signal.
    """

    # No bool-carrying signal here: PySide6 6.12 drops a reference to True or
    # False on every emit of one, and the interpreter aborts once it runs out.
    operation_started = Signal()
    operation_finished = Signal()
    recovered = Signal(str)
    checked = Signal(object)
    saved = Signal(object)
    rotation_progressed = Signal(str)
    rotated = Signal(object)
    forgotten = Signal(object)
    key_read = Signal(object)
    lessons_counted = Signal(object)
    keyring_waiting = Signal()
    keyring_answered = Signal()

    _check_requested = Signal(int)
    _save_requested = Signal(int, object)
    _rotate_requested = Signal(int, object)
    _forget_requested = Signal(int)
    _read_requested = Signal(int)
    _lessons_requested = Signal(int)

    def __init__(
        self,
        open_desk: DeskFactory,
        store: KeyStore,
        profile: str,
        *,
        history: History,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.history = history
        self.profile = profile
        self._current = 0
        self._activity = Activity.IDLE
        self._thread = QThread()
        self._thread.setObjectName("lsdesk-worker")
        self._service = KeyService(open_desk, store)
        self._service.moveToThread(self._thread)
        self._thread.finished.connect(self._service.deleteLater)
        self._check_requested.connect(self._service.check_stored)
        self._save_requested.connect(self._service.save)
        self._rotate_requested.connect(self._service.rotate)
        self._forget_requested.connect(self._service.forget)
        self._read_requested.connect(self._service.read_key)
        self._lessons_requested.connect(self._service.count_lessons)
        # Each result reaches a slot of this object, so that Qt queues it to the GUI thread. A
        # functools.partial or lambda has no thread of its own: it would run on the worker's thread.
        self._service.checked.connect(self._on_checked)
        self._service.saved.connect(self._on_saved)
        self._service.rotated.connect(self._on_rotated)
        self._service.forgotten.connect(self._on_forgotten)
        self._service.key_read.connect(self._on_key_read)
        self._service.lessons_counted.connect(self._on_lessons_counted)
        self._service.recovered.connect(self._on_recovered)
        self._service.rotation_progressed.connect(self._on_rotation_progressed)
        self._service.keyring_waiting.connect(self._on_keyring_waiting)
        self._service.keyring_answered.connect(self._on_keyring_answered)

    def start(self) -> None:
        """Start the worker thread; requests sent before this wait for it."""
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._activity is not Activity.IDLE

    @property
    def activity(self) -> Activity:
        """What the running operation does, or IDLE."""
        return self._activity

    @property
    def running(self) -> bool:
        """True while the worker thread runs (from start() until shutdown())."""
        return self._thread.isRunning()

    def check(self) -> bool:
        """Start checking the stored key. False if another operation runs."""
        return self._start(Activity.CHECKING, lambda request_id: self._check_requested.emit(request_id))

    def save(self, raw_key: str, *, allow_other_organisation: bool = False) -> bool:
        """Start checking and storing a new key. False if another operation runs."""
        return self._start(
            Activity.SAVING,
            lambda request_id: self._save_requested.emit(request_id, SaveRequest(raw_key, allow_other_organisation)),
        )

    def rotate(self, raw_key: str, current: Outcome | None, *, allow_other_organisation: bool = False) -> bool:
        """Start rotating to a new key. False if another operation runs."""
        return self._start(
            Activity.ROTATING,
            lambda request_id: self._rotate_requested.emit(
                request_id, RotateRequest(raw_key, current, allow_other_organisation)
            ),
        )

    def forget(self) -> bool:
        """Start removing the saved key. False if another operation runs."""
        return self._start(Activity.FORGETTING, lambda request_id: self._forget_requested.emit(request_id))

    def count_lessons(self) -> bool:
        """Start checking the saved key and counting the lessons since it was saved. False if another runs."""
        return self._start(Activity.CHECKING, lambda request_id: self._lessons_requested.emit(request_id))

    def read_key(self) -> bool:
        """Start reading the saved key, for the admin's Copy. False if another operation runs."""
        return self._start(Activity.COPYING, lambda request_id: self._read_requested.emit(request_id))

    def cancel(self) -> bool:
        """Stop waiting for the running operation; False if none runs.

        The window is free at once. The operation is told to stop waiting
        for the keychain, and whatever it answers later is dropped: the next
        request has a new number.
        """
        if not self.busy:
            return False
        cancelled = self._current
        self._current += 1
        self._service.stop_waiting(cancelled)
        log.info("request %d cancelled while it waited", cancelled)
        self._set_activity(Activity.IDLE)
        return True

    def shutdown(self, wait_ms: int | None = None) -> bool:
        """Stop the worker; True if it stopped within `wait_ms` (by default, as long as what runs deserves).

        A request that hangs is abandoned: its result will be ignored, and
        its thread is kept referenced until it ends on its own.
        """
        if wait_ms is None:
            wait_ms = READING_SHUTDOWN_WAIT_MS if self._activity in _ONLY_READING else SHUTDOWN_WAIT_MS
        self._service.stop_waiting(self._current)  # a hung keychain call must not hold up quitting
        self._current += 1  # whatever is running now is superseded
        self._service.close()
        self._thread.quit()
        if self._thread.wait(wait_ms):
            return True
        log.warning("worker still busy after %d ms at shutdown; abandoning its request", wait_ms)
        abandon(self._thread)
        return False

    def _start(self, activity: Activity, send: Callable[[int], None]) -> bool:
        if self.busy:
            return False
        self._current += 1
        self._set_activity(activity)
        send(self._current)
        return True

    def _set_activity(self, activity: Activity) -> None:
        was_busy = self.busy
        self._activity = activity
        if was_busy != self.busy:
            (self.operation_started if self.busy else self.operation_finished).emit()

    @Slot(int, object)
    def _on_checked(self, request_id: int, result: object) -> None:
        self._on_result(self.checked, request_id, result)

    @Slot(int, object)
    def _on_saved(self, request_id: int, result: object) -> None:
        self._on_result(self.saved, request_id, result)

    @Slot(int, object)
    def _on_rotated(self, request_id: int, result: object) -> None:
        self._on_result(self.rotated, request_id, result)

    @Slot(int, object)
    def _on_forgotten(self, request_id: int, result: object) -> None:
        self._on_result(self.forgotten, request_id, result)

    @Slot(int, object)
    def _on_key_read(self, request_id: int, result: object) -> None:
        self._on_result(self.key_read, request_id, result)

    @Slot(int, object)
    def _on_lessons_counted(self, request_id: int, result: object) -> None:
        self._on_result(self.lessons_counted, request_id, result)

    def _on_result(self, passed_on: Signal, request_id: int, result: object) -> None:
        """On the GUI thread: pass a current request's result on, then end its operation."""
        if request_id != self._current:
            log.info("ignoring the result of superseded request %d", request_id)
            return
        # The result first, while the operation still counts as running, so that
        # nothing can start in between; then the operation ends.
        passed_on.emit(result)
        if request_id == self._current:
            self._set_activity(Activity.IDLE)

    @Slot(int, str)
    def _on_recovered(self, request_id: int, notice: str) -> None:
        if request_id == self._current:
            self.recovered.emit(notice)

    @Slot(int, str)
    def _on_rotation_progressed(self, request_id: int, step: str) -> None:
        if request_id == self._current:
            self.rotation_progressed.emit(step)

    @Slot(int)
    def _on_keyring_waiting(self, request_id: int) -> None:
        if request_id == self._current:
            self.keyring_waiting.emit()

    @Slot(int)
    def _on_keyring_answered(self, request_id: int) -> None:
        if request_id == self._current:
            self.keyring_answered.emit()
