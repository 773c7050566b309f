"""Noticing a window's first real paint.

An event filter on the window itself: the first Paint event that reaches it
is the moment the window is drawn. Showing a window and spinning the event
loop is no proof of that. (A filter on the whole application would see every
event of every widget and slow down the very start-up it measures.)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class FirstPaint(QObject):
    """Calls `painted(monotonic_time)` once, at the window's first Paint event."""

    def __init__(self, window: QWidget, painted: Callable[[float], None]):
        super().__init__(window)  # the window keeps it alive
        self._painted = painted
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            at = time.monotonic()
            watched.removeEventFilter(self)
            self._painted(at)
        return False
