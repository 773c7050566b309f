"""The system-tray icon: the key's state at a glance, and its balloon messages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from lsdesk.core.language import _
from lsdesk.core.outcome import WORST_FIRST, State
from lsdesk.core.profiles import KnownProfile
from lsdesk.core.status import StatusModel
from lsdesk.gui.badge import CHECKING_TITLE, state_icon
from lsdesk.gui.theme import icon

log = logging.getLogger(__name__)

STILL_RUNNING_TITLE = _("lsdesk is still running")
STILL_RUNNING_MESSAGE = _(
    # Translators: "Quit" is the tray menu's entry "&Quit": translate it as there.
    "lsdesk keeps checking your key from here, in the system tray. To stop it, choose Quit in this icon's menu."
)
# Translators: the tray menu's entry, as the window's button: ask Lessonspace again whether the saved key works.
CHECK_AGAIN = _("&Check again")  # as the window's button says it

# The sizes trays draw at (16 to 24 logical pixels, doubled at 200 %), and the share the state takes.
TRAY_SIZES = (16, 22, 24, 32, 44, 48, 64)
OVERLAY_SHARE = 0.6


def branded_icon(state: State | None) -> QIcon:
    """lsdesk's own icon, with the state's icon over its lower right corner (None: a check is running)."""
    app, overlay = icon("app.svg"), state_icon(state)
    branded = QIcon()
    for size in TRAY_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        app.paint(painter, 0, 0, size, size)
        corner = round(size * OVERLAY_SHARE)
        overlay.paint(painter, size - corner, size - corner, corner, corner)
        painter.end()
        branded.addPixmap(pixmap)
    return branded


class TrayIcon(QSystemTrayIcon):
    """Reads the profile's status model, and the other organisations' last known states: its icon shows
    the worst of them, its tooltip names each organisation in trouble; its menu opens the window, checks
    again or quits."""

    def __init__(
        self,
        model: StatusModel,
        *,
        open_window: Callable[[], None],
        check: Callable[[], object],
        quit_app: Callable[[], None],
        parent: QObject | None = None,
    ):
        super().__init__(branded_icon(None), parent)
        self._open_window = open_window
        menu = QMenu()
        self.state_line = menu.addAction("")
        self.state_line.setEnabled(False)  # the state, as the first line: read, not clicked
        menu.addSeparator()
        for text, action in ((_("&Open lsdesk"), open_window), (CHECK_AGAIN, check), (_("&Quit"), quit_app)):
            item = QAction(text, menu)
            item.triggered.connect(action)
            menu.addAction(item)
        self.setContextMenu(menu)
        self._menu = menu  # a context menu is not owned by the tray icon
        self.activated.connect(self._on_activated)
        self.messageClicked.connect(open_window)
        self._model = model
        self._troubled: list[KnownProfile] = []  # the other organisations whose key is not known to work
        model.subscribe(self.show_state)
        self.show_state(model)

    def show_state(self, model: StatusModel) -> None:
        key = model.key
        title = key.title if key.state is not None else CHECKING_TITLE
        if key.state is not None and not key.live:
            # Translators: {status} is the key's status as lsdesk last knew it, e.g. "Key is valid".
            title = _("Last known: {status}").format(status=title)
        states = [key.state, *(other.status.state for other in self._troubled)]
        self.setIcon(branded_icon(min(filter(None, states), key=WORST_FIRST.index, default=None)))
        # Translators: the tray icon's tooltip: lsdesk's name, then the key's status ("Key is valid", say).
        headline = _("lsdesk: {status}").format(status=title)
        self.setToolTip("\n".join([headline, *(other.label() for other in self._troubled)]))
        self.state_line.setText(title)

    @Slot(object)
    def show_others(self, known: list[KnownProfile]) -> None:
        """The organisation list changed: the icon and tooltip take in the other organisations' states."""
        self._troubled = [
            other
            for other in known
            if other.name != self._model.profile
            and other.status is not None
            and other.status.state not in (None, State.VALID, State.NOT_SET)
        ]
        self.show_state(self._model)

    def tell_still_running(self) -> None:
        """Said once, the first time closing the window leaves lsdesk in the tray."""
        self.tell(STILL_RUNNING_TITLE, STILL_RUNNING_MESSAGE, QSystemTrayIcon.MessageIcon.Information)

    def tell(self, title: str, message: str, kind: QSystemTrayIcon.MessageIcon) -> None:
        log.info("tray message: %s", title)  # titles carry an organisation's name at most, never a key
        self.showMessage(title, message, kind, 0)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._open_window()
