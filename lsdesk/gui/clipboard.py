"""Putting a key on the clipboard for a short while only."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

CLEAR_AFTER_MS = 30_000


def copy_for_a_while(text: str) -> None:
    """Copy `text`, and clear the clipboard after CLEAR_AFTER_MS if it still
    holds that text (the user may have copied something else since)."""
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(text)

    def clear_if_unchanged() -> None:
        if clipboard.text() == text:
            clipboard.clear()

    # Timed on the application, so the clearing happens even if the dialog
    # that copied is long closed.
    QTimer.singleShot(CLEAR_AFTER_MS, QGuiApplication.instance(), clear_if_unchanged)
