"""Controls made the one way lsdesk makes them: named for tests and style sheets, and for screen readers."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget


def button(parent: QWidget, name: str, text: str, description: str) -> QPushButton:
    """A push button with an object name, an accessible name (its text without the mnemonic's &), and a
    description read by screen readers and shown as its tooltip."""
    made = QPushButton(text, parent)
    made.setObjectName(name)
    made.setAccessibleName(text.replace("&", ""))
    made.setAccessibleDescription(description)
    made.setToolTip(description)
    return made
