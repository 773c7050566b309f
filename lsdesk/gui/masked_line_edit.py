"""A password line edit whose Qt text is only bullets, so the key never
reaches the accessibility bus.

Qt's AT-SPI bridge sends every edit of a QLineEdit as an
object:text-changed event carrying the inserted or removed characters, and
it does so for password fields too (Qt 6.11: typed characters one by one,
a pasted key whole, the whole key again on select-all + Backspace and when
the field is cleared). Any process of the session that listens on the
bus receives them; Orca speaks them. The bridge takes that text from the
edit event, not from the accessible interface, so no QAccessible factory
can mask it; what Qt's line control holds must be bullets instead.

So while the key is hidden, the QLineEdit's own text is one bullet per
character of the key, and the key is kept here, beside it: typed text is
handed to Qt as bullets, a paste inserts bullets for the clipboard's text,
and removals (Backspace, Delete, Ctrl+Backspace, a selection replaced) are
mirrored by position. Qt's role for it stays "password text", its value and
text interface bullets. `text()` and `setText()` (the Python API lsdesk and
its tests use) work with the real key.

While the key is shown (Show pressed, so it is on screen anyway) the field
is an ordinary text field holding the key.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QLineEdit, QWidget

BULLET = "\u25cf"  # what Qt draws for a password field's characters

# Edits with a meaning of their own in a hidden field: a paste brings text
# from outside; undo/redo would replay Qt's history of bullets, not the key.
_PASTE = (QKeySequence.StandardKey.Paste,)
_REFUSED = (
    QKeySequence.StandardKey.Undo,
    QKeySequence.StandardKey.Redo,
    QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.Copy,
)


class MaskedLineEdit(QLineEdit):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._key = ""
        self._revealed = False
        self.setAcceptDrops(False)  # a drop would insert its text past the mask
        super().setEchoMode(QLineEdit.EchoMode.Password)

    # -- the Python API sees the key -------------------------------------------

    def text(self) -> str:
        return super().text() if self._revealed else self._key

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        """Set the key; like QLineEdit.setText it also drops the undo history."""
        text = text[: self.maxLength()]
        if self._revealed:
            super().setText(text)
        else:
            self._key = text
            super().setText(BULLET * len(text))

    def clear(self) -> None:
        self.setText("")

    def paste(self) -> None:
        """Insert the clipboard's text at the cursor, as Ctrl+V does."""
        if self.isReadOnly():
            return
        if self._revealed:
            super().paste()
        else:
            self._insert(QGuiApplication.clipboard().text())

    def set_revealed(self, revealed: bool) -> None:
        """Show the key as ordinary text, or hide it behind the mask again."""
        if revealed == self._revealed:
            return
        cursor = self.cursorPosition()
        key = self.text()
        self._revealed = revealed
        if not revealed:
            # Bullets first, then the echo mode, so no hidden key is ever in Qt's text.
            self._key = key
            super().setText(BULLET * len(key))
            super().setEchoMode(QLineEdit.EchoMode.Password)
        else:
            super().setEchoMode(QLineEdit.EchoMode.Normal)
            super().setText(key)
        self.setCursorPosition(cursor)

    # -- edits while hidden: Qt gets bullets, the key is mirrored here ---------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self._revealed or self.isReadOnly():
            super().keyPressEvent(event)
            return
        if any(event.matches(sequence) for sequence in _REFUSED):
            event.accept()
            return
        if any(event.matches(sequence) for sequence in _PASTE):
            self.paste()
            event.accept()
            return
        typed = event.text()
        if (
            typed
            and typed.isprintable()
            and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier)
        ):
            self._insert(typed)
            event.accept()
            return
        self._let_qt_remove(lambda: super(MaskedLineEdit, self).keyPressEvent(event))

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802 - Qt's name
        if self._revealed:
            super().inputMethodEvent(event)
            return
        if event.commitString():  # composed text (dead keys, an input method): only the result counts
            self._insert(event.commitString())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if not self._revealed and event.button() == Qt.MouseButton.MiddleButton:
            event.accept()  # X's middle-click paste would insert the selection's text itself
            return
        super().mouseReleaseEvent(event)

    def _insert(self, text: str) -> None:
        """Insert `text` at the cursor, replacing the selection, as typing does."""
        if self.hasSelectedText():
            start, length = self.selectionStart(), self.selectionLength()
        else:
            start, length = self.cursorPosition(), 0
        room = self.maxLength() - (len(self._key) - length)
        text = text[: max(room, 0)]
        self._key = self._key[:start] + text + self._key[start + length :]
        super().insert(BULLET * len(text))  # replaces the selection, moves the cursor, emits textEdited

    def _let_qt_remove(self, edit) -> None:
        """Run one of Qt's own edits on the bullets (Backspace, Delete, word
        deletion, cursor moves) and mirror what it removed: after a removal
        Qt's cursor stands where the removed characters began."""
        before = len(super().text())
        edit()
        removed = before - len(super().text())
        if removed > 0:
            start = self.cursorPosition()
            self._key = self._key[:start] + self._key[start + removed :]
