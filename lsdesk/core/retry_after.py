"""How long Lessonspace asked lsdesk to wait, remembered across processes.

A 429's Retry-After holds for the key, not for one process: a scheduler
running `lsdesk check` every minute, or the window opened again, must not ask
before the wait is over. One small JSON file per profile holds only the
profile's name and when the wait ends (UTC), nothing secret. It is written
atomically; a file that is damaged, not a plain file, or ends implausibly
far ahead is ignored, so it can only ever hold a check back for a while,
never stop lsdesk.
"""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lsdesk.core.answers import MAX_RETRY_AFTER
from lsdesk.core.small_file import replace_atomically

log = logging.getLogger(__name__)

_MAX_FILE_BYTES = 4096


class RetryAfterMemory:
    """The end of each profile's wait, in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def remaining(self, profile: str) -> float | None:
        """Seconds left of the wait Lessonspace asked for on `profile`; None when there is none."""
        record = self._read(profile)
        if record is None:
            return None
        try:
            ends = datetime.fromisoformat(record["not_before"])
        except (KeyError, TypeError, ValueError):
            log.warning("the saved wait of profile %s is damaged; ignored", profile)
            return None
        if record.get("profile") != profile or ends.tzinfo is None:
            log.warning("the saved wait of profile %s is damaged; ignored", profile)
            return None
        left = (ends - datetime.now(UTC)).total_seconds()
        if left > MAX_RETRY_AFTER + 1:
            log.warning("the saved wait of profile %s ends implausibly late; ignored", profile)
            return None
        return left if left > 0 else None

    def remember(self, profile: str, seconds: float) -> None:
        """Note that Lessonspace asked for `seconds` of quiet on `profile`. Never raises:
        a wait that can't be written only means the next process may ask again."""
        ends = datetime.now(UTC) + timedelta(seconds=min(seconds, MAX_RETRY_AFTER))
        record = {"profile": profile, "not_before": ends.isoformat(timespec="seconds")}
        try:
            self._write(profile, record)
        except OSError as error:
            log.info("could not save the wait of profile %s: %s", profile, type(error).__name__)

    def forget(self, profile: str) -> None:
        """Drop `profile`'s wait: it was the saved key's, and a new key is saved now. Never raises."""
        try:
            self._path(profile).unlink(missing_ok=True)
        except OSError as error:
            log.info("could not forget the wait of profile %s: %s", profile, type(error).__name__)

    def _path(self, profile: str) -> Path:
        return self.folder / f"{profile}.json"

    def _read(self, profile: str) -> dict | None:
        path = self._path(profile)
        try:
            status = path.lstat()
        except FileNotFoundError:
            return None
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode) or status.st_size > _MAX_FILE_BYTES:
            log.warning("the saved wait of profile %s is not a small plain file; ignored", profile)
            return None
        try:
            record = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            log.warning("the saved wait of profile %s is damaged; ignored", profile)
            return None
        return record if isinstance(record, dict) else None

    def _write(self, profile: str, record: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        replace_atomically(self._path(profile), json.dumps(record))
