"""A masked API-key field with a Show/Hide button and a line of feedback.

The feedback is words, never colour alone. Checking the input uses the
core's one rule (`parse_api_key`), so the field says exactly what the
command line would.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from lsdesk.core.api_key import MAX_INPUT_LENGTH, ApiKeyInputError, parse_api_key
from lsdesk.core.language import _
from lsdesk.gui.masked_line_edit import MaskedLineEdit
from lsdesk.gui.theme import monochrome_icon

# Translators: a button that shows the typed API key.
SHOW = _("S&how")
# Translators: a button that hides the typed API key again.
HIDE = _("&Hide")


class ApiKeyField(QWidget):
    """Signals:
    submitted(): the user pressed Enter in the field.
    """

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # Not a plain QLineEdit: that sends the key over the accessibility bus (see masked_line_edit).
        self.line_edit = MaskedLineEdit(self)
        self.line_edit.setObjectName("apiKeyField")
        self.line_edit.setMaxLength(MAX_INPUT_LENGTH)
        self.line_edit.setPlaceholderText(_("Paste the new API key here"))
        self.line_edit.setAccessibleName(_("API key"))
        self.line_edit.setAccessibleDescription(
            _("The organisation API key from Lessonspace. It is hidden while you type.")
        )
        # Keep the key out of the clipboard history of careless copies and out of drag and drop.
        self.line_edit.setDragEnabled(False)
        # A menu of its own: Paste and Clear, nothing that copies or reveals the key.
        self.line_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.line_edit.customContextMenuRequested.connect(
            lambda position: self.context_menu().exec(self.line_edit.mapToGlobal(position))
        )
        self.line_edit.returnPressed.connect(self.submitted)
        self.line_edit.textEdited.connect(lambda _text: self.clear_feedback())

        self.toggle = QToolButton(self)
        self.toggle.setObjectName("showKeyButton")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._set_revealed)
        self._set_revealed(False)
        self._keep_toggle_width()

        self.feedback = QLabel(self)
        self.feedback.setObjectName("apiKeyFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)  # a refusal's detail comes from the server
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feedback.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.toggle)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.feedback)
        self.setFocusProxy(self.line_edit)

    def text(self) -> str:
        return self.line_edit.text()

    def key(self) -> str | None:
        """The key in the field by the one input rule (no "Organisation "
        prefix, no spaces), or None if the field holds no key."""
        try:
            return parse_api_key(self.text())
        except ApiKeyInputError:
            return None

    def clear(self) -> None:
        """Empty the field for good: QLineEdit.clear() is an undoable edit, so
        Show and Ctrl+Z would bring a saved key back; setText also drops the
        undo history."""
        self.toggle.setChecked(False)  # first: the key leaves Qt's text as bullets, never as itself
        self.line_edit.setText("")
        self.line_edit.setModified(False)

    def context_menu(self) -> QMenu:
        """The field's right-click menu: Paste and Clear only."""
        menu = QMenu(self)
        menu.setObjectName("apiKeyMenu")
        editable = not self.line_edit.isReadOnly()
        paste = menu.addAction(_("&Paste"), self._paste)
        paste.setEnabled(editable and bool(QGuiApplication.clipboard().text()))
        # Translators: the key field's menu entry that empties the field.
        clear = menu.addAction(_("C&lear"), self._clear_typed)
        clear.setEnabled(editable and bool(self.text()))
        menu.aboutToHide.connect(menu.deleteLater)
        return menu

    def _paste(self) -> None:
        self.line_edit.paste()
        self.clear_feedback()

    def _clear_typed(self) -> None:
        self.clear()
        self.clear_feedback()
        self.line_edit.setFocus()

    def looks_like_a_key(self) -> bool:
        """True if the typed key passes the input rule; otherwise say why, and
        put the cursor back in the field so it can be fixed at once."""
        try:
            parse_api_key(self.text())
        except ApiKeyInputError as error:
            self.show_feedback(str(error), problem=True)
            self.setFocus()
            return False
        self.clear_feedback()
        return True

    def show_feedback(self, message: str, *, problem: bool) -> None:
        # Translators: {message} says what went wrong.
        self.feedback.setText(_("Problem: {message}").format(message=message) if problem else message)
        self.feedback.setAccessibleName(self.feedback.text())
        self.feedback.show()

    def clear_feedback(self) -> None:
        self.feedback.clear()
        self.feedback.hide()

    def set_busy(self, busy: bool) -> None:
        self.line_edit.setReadOnly(busy)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.PaletteChange:
            self._set_revealed(self.toggle.isChecked())  # redraw the eye in the new text colour
        elif event.type() == QEvent.Type.FontChange:
            self._keep_toggle_width()
        super().changeEvent(event)

    def _keep_toggle_width(self) -> None:
        """Wide enough for Show and for Hide: the field beside it does not jump when it is pressed."""
        shown = self.toggle.text()
        widths = []
        for text in (SHOW, HIDE):
            self.toggle.setText(text)
            widths.append(self.toggle.sizeHint().width())
        self.toggle.setText(shown)
        self.toggle.setMinimumWidth(max(widths))

    def _set_revealed(self, revealed: bool) -> None:
        self.line_edit.set_revealed(revealed)
        self.toggle.setText(HIDE if revealed else SHOW)
        self.toggle.setIcon(monochrome_icon("hide.svg" if revealed else "show.svg"))
        self.toggle.setAccessibleName(_("Hide the API key") if revealed else _("Show the API key"))
