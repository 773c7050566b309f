"""Yes/No questions whose text may carry what a server said.

QMessageBox's static helpers guess the text format (Qt.AutoText), so an
organisation named "<b>Acme</b>" would be drawn bold; an <img> would be
fetched. Here the text is always plain.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from lsdesk.core.language import _


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask `text` (shown literally) with Yes and No, No the default; True for Yes."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_to_switch_organisations(parent: QWidget | None, refusal: str) -> bool:
    """Ask whether to go on with a key of (maybe) another organisation; `refusal` says why lsdesk stopped.

    One question for Save and Rotate alike; True for Yes.
    """
    # Translators: {refusal} says why lsdesk stopped: the key belongs to another organisation than the saved one.
    question = _("{refusal}\n\nSwitch to this organisation's key?").format(refusal=refusal)
    return ask_yes_no(parent, _("Switch organisations?"), question)
