"""A lock file that only one process can hold, released when that process dies.

An operating-system lock (flock on Linux and macOS, msvcrt on Windows) rather
than a file's mere existence: a killed lsdesk leaves no stale lock behind.

Every change to a profile's key (save, rotation, recovery) holds its lock, so
a save can never land in the middle of a rotation and be overwritten by it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from lsdesk.core.language import _
from lsdesk.core.outcome import Outcome, State, outcome

# How long a save or a rotation waits for another one to finish: long enough for
# a save's check, short enough that nobody wonders whether lsdesk hangs.
WRITER_WAIT_SECONDS = 3.0
_POLL_SECONDS = 0.05

BUSY_TITLE = _("lsdesk is already changing this key")
BUSY_MESSAGE = _(
    "Another lsdesk window or command is changing this key right now. Wait for it to finish, then try again."
)


def busy() -> Outcome:
    """What a save or a rotation says when another one held the profile's lock throughout its wait."""
    return outcome(State.BAD_INPUT, BUSY_MESSAGE, title=BUSY_TITLE)


class ProfileLock:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self, wait_seconds: float = 0) -> bool:
        """Take the lock, trying for up to `wait_seconds`; False if another process held it throughout.

        Polled rather than a blocking lock call: a blocking flock cannot be
        given a deadline, and msvcrt's own retries last a fixed 10 seconds.
        """
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                _lock(fd)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(_POLL_SECONDS)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            _unlock(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ProfileLock:
        if not self.acquire():
            raise BlockingIOError(f"{self.path} is held by another process")
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
