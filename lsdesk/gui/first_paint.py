"""Waiting for the window's first paint before doing anything slow.

The worker's first request imports httpx and keyring, which takes longer
than the window takes to appear. A thread that imports holds the GIL for
long stretches, and the GUI thread needs the GIL back after every call into
Qt, so a worker started with the window would delay its first paint.
Started once the window has painted, it costs the window nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

# A window that is never drawn (hidden, or minimised at start) still gets its work done.
NOT_PAINTED_AFTER_MS = 500


class _AfterFirstPaint(QObject):
    def __init__(self, window: QWidget, then: Callable[[], None]):
        super().__init__(window)
        self._window = window
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(NOT_PAINTED_AFTER_MS, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Paint:
            QTimer.singleShot(0, self, self._run)  # once this paint, children and all, is done
        elif kind == QEvent.Type.Close:
            self._stop()  # closed before it was drawn: nothing is wanted any more
        return False

    @Slot()
    def _run(self) -> None:
        then = self._then
        self._stop()
        if then is not None:
            then()

    def _stop(self) -> None:
        if self._then is not None:
            self._then = None
            self._window.removeEventFilter(self)


def after_first_paint(window: QWidget, then: Callable[[], None]) -> None:
    """Call `then` once `window` has been drawn for the first time, or after
    NOT_PAINTED_AFTER_MS if it is not drawn by then; never if it closes first."""
    _AfterFirstPaint(window, then)
