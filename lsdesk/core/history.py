"""A local history of checks, saves and rotations, as JSON lines.

Each line holds the time, the action, the resulting state, the organisation
id and the key's last four characters: never a key. Reading takes only the
tail of the file, and the file is trimmed when it grows past a cap, so a
history of years costs no more to show than one of a day.

The file is only ever a convenience, so damage never stops lsdesk: a line
that is not a well-formed entry is skipped, and a path that is not a
regular file (a FIFO, a folder, a symbolic link) is neither read nor
written. It is opened without following a symbolic link and without
blocking, then checked with fstat, so a FIFO put in its place cannot hang
the window.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lsdesk.core.language import _
from lsdesk.core.moments import when
from lsdesk.core.outcome import Outcome, State
from lsdesk.core.store_words import WORDS

log = logging.getLogger(__name__)

HISTORY_FILE = "history.jsonl"
MAX_BYTES = 512 * 1024
KEEP_AFTER_TRIM = 1000
_TAIL_BYTES = 64 * 1024
_LONGEST_TEXT = 64  # an action or profile name longer than this is not lsdesk's
# Where the OS has them: never follow a symbolic link, never wait on a FIFO.
_SAFE_OPEN_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotARegularFile(OSError):
    """The history's path holds something other than a plain file."""


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    state: str
    organisation_id: int | None
    key_ending: str | None
    profile: str


class History:
    """Appends to and reads the tail of one history file. Thread-safe.

    With no path (the sandbox), entries are kept in memory only.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._in_memory: list[bytes] = []
        self._told_of_damage = False

    def record(self, action: str, profile: str, result: Outcome) -> None:
        """Add one entry; a history that cannot be written is logged, never fatal."""
        line = json.dumps(
            {
                "at": result.checked_at.astimezone(UTC).isoformat(timespec="seconds"),
                "action": action,
                "state": result.state.value,
                "organisation_id": result.organisation.id if result.organisation else None,
                "key_ending": result.key_ending,
                "profile": profile,
            }
        )
        if self.path is None:
            with self._lock:
                self._in_memory = [*self._in_memory[-KEEP_AFTER_TRIM + 1 :], line.encode()]
            return
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = _open_regular_file(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
                with open(fd, "a", encoding="utf-8") as file:
                    file.write(line + "\n")
                    size = file.tell()
                if size > MAX_BYTES:
                    self._trim()
        except OSError as error:
            log.warning("could not write the history: %s", _describe(error))

    def recent(self, count: int, profile: str | None = None) -> list[HistoryEntry]:
        """The newest `count` entries, newest first, read from the end of the file."""
        if self.path is None:
            with self._lock:
                return _newest(self._in_memory, count, profile)[0]
        try:
            with open(_open_regular_file(self.path, os.O_RDONLY), "rb") as file:
                file.seek(0, os.SEEK_END)
                size = file.tell()
                file.seek(max(0, size - _TAIL_BYTES))
                tail = file.read()
        except FileNotFoundError:
            return []
        except OSError as error:
            log.warning("could not read the history: %s", _describe(error))
            return []
        lines = tail.splitlines()
        if size > _TAIL_BYTES:
            lines = lines[1:]  # the first line may be cut in half
        entries, damaged = _newest(lines, count, profile)
        if damaged and not self._told_of_damage:
            self._told_of_damage = True  # once: the window reads the history after every operation
            log.warning("skipped %d damaged lines of the history", damaged)
        return entries

    def everything(self, profile: str | None = None) -> list[HistoryEntry]:
        """Every entry the history still holds (it keeps about its last MAX_BYTES), oldest first;
        `profile` None for every profile's. For an export: reads the whole file, not only its tail."""
        if self.path is None:
            with self._lock:
                lines = list(self._in_memory)
        else:
            try:
                with open(_open_regular_file(self.path, os.O_RDONLY), "rb") as file:
                    lines = file.read(MAX_BYTES * 4).splitlines()
            except FileNotFoundError:
                return []
            except OSError as error:
                log.warning("could not read the history: %s", _describe(error))
                return []
        entries, _damaged = _newest(lines, len(lines), profile)
        return entries[::-1]

    def _trim(self) -> None:
        with open(_open_regular_file(self.path, os.O_RDONLY), "rb") as file:
            lines = file.read().splitlines()[-KEEP_AFTER_TRIM:]
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "wb") as file:
            file.write(b"\n".join(lines) + b"\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)


def _open_regular_file(path: Path, flags: int) -> int:
    """A descriptor of `path`, only if it is a regular file: never follows a
    symbolic link (ELOOP) and never blocks on a FIFO."""
    fd = os.open(path, flags | _SAFE_OPEN_FLAGS, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _describe(error: OSError) -> str:
    """The log's words for a history that can't be used: the kind of problem, never its contents."""
    if isinstance(error, NotARegularFile):
        return "its path is not a regular file (a FIFO, a device or a folder); it is ignored"
    if error.errno == errno.ELOOP:
        return "its path is a symbolic link, which lsdesk does not follow; it is ignored"
    return type(error).__name__


def _newest(lines: list[bytes], count: int, profile: str | None) -> tuple[list[HistoryEntry], int]:
    """The newest `count` entries of `profile`, and how many damaged lines were passed over."""
    entries: list[HistoryEntry] = []
    damaged = 0
    for raw in reversed(lines):
        entry = _parse(raw)
        if entry is None:
            damaged += 1
        elif profile is None or entry.profile == profile:
            entries.append(entry)
            if len(entries) == count:
                break
    return entries, damaged


def _parse(raw: bytes) -> HistoryEntry | None:
    """One entry, or None for a line that is not one lsdesk wrote: garbage, a
    nesting too deep to parse, a date outside what the clock can show."""
    try:
        data = json.loads(raw)
        state = State(data["state"]).value
        org = data.get("organisation_id")
        ending = data.get("key_ending")
        action = data["action"]
        profile = data.get("profile", "default")
        if not (_is_short_text(action) and _is_short_text(profile)):
            return None
        at = datetime.fromisoformat(data["at"])
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        at = at.astimezone(UTC)
        at.astimezone()  # raises for a date the local clock can't show, as the window would
        return HistoryEntry(
            at=at,
            action=action,
            state=state,
            organisation_id=org if isinstance(org, int) and not isinstance(org, bool) else None,
            key_ending=str(ending)[-4:] if ending else None,
            profile=profile,
        )
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError, RecursionError):
        return None  # a damaged line is skipped, not fatal


def _is_short_text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _LONGEST_TEXT


# What a check found, or why an action was not done, in a few words (the history, the organisation list).
RESULT_WORDS = {
    # Translators: what a check of the key found, in a few words: "Checked: valid".
    "valid": _("valid"),
    "rejected": _("rejected by Lessonspace"),
    "rate_limited": _("Lessonspace was busy"),
    "server_error": _("Lessonspace had a problem"),
    "offline": _("couldn't reach Lessonspace"),
    "unexpected": _("unexpected reply"),
    "not_set": _("no key saved"),
    # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
    "no_storage": _("{store} problem").format(store=WORDS.short),
    "bad_input": _("nothing was changed"),
    "unfinished": _("lsdesk could not finish"),
}
# action: (the state that means it was done, said then; said when Lessonspace refused; said otherwise)
_ACTIONS = {
    "save": ("valid", _("Saved a new key: valid"), _("Save refused by Lessonspace"), _("Not saved")),
    "rotate": ("valid", _("Rotated: valid"), _("Rotation refused by Lessonspace"), _("Not rotated")),
    "forget": ("not_set", _("Removed the saved key"), _("Not removed"), _("Not removed")),
}


# An export's columns (CSV, and the command line's JSON): never a key, at most its last four characters.
EXPORT_COLUMNS = ("time", "profile", "organisation_id", "action", "result", "key_ending")


def export_rows(entries: list[HistoryEntry]) -> list[dict]:
    """Entries as an export holds them: the local time in ISO-8601 with its offset, then the rest."""
    return [
        {
            "time": entry.at.astimezone().isoformat(timespec="seconds"),
            "profile": entry.profile,
            "organisation_id": entry.organisation_id,
            "action": entry.action,
            "result": entry.state,
            "key_ending": entry.key_ending,
        }
        for entry in entries
    ]


def write_csv(file: TextIO, entries: list[HistoryEntry]) -> None:
    """The entries as CSV, a header line first."""
    import csv  # for exports only: not on the window's way to its first paint

    writer = csv.DictWriter(file, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(entries))


def how_far_back(entries: list[HistoryEntry]) -> str:
    """A sentence for an export: how far back the history reaches, and why no further."""
    if not entries:
        return _("The history holds nothing yet.")
    oldest = min(entry.at for entry in entries).astimezone().isoformat(timespec="seconds")
    # Translators: {oldest} is a time in ISO 8601 (2026-12-01T09:00:00+01:00), {size} a number of kibibytes.
    return _("The history reaches back to {oldest}; lsdesk keeps about its last {size} KiB.").format(
        oldest=oldest, size=MAX_BYTES // 1024
    )


def describe(entry: HistoryEntry) -> str:
    """One entry in words that are true, after its local time: a refused save never reads as saved."""
    return f"{when(entry.at)}  {what_happened(entry)}"


def what_happened(entry: HistoryEntry) -> str:
    """What the entry records, in words: "Save refused by Lessonspace, key ending 5555"."""
    result = RESULT_WORDS.get(entry.state, entry.state)
    if entry.action in _ACTIONS:
        done_state, done, refused, not_done = _ACTIONS[entry.action]
        if entry.state == done_state:
            what = done
        elif entry.state == "rejected":
            what = refused
        else:
            # Translators: an action that was not done, and why: "Not saved: Lessonspace was busy".
            what = _("{not_done}: {result}").format(not_done=not_done, result=result)
    else:
        # Translators: {result} is what a check of the key found, in a few words: "Checked: valid".
        what = _("Checked: {result}").format(result=result)
    if not entry.key_ending:
        return what
    # Translators: {what} is what a history entry records ("Checked: valid"); {ending} the key's last four characters.
    return _("{what}, key ending {ending}").format(what=what, ending=entry.key_ending)
