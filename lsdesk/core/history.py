"""A local history of checks, saves and rotations, as JSON lines.

Each line holds the time, the action, the resulting state, the organisation
id and the key's last four characters: never a key. Reading takes only the
tail of the file, and the file is trimmed when it grows past a cap, so a
history of years costs no more to show than one of a day.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lsdesk.core.outcome import Outcome, State

log = logging.getLogger(__name__)

HISTORY_FILE = "history.jsonl"
MAX_BYTES = 512 * 1024
KEEP_AFTER_TRIM = 1000
_TAIL_BYTES = 64 * 1024


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

    def record(self, action: str, profile: str, result: Outcome) -> None:
        """Add one entry; a history that cannot be written is logged, never fatal."""
        line = json.dumps(
            {
                "at": result.checked_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
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
                with open(self.path, "a", encoding="utf-8") as file:
                    file.write(line + "\n")
                    size = file.tell()
                if size > MAX_BYTES:
                    self._trim()
        except OSError as error:
            log.warning("could not write the history: %s", type(error).__name__)

    def recent(self, count: int, profile: str | None = None) -> list[HistoryEntry]:
        """The newest `count` entries, newest first, read from the end of the file."""
        if self.path is None:
            with self._lock:
                return _newest(self._in_memory, count, profile)
        try:
            with open(self.path, "rb") as file:
                file.seek(0, os.SEEK_END)
                size = file.tell()
                file.seek(max(0, size - _TAIL_BYTES))
                tail = file.read()
        except FileNotFoundError:
            return []
        except OSError as error:
            log.warning("could not read the history: %s", type(error).__name__)
            return []
        lines = tail.splitlines()
        if size > _TAIL_BYTES:
            lines = lines[1:]  # the first line may be cut in half
        return _newest(lines, count, profile)

    def _trim(self) -> None:
        with open(self.path, "rb") as file:
            lines = file.read().splitlines()[-KEEP_AFTER_TRIM:]
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "wb") as file:
            file.write(b"\n".join(lines) + b"\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)


def _newest(lines: list[bytes], count: int, profile: str | None) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for raw in reversed(lines):
        entry = _parse(raw)
        if entry is not None and (profile is None or entry.profile == profile):
            entries.append(entry)
            if len(entries) == count:
                break
    return entries


def _parse(raw: bytes) -> HistoryEntry | None:
    try:
        data = json.loads(raw)
        state = State(data["state"]).value
        org = data.get("organisation_id")
        ending = data.get("key_ending")
        return HistoryEntry(
            at=datetime.fromisoformat(data["at"]),
            action=str(data["action"]),
            state=state,
            organisation_id=org if isinstance(org, int) else None,
            key_ending=str(ending)[-4:] if ending else None,
            profile=str(data.get("profile", "default")),
        )
    except (ValueError, KeyError, TypeError):
        return None  # a damaged line is skipped, not fatal
