"""Opening a web page in the admin's browser, and what to offer when none opens.

Qt's `QDesktopServices.openUrl` returns False when nothing could be started
to open the address (on Linux: no xdg-open, no $BROWSER, no known browser).
A button that then does nothing would leave the admin stuck, so the address
is shown instead, to select or copy.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lsdesk.core.language import _

log = logging.getLogger(__name__)

NO_BROWSER = _("lsdesk couldn't open your web browser. Copy this address and paste it into your browser's address bar:")
COPIED = _("The address is copied. Paste it into your web browser's address bar.")


class BrowserFallback(QWidget):
    """Opens `url` in the web browser; if none could be opened, shows the
    address, selectable, with a Copy button. Hidden until then, so it takes no
    room. The address is not a secret: it is copied as plain text."""

    def __init__(self, url: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._url = url
        self.sentence = QLabel(NO_BROWSER, self)
        self.sentence.setObjectName("noBrowserLabel")
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)
        self.address = QLabel(url, self)
        self.address.setObjectName("addressLabel")
        self.address.setTextFormat(Qt.TextFormat.PlainText)
        self.address.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.address.setAccessibleName(_("Address to open in your web browser"))
        self.copy_button = QPushButton(_("Co&py address"), self)
        self.copy_button.setObjectName("copyAddressButton")
        self.copy_button.setAccessibleName(_("Copy address"))
        self.copy_button.setAccessibleDescription(_("Copy the address, to paste it into your web browser"))
        self.copy_button.setToolTip(self.copy_button.accessibleDescription())
        self.copy_button.setAutoDefault(False)  # Enter in a dialog still means its default button
        self.copy_button.clicked.connect(self._copy)

        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.sentence)
        column.addLayout(row)
        self.hide()

    @Slot()
    def open(self) -> bool:
        """Open the address in the browser; True if one was started."""
        if QDesktopServices.openUrl(QUrl(self._url)):
            self.hide()
            return True
        log.info("no web browser could be started; showing the address instead")
        self.sentence.setText(NO_BROWSER)
        self.show()
        return False

    @Slot()
    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._url)
        self.sentence.setText(COPIED)
