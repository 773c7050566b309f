"""Checking the saved key on a schedule while lsdesk runs, and noticing when it stops working."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from lsdesk.core.outcome import State
from lsdesk.core.status import KeyStatus, StatusModel

# The answers that say something about the key itself; the rest (offline, a
# locked keychain, ...) leave what was known as it was.
_CONCLUSIVE = (State.VALID, State.REJECTED, State.NOT_SET)

# How long a scheduled check waits when it finds the admin answering a question
# or another operation running.
PUT_OFF_MS = 60_000


class KeyWatch(QObject):
    """Asks for a check of the saved key every `interval_ms`, and reads the answers from the model.

    A check that falls due while a question is open, or while another
    operation runs, is put off instead of skipped: it would take the worker
    from under the admin's answer, and their Yes would do nothing.

    Signals:
        due(): a scheduled check fell due (the other organisations are checked then too).
        turned_invalid(KeyStatus): a key that was valid has been rejected by Lessonspace.
    """

    due = Signal()
    turned_invalid = Signal(object)

    def __init__(
        self, model: StatusModel, check: Callable[[], object], interval_ms: int, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._check = check
        self._known: State | None = None
        self._seen: KeyStatus | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._timer.timeout.connect(self.due)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(PUT_OFF_MS)
        self._retry.timeout.connect(self._tick)
        model.subscribe(self._on_model_changed)

    def start(self) -> None:
        self._timer.start()

    def set_interval_ms(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)

    @Slot()
    def _tick(self) -> None:
        asking = isinstance(QApplication.activeModalWidget(), QMessageBox)
        if not asking and self._check():
            self._retry.stop()
        else:
            self._retry.start()

    def _on_model_changed(self, model: StatusModel) -> None:
        key = model.key
        if key is self._seen:
            return  # only what runs changed
        self._seen = key
        if not key.live or key.state not in _CONCLUSIVE:
            return  # remembered from the last run, or nothing new about the key
        if self._known is State.VALID and key.state is State.REJECTED:
            self.turned_invalid.emit(key)
        self._known = key.state
