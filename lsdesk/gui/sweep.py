"""Checking the other organisations' keys while the window shows one.

When the window's own check has answered at start-up, and at each scheduled
check, every other profile lsdesk has noted is checked in turn, a second
apart, on a thread of its own: a slow organisation never holds up the
window or the admin's own check, save or rotation. Each answer goes into
that profile's remembered status, which the organisation list and the
tray read; a key that worked and is now refused is said, naming its
organisation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from lsdesk.core.outcome import Outcome, State
from lsdesk.core.status import KeyStatus, StatusFile
from lsdesk.gui.worker import READING_SHUTDOWN_WAIT_MS, abandon, log_crash

if TYPE_CHECKING:
    from lsdesk.core.desk import KeyDesk

log = logging.getLogger(__name__)


class _Checker(QObject):
    """On the sweep's thread: checks the profiles it is given, one after another."""

    checked = Signal(str, object)  # profile, Outcome
    finished = Signal()

    def __init__(self, open_desk: Callable[[str], KeyDesk], stopping: threading.Event):
        super().__init__()
        self._open_desk = open_desk
        self._stopping = stopping

    @Slot(object)
    def check(self, names: list[str]) -> None:
        from lsdesk.core.desk import check_each

        try:
            for name, notice, result in check_each(self._open_desk, names, pause=self._stopping.wait):
                if notice:
                    log.info("profile %s: %s", name, notice)
                if self._stopping.is_set():
                    return
                self.checked.emit(name, result)
        except Exception as error:  # noqa: BLE001 - a bug ends this sweep, never the thread
            log_crash("checking the other organisations", error)
        finally:
            self.finished.emit()


class ProfileSweep(QObject):
    """Checks every other profile's key, on its own thread; see the module's docstring.

    Signals:
        status_changed(str, KeyStatus): a profile's remembered status changed (the list and tray reread).
        turned_invalid(KeyStatus): another profile's key, valid until now, was refused by Lessonspace.
    """

    status_changed = Signal(str, object)
    turned_invalid = Signal(object)
    _check_requested = Signal(object)

    def __init__(
        self,
        open_desk: Callable[[str], KeyDesk],
        state_folder: Path,
        others: Callable[[], list[str]],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._state_folder = state_folder
        self._others = others
        self._running = False
        self._stopping = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("lsdesk-other-organisations")
        self._checker = _Checker(open_desk, self._stopping)
        self._checker.moveToThread(self._thread)
        self._thread.finished.connect(self._checker.deleteLater)
        self._check_requested.connect(self._checker.check)
        self._checker.checked.connect(self._on_checked)
        self._checker.finished.connect(self._on_finished)

    @property
    def running(self) -> bool:
        """True while a sweep is under way."""
        return self._running

    @Slot()
    def run(self) -> bool:
        """Check every other profile now, unless a sweep is already under way; False if none started."""
        names = self._others()
        if self._running or not names or self._stopping.is_set():
            return False
        if not self._thread.isRunning():
            self._thread.start()
        self._running = True
        self._check_requested.emit(names)
        return True

    def shutdown(self, wait_ms: int = READING_SHUTDOWN_WAIT_MS) -> None:
        """Stop between two profiles; a check still waiting on the network is left to end on its own (it only
        reads: what it learnt is written whole or not at all)."""
        self._stopping.set()
        self._thread.quit()
        if not self._thread.wait(wait_ms):
            log.warning("the other organisations' check still runs at shutdown; abandoning it")
            abandon(self._thread)

    @Slot(str, object)
    def _on_checked(self, name: str, result: Outcome) -> None:
        file = StatusFile.in_folder(self._state_folder, name)
        before = file.load()
        if before is None and result.state is State.NOT_SET:
            return  # a profile without a key or a status: nothing to remember
        after = (before or KeyStatus()).after(result)
        file.save(after)
        self.status_changed.emit(name, after)
        if before is not None and before.state is State.VALID and after.state is State.REJECTED:
            self.turned_invalid.emit(after)

    @Slot()
    def _on_finished(self) -> None:
        self._running = False
