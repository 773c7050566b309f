"""What is known about one profile's key: the one source every view reads.

`KeyStatus` is what is known about the saved key (its state, organisation,
ending, when Lessonspace last confirmed it valid, when it was last asked).
`StatusModel` holds it together with what is running now and the result of
the admin's last action, which is kept apart: a refused save says nothing
about the saved key, so it never changes the badge.

The model knows nothing of Qt. Views subscribe a callable and redraw from
the model whenever it changes; the window, tray, watch and notifications all
read the same object, so they cannot tell different stories. The non-secret
part of `KeyStatus` is kept in a small JSON file, so that after a restart the
window can say what was last known (shown as such, never as a live answer).
"""

from __future__ import annotations

import enum
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lsdesk.core.language import _
from lsdesk.core.outcome import TITLES, Organisation, Outcome, State

log = logging.getLogger(__name__)

STATUS_FOLDER = "status"
RECOVERY_TITLE = _("An interrupted rotation was settled")


class Activity(enum.Enum):
    """What lsdesk is doing for the profile right now."""

    IDLE = "idle"
    CHECKING = "checking"
    SAVING = "saving"
    ROTATING = "rotating"
    FORGETTING = "forgetting"
    COPYING = "copying"  # reading the saved key, to copy it


class Action(enum.Enum):
    """An admin's action whose result is shown beside the key field."""

    SAVE = "save"
    ROTATE = "rotate"
    RECOVERY = "recovery"
    FORGET = "forget"
    COPY = "copy"
    EXPORT = "export"  # the history, as CSV


NOT_DONE_TITLES = {
    # Translators: the headline of an action that was not done: saving a new API key.
    Action.SAVE: _("Not saved"),
    # Translators: the headline of an action that was not done: rotating the API key.
    Action.ROTATE: _("Not rotated"),
    # Translators: the headline of an action that was not done: removing the saved API key.
    Action.FORGET: _("Not removed"),
    # Translators: the headline of an action that was not done: copying the saved API key.
    Action.COPY: _("Not copied"),
    Action.EXPORT: _("History not exported"),
    Action.RECOVERY: RECOVERY_TITLE,
}


@dataclass(frozen=True)
class KeyStatus:
    """What is known about the saved key.

    `state` is None until anything is known. A network problem keeps what
    was known before (organisation, key ending, last confirmed valid): it
    says nothing new about the key. `live` is False for a status read back
    from the last run, until Lessonspace answers again.
    """

    state: State | None = None
    title: str = ""
    message: str = ""
    organisation: Organisation | None = None
    key_ending: str | None = None
    last_confirmed_valid: datetime | None = None
    last_checked: datetime | None = None
    live: bool = True
    key_saved_at: datetime | None = None

    def after(self, result: Outcome) -> KeyStatus:
        """This status once `result`, an answer about the saved key, has arrived."""
        if result.state is State.NOT_SET:
            return KeyStatus(result.state, result.title, result.message)
        same_key = result.key_ending is None or result.key_ending == self.key_ending
        known_org = self.organisation if same_key else None
        confirmed = self.last_confirmed_valid if same_key else None
        saved_at = result.key_saved_at or (self.key_saved_at if same_key else None)
        if result.state is State.VALID:
            confirmed = result.checked_at
        asked = result.state not in (State.NO_STORAGE, State.BAD_INPUT, State.UNFINISHED)
        return KeyStatus(
            state=result.state,
            title=result.title,
            message=result.message,
            organisation=result.organisation or known_org,
            key_ending=result.key_ending or self.key_ending,
            last_confirmed_valid=confirmed,
            last_checked=result.checked_at if asked else self.last_checked,
            key_saved_at=saved_at,
        )

    def as_outcome(self) -> Outcome | None:
        """The last answer about the saved key, as the core's operations take it; None if none."""
        if self.state is None:
            return None
        return Outcome(
            self.state,
            self.title,
            self.message,
            organisation=self.organisation,
            key_ending=self.key_ending,
            checked_at=self.last_checked or datetime.now(UTC),
            key_saved_at=self.key_saved_at,
        )

    def to_json(self) -> dict:
        org = self.organisation
        return {
            "state": self.state.value if self.state else None,
            "organisation": org.to_json() if org else None,
            "key_ending": self.key_ending,
            "last_confirmed_valid": _iso(self.last_confirmed_valid),
            "last_checked": _iso(self.last_checked),
            "key_saved_at": _iso(self.key_saved_at),
        }

    @classmethod
    def from_json(cls, record: object) -> KeyStatus | None:
        """A remembered status, or None when `record` is not one (damaged, or from elsewhere)."""
        if not isinstance(record, dict):
            return None
        try:
            state = State(record["state"])
            org = record.get("organisation")
            organisation = None
            if isinstance(org, dict) and isinstance(org.get("id"), int) and not isinstance(org.get("id"), bool):
                name = org.get("name")
                organisation = Organisation(org["id"], name if isinstance(name, str) and name else None)
            ending = record.get("key_ending")
            return cls(
                state=state,
                title=TITLES[state],
                organisation=organisation,
                key_ending=ending[-4:] if isinstance(ending, str) and ending else None,
                last_confirmed_valid=_parse_time(record.get("last_confirmed_valid")),
                last_checked=_parse_time(record.get("last_checked")),
                live=False,
                key_saved_at=_parse_time(record.get("key_saved_at")),
            )
        except (KeyError, TypeError, ValueError):
            return None


class Tone(enum.Enum):
    """How an action's result reads: done, refused or failed, or only news."""

    DONE = "done"
    PROBLEM = "problem"
    NOTICE = "notice"


@dataclass(frozen=True)
class ActionResult:
    """The result of the admin's last action, shown beside the key field until dismissed."""

    action: Action
    tone: Tone
    title: str
    message: str


Listener = Callable[["StatusModel"], None]


class StatusModel:
    """One profile's status: the saved key's, what runs now, the last action's result.

    Every change calls each subscribed listener with the model. Listeners
    run on the thread that made the change (the GUI thread, in the window).
    """

    def __init__(self, profile: str, file: StatusFile | None = None):
        self.profile = profile
        self._file = file
        self.key = (file.load() if file else None) or KeyStatus()
        self.activity = Activity.IDLE
        self.waiting_for_keyring = False
        self.last_action: ActionResult | None = None
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # What runs -------------------------------------------------------------

    def started(self, activity: Activity) -> None:
        if activity in (Activity.SAVING, Activity.ROTATING):
            self.last_action = None  # a new action: the last one's result is old news
        self.activity = activity
        self.waiting_for_keyring = False
        self._changed()

    def keyring_waiting(self) -> None:
        self.waiting_for_keyring = True
        self._changed()

    def keyring_answered(self) -> None:
        self.waiting_for_keyring = False
        self._changed()

    def stopped(self) -> None:
        """The running operation ended or was cancelled."""
        if self.activity is not Activity.IDLE or self.waiting_for_keyring:
            self._answered()
            self._changed()

    def _answered(self) -> None:
        # An operation's result is its end: views show it at once, not "checking".
        self.activity = Activity.IDLE
        self.waiting_for_keyring = False

    # What was learnt -------------------------------------------------------

    def checked(self, result: Outcome) -> None:
        """Lessonspace (or the keychain) answered about the saved key: the check is over."""
        self._learn(result)
        self._answered()
        self._changed()

    def acted(self, action: Action, result: Outcome, *, succeeded: bool) -> None:
        """An admin's action ended. Only a success changes what is known about the saved key."""
        if succeeded:
            self._learn(result)
        # A refusal's own headline ("Invalid API key") is about the key that was typed; beside a badge
        # that describes the saved key it would read as a second, contrary status.
        title = result.title if succeeded else NOT_DONE_TITLES[action]
        self.last_action = ActionResult(action, Tone.DONE if succeeded else Tone.PROBLEM, title, result.message)
        self._answered()
        self._changed()

    def noted(self, action: Action, title: str, message: str, *, tone: Tone = Tone.DONE) -> None:
        """An action that changes nothing known about the key, and uses no worker (an export, say), ended."""
        self.last_action = ActionResult(action, tone, title, message)
        self._changed()

    def recovered(self, notice: str) -> None:
        """An interrupted rotation was finished or rolled back; `notice` says how."""
        self.last_action = ActionResult(Action.RECOVERY, Tone.NOTICE, RECOVERY_TITLE, notice)
        self._changed()

    def dismiss(self) -> None:
        """The admin closed the last action's message."""
        if self.last_action is not None:
            self.last_action = None
            self._changed()

    def forgotten(self, result: Outcome) -> None:
        """The saved key was removed (`result` says so): nothing is known about a key any more."""
        self.key = KeyStatus().after(result)
        self.last_action = ActionResult(Action.FORGET, Tone.DONE, result.title, result.message)
        self._save()
        self._answered()
        self._changed()

    def _learn(self, result: Outcome) -> None:
        before = self.key
        self.key = self.key.after(result)
        if before.live and before.state is not None and before.state is not self.key.state:
            # The saved key's state changed since the admin's action: its message no longer applies.
            self.last_action = None
        self._save()

    def _save(self) -> None:
        if self._file is not None:
            self._file.save(self.key)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)


class StatusFile:
    """The non-secret status of one profile's key, as JSON: written whole, read with care."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def in_folder(cls, folder: Path, profile: str) -> StatusFile:
        return cls(folder / STATUS_FOLDER / f"{profile}.json")

    def load(self) -> KeyStatus | None:
        try:
            if self.path.is_symlink() or not self.path.is_file():
                return None  # nothing remembered; never a FIFO or a link followed
            if self.path.stat().st_size > 64 * 1024:
                log.warning("ignoring an oversized status file")
                return None
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            log.warning("ignoring an unreadable status file")
            return None
        status = KeyStatus.from_json(record)
        if status is None:
            log.warning("ignoring a status file lsdesk cannot read")
        return status

    def save(self, status: KeyStatus) -> None:
        """Write atomically; a failure is logged and costs only what a restart would show."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".status-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as file:
                    json.dump(status.to_json(), file)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            log.warning("could not remember the key's status: %s", type(error).__name__)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _parse_time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
