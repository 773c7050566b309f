"""A one-line label that shortens a long text with "..." to fit, keeping all of it in a tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QWidget

# A long organisation name may ask for this many characters' width before it is shortened.
WIDEST_CHARACTERS = 40
NARROWEST_CHARACTERS = 12


class ElidedLabel(QLabel):
    """Plain text on one line: `text()` is the whole text, the label draws as much as fits.

    The whole text is also the tooltip and the accessible description, so a
    shortened name can still be read in full, by mouse and by screen reader.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # the organisation's name comes from the server
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * WIDEST_CHARACTERS), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * NARROWEST_CHARACTERS), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        area = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, area.width())
        # Drawn as the style would (its text colour, greyed when disabled), without asking Qt for the style:
        # handing Qt's style object to Python makes PySide6 set up all of QStyle's enums (about 0.3 MiB).
        group = QPalette.ColorGroup.Active if self.isEnabled() else QPalette.ColorGroup.Disabled
        painter = QPainter(self)
        painter.setPen(self.palette().color(group, self.foregroundRole()))
        painter.drawText(area, self.alignment(), shown)
