"""Pictures of the settings window in each badge state, for the README and for review.

    python -m lsdesk.gui.screenshots FOLDER [--state valid --state invalid ...] [--theme light]

Each picture is the real window (`create_window`) on a sandbox of its own, whose faults are
switched to produce the state, with the key kept in memory and a throwaway settings file. It
is drawn offscreen and saved as PNG; nothing else is written anywhere. The README's pictures:

    python -m lsdesk.gui.screenshots resources/screenshots --state valid --state invalid \
        --state offline-remembered --state save-refused --state organisations [--theme dark]

In another language, `LSDESK_LANGUAGE=fr` (or es, or pseudo: every sentence 40 % longer, to see where a layout
would cut a translation off); its code goes at the end of the file names: settings-window-fr.png.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lsdesk.core import language

# Before the modules holding sentences: they are translated as they are imported.
language.use(language.decide())

from PySide6.QtCore import QEventLoop, QPoint, QRect, QSettings, QTimer, SignalInstance, qInstallMessageHandler
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory

from lsdesk.core.history import History
from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.keystore import KeyStore, MemoryKeyStore, SystemKeyStore
from lsdesk.core.outcome import TITLES, Organisation, State
from lsdesk.core.places import PLACES_FOLDER, Places, make_place
from lsdesk.core.rotation import RotationJournal
from lsdesk.core.status import KeyStatus, StatusFile
from lsdesk.gui.app import create_window
from lsdesk.gui.badge import CHECKING_TITLE
from lsdesk.gui.qt_language import speak
from lsdesk.gui.theme import dark_palette
from lsdesk.gui.worker import unfinished_threads
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME, SandboxServer

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"
WAIT_MS = 10_000
# What the offscreen platform says about every window; nothing is wrong.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints"


@dataclass(frozen=True)
class Scene:
    """One badge state, and how to bring it about."""

    slug: str
    state: State | None
    """The badge's state once the first check ends; None: caught while the check runs."""
    stored_key: str | None = DEMO_KEY
    faults: dict[str, Any] = field(default_factory=dict)
    no_storage: bool = False
    """Use the credential store with keyring's "fail" backend, which lsdesk refuses."""
    remembered: bool = False
    """Start from a status remembered from an earlier run: the key was confirmed valid two hours ago."""
    then_save: str | None = None
    """Once the first check ends, type this key and press Save, as an admin would."""
    organisations: bool = False
    rotated_with_places: bool = False
    """Two places set up (Teachworks, a Moodle site), then a rotation: the checklist it leaves, one place done."""
    """Three more organisations (one valid, one out of reach, one whose key was revoked), the list open."""

    @property
    def title(self) -> str:
        return CHECKING_TITLE if self.state is None else TITLES[self.state]


SCENES = (
    Scene("valid", State.VALID),
    Scene("invalid", State.REJECTED, stored_key=UNKNOWN_KEY),
    Scene("checking", None, faults={"delay": 30.0}),
    Scene("not-set", State.NOT_SET, stored_key=None),
    Scene("offline", State.OFFLINE, faults={"drop_connection": True}),
    Scene("busy", State.RATE_LIMITED, faults={"status": 429, "retry_after": "30"}),
    Scene("server-error", State.SERVER_ERROR, faults={"status": 503}),
    Scene("unexpected", State.UNEXPECTED, faults={"html_page": True}),
    Scene("no-storage", State.NO_STORAGE, no_storage=True),
    # The organisation and when the key last worked stay in view while Lessonspace can't be reached.
    Scene("offline-remembered", State.OFFLINE, faults={"drop_connection": True}, remembered=True),
    # A refused save is said beside the field; the badge still describes the saved key, which works.
    Scene("save-refused", State.VALID, then_save=UNKNOWN_KEY),
    # Every organisation at a glance: the list at the top, open, once each has been checked.
    Scene("organisations", State.VALID, organisations=True),
    # After a rotation: each place that holds the key, with Open, Copy key and Done.
    Scene("checklist", State.VALID, rotated_with_places=True),
)
# The other organisations of the "organisations" picture, and the state each is put in.
OTHER_ORGANISATIONS = (
    ("northside", Organisation(5151, "Northside Branch"), State.VALID),
    ("east", Organisation(6161, "East Side Tutors"), State.OFFLINE),
    ("closed", Organisation(7171, "Closed Academy"), State.REJECTED),
)


def _add_other_organisations(sandbox: SandboxServer, store: KeyStore, folder: Path) -> None:
    dates = KeyDates(folder / KEY_DATES_FOLDER)
    for name, organisation, state in OTHER_ORGANISATIONS:
        sandbox.add_organisation(organisation.id, organisation.name)
        key = sandbox.generate_key(organisation_id=organisation.id)
        store.set(name, key)
        dates.saved(name, key[-4:], organisation=organisation)
        if state is State.REJECTED:
            sandbox.revoke_key(key)
        elif state is State.OFFLINE:
            sandbox.faults.update({"unreachable_key_ending": key[-4:]})


def _remember_an_earlier_run(folder: Path) -> None:
    earlier = (datetime.now().astimezone() - timedelta(hours=2)).replace(second=0, microsecond=0)
    StatusFile.in_folder(folder, "default").save(
        KeyStatus(
            State.VALID,
            TITLES[State.VALID],
            organisation=Organisation(DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME),
            key_ending=DEMO_KEY[-4:],
            last_confirmed_valid=earlier,
            last_checked=earlier,
        )
    )


@dataclass(frozen=True)
class Theme:
    """A colour scheme to draw the window in. `suffix` goes at the end of file names."""

    name: str
    suffix: str
    palette: Callable[[], QPalette]


def _light_palette() -> QPalette:
    return QStyleFactory.create("Fusion").standardPalette()


THEMES = {
    "light": Theme("light", "", _light_palette),
    "dark": Theme("dark", "-dark", dark_palette),
}


@dataclass(frozen=True)
class Shot:
    """A saved picture, and what the badge showed in it."""

    scene: Scene
    path: Path
    state: State | None
    title: str
    title_rect: QRect
    """Where the badge's headline sits in the picture."""
    title_visible: bool
    title_clipped: bool
    """True if the headline has less room than its text needs."""


def file_name(scene: Scene, theme: Theme) -> str:
    base = "settings-window" if scene.slug == "valid" else f"settings-window-{scene.slug}"
    spoken = "" if language.current() == language.SOURCE_LANGUAGE else f"-{language.current()}"
    return f"{base}{spoken}{theme.suffix}.png"


def render(scene: Scene, folder: Path, theme: Theme = THEMES["light"], *, wait_ms: int = WAIT_MS) -> Shot:
    """Open the window in `scene`'s state, inside the running QApplication, and save its picture."""
    app = QApplication.instance()
    previous_palette = app.palette()
    # The application's palette, as a desktop's dark mode sets it: lsdesk's colours follow that one.
    app.setPalette(theme.palette())
    try:
        return _render_in_palette(scene, folder, theme, wait_ms)
    finally:
        app.setPalette(previous_palette)


def _render_in_palette(scene: Scene, folder: Path, theme: Theme, wait_ms: int) -> Shot:
    with SandboxServer() as sandbox, tempfile.TemporaryDirectory(prefix="lsdesk-screenshot-") as scratch:
        sandbox.faults.update(scene.faults)
        if scene.remembered:
            _remember_an_earlier_run(Path(scratch))
        store = _store_for(scene)
        if scene.organisations:
            _add_other_organisations(sandbox, store, Path(scratch))
        window = create_window(
            sandbox.api_url,
            store=store,
            settings=QSettings(str(Path(scratch) / "lsdesk.ini"), QSettings.Format.IniFormat),
            journal=RotationJournal(Path(scratch) / "rotation"),
            history=History(None),
        )
        try:
            window.show()
            if scene.state is not None and not _wait_for(window.host.checked, wait_ms):
                raise TimeoutError(f"the window's check for {scene.slug!r} did not end in {wait_ms} ms")
            if scene.then_save is not None:
                window.key_field.line_edit.setText(scene.then_save)
                window.save()
                if not _wait_for(window.host.saved, wait_ms):
                    raise TimeoutError(f"the save for {scene.slug!r} did not end in {wait_ms} ms")
            if scene.rotated_with_places:
                _rotate_with_two_places(window, sandbox, Path(scratch), wait_ms)
            if scene.organisations and not _wait_for(window.sweep.status_changed, wait_ms, times=3):
                raise TimeoutError(f"the other organisations' checks did not end in {wait_ms} ms")
            _settle(window)
            path = folder / file_name(scene, theme)
            picture = _with_the_list_open(window) if scene.organisations else window.grab()
            if not picture.save(str(path), "PNG"):
                raise OSError(f"could not write {path}")
            headline = window.badge.findChild(QLabel, "statusTitle")
            return Shot(
                scene,
                path,
                window.badge.state,
                window.badge.title(),
                QRect(headline.mapTo(window, QPoint(0, 0)), headline.size()),
                headline.isVisibleTo(window),
                headline.height() < headline.heightForWidth(headline.width()),
            )
        finally:
            sandbox.stop()  # answers a check still waiting on a delay, so the window closes at once
            window.close()
            window.deleteLater()
            for thread in unfinished_threads():
                thread.wait(wait_ms)


def _store_for(scene: Scene) -> KeyStore:
    if scene.no_storage:
        from keyring.backends import fail

        return SystemKeyStore(backend=fail.Keyring())
    store = MemoryKeyStore()
    if scene.stored_key is not None:
        store.set("default", scene.stored_key)
    return store


def _wait_for(signal: SignalInstance, timeout_ms: int, *, times: int = 1) -> bool:
    """Wait until `signal` has fired `times` times; False if `timeout_ms` passed first."""
    loop = QEventLoop()
    fired: list[bool] = []

    def count(*_) -> None:
        fired.append(True)
        if len(fired) >= times:
            loop.quit()

    signal.connect(count)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return len(fired) >= times


def _rotate_with_two_places(window, sandbox: SandboxServer, folder: Path, wait_ms: int) -> None:
    Places(folder / PLACES_FOLDER).set(
        "default", [make_place("teachworks", "democompany"), make_place("moodle", "moodle.democompany.example")]
    )
    window.host.rotate(sandbox.generate_key(), window.model.key.as_outcome())
    if not _wait_for(window.host.rotated, wait_ms):
        raise TimeoutError(f"the rotation did not end in {wait_ms} ms")
    _wait_for(window.host.operation_finished, wait_ms)
    window.places.rotation_dialog_closed()
    if not _wait_for(window.host.lessons_counted, wait_ms):
        raise TimeoutError(f"the lessons were not counted in {wait_ms} ms")
    window.places.box.rows["Teachworks"][0].setChecked(True)
    QApplication.processEvents()


def _with_the_list_open(window) -> QPixmap:
    """The window with its organisation list open: the list's popup is a window of its own, so it is
    drawn over the window's picture where it opened."""
    switcher = window.profile_switcher
    switcher.showPopup()
    QApplication.processEvents()
    popup = switcher.view().window()
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(popup.mapToGlobal(QPoint(0, 0))), popup.grab())
    painter.end()
    switcher.hidePopup()
    return picture


def _settle(window) -> None:
    """Let the window lay out its final text, then fit it to its content: the whole window, as on a tall screen."""
    QApplication.processEvents()
    window.resize(window.sizeHint())
    QApplication.processEvents()


def _print_qt_message(kind, context, text: str) -> None:
    if not text.startswith(OFFSCREEN_NOTICE):
        print(text, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lsdesk.gui.screenshots",
        description="Save pictures of the settings window in each badge state, drawn offscreen.",
    )
    parser.add_argument("folder", type=Path, help="where the PNG files go")
    parser.add_argument(
        "--state", action="append", choices=[scene.slug for scene in SCENES], help="only this state (repeatable)"
    )
    parser.add_argument("--theme", choices=sorted(THEMES), default="light")
    args = parser.parse_args(argv)

    # The states' own warnings (a refused keyring, a reply of the wrong shape) are what is pictured.
    logging.basicConfig(level=logging.ERROR)
    qInstallMessageHandler(_print_qt_message)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")  # the same look on every desktop
    speak(app)
    args.folder.mkdir(parents=True, exist_ok=True)
    for scene in SCENES:
        if args.state is None or scene.slug in args.state:
            shot = render(scene, args.folder, THEMES[args.theme])
            print(f"{shot.path}  ({shot.title})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
