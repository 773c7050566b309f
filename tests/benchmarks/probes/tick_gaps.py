"""The longest gap between ticks of a 5 ms timer on the GUI thread.

A gap longer than the interval is time the event loop could not run: the
window did not repaint or answer the mouse for that long.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Slot

INTERVAL_MS = 5


class TickGaps(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._longest = 0.0

    def start(self) -> None:
        self._last = time.monotonic()
        self._longest = 0.0
        self._timer.start()

    def restart(self) -> None:
        """Start a new measurement from now, keeping the timer running."""
        self._last = time.monotonic()
        self._longest = 0.0

    def longest_ms(self) -> float:
        """The longest gap since the last (re)start, counting the one still open."""
        return max(self._longest, time.monotonic() - self._last) * 1000

    @Slot()
    def _tick(self) -> None:
        now = time.monotonic()
        self._longest = max(self._longest, now - self._last)
        self._last = now
