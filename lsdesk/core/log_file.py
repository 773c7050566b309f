"""The window's log file: technical detail for support, never the key, kept to a few hundred KiB.

`logging.handlers.RotatingFileHandler` does the same, but its module brings pickle and the socket handlers'
machinery with it, about 0.5 MiB of the window's memory for the life of lsdesk; this is its one rule
(start afresh past a size, keep the last few files) on `logging.FileHandler`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

MAX_LOG_BYTES = 512 * 1024
KEPT_LOGS = 2  # lsdesk.log.1 and lsdesk.log.2 beside lsdesk.log


class LogFile(logging.FileHandler):
    """`path`, moved to `path`.1 (and that one to .2, and so on up to `kept`, at least 1) once a record would
    take it past `max_bytes`."""

    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES, kept: int = KEPT_LOGS):
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes
        self.kept = kept

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() + len(self.format(record)) + 1 > self.max_bytes:
                self._start_afresh()
        except Exception:  # noqa: BLE001 - logging's rule: a handler reports its own failure, never raises
            self.handleError(record)
            return
        super().emit(record)

    def _start_afresh(self) -> None:
        self.stream.close()
        self.stream = None  # FileHandler opens the file again for the record
        path = Path(self.baseFilename)
        for number in range(self.kept - 1, 0, -1):
            older = path.with_name(f"{path.name}.{number}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{number + 1}"))
        os.replace(path, path.with_name(f"{path.name}.1"))
