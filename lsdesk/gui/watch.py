"""Checking the saved key on a schedule while lsdesk runs, and noticing when it stops working."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from lsdesk.core.outcome import Outcome, State
from lsdesk.gui.window import SettingsWindow


class KeyWatch(QObject):
    """Asks the window to check the saved key every `interval_ms`.

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
        window.host.checked.connect(self._on_checked)
        window.host.saved.connect(lambda result: self._on_checked(result.outcome) if result.saved else None)
        window.host.rotated.connect(lambda result: self._on_checked(result.outcome) if result.rotated else None)

    def start(self) -> None:
        self._timer.start()

    def set_interval_ms(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)

    @Slot()
    def _tick(self) -> None:
        self._window.check()  # does nothing while another operation runs; the next tick tries again

    @Slot(object)
    def _on_checked(self, result: Outcome) -> None:
        if result.state.is_network_problem:
            return  # says nothing new about the key
        if self._known is State.VALID and result.state is State.REJECTED:
            self.turned_invalid.emit(result)
        self._known = result.state
