"""Checking the saved key on a schedule while lsdesk runs, and noticing when it stops working."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from lsdesk.core.outcome import Outcome, State
from lsdesk.gui.window import SettingsWindow

# How long a scheduled check waits when it finds the admin answering a question
# or another operation running.
PUT_OFF_MS = 60_000


class KeyWatch(QObject):
    """Asks the window to check the saved key every `interval_ms`.

    A check that falls due while a question is open, or while another
    operation runs, is put off instead of skipped: it would take the worker
    from under the admin's answer, and their Yes would do nothing.

    Signals:
        turned_invalid(Outcome): a key that was valid has been rejected by Lessonspace.
    """

    turned_invalid = Signal(object)

    def __init__(self, window: SettingsWindow, interval_ms: int):
        super().__init__(window)
        self._window = window
        self._known: State | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(PUT_OFF_MS)
        self._retry.timeout.connect(self._tick)
        window.host.checked.connect(self._on_checked)
        window.host.saved.connect(lambda result: self._on_checked(result.outcome) if result.saved else None)
        window.host.rotated.connect(lambda result: self._on_checked(result.outcome) if result.rotated else None)

    def start(self) -> None:
        self._timer.start()

    def set_interval_ms(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)

    @Slot()
    def _tick(self) -> None:
        asking = isinstance(QApplication.activeModalWidget(), QMessageBox)
        if not asking and self._window.check():
            self._retry.stop()
        else:
            self._retry.start()

    @Slot(object)
    def _on_checked(self, result: Outcome) -> None:
        if result.state.is_network_problem:
            return  # says nothing new about the key
        if self._known is State.VALID and result.state is State.REJECTED:
            self.turned_invalid.emit(result)
        self._known = result.state
