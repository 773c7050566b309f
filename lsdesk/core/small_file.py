"""A small file of lsdesk's own: replaced so that a crash or a power cut leaves the old one or the new one, never
half; read so that whatever is found in its place (a FIFO, a link, a folder, a huge file) never blocks or misleads.

The rotation journal and the remembered waits are written this way: a
unique temporary file beside the target (mode 0600, removed on any failure),
flushed and fsynced, renamed over the target, then the folder fsynced so the
rename itself survives a power cut.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path


def replace_atomically(path: Path, text: str) -> None:
    """Make `path` hold `text`; raises OSError, leaving `path` as it was and no temporary file behind."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable.

    Not on Windows: a folder cannot be opened there to be fsynced, and NTFS
    journals the rename itself. A file system that refuses to fsync a folder
    is left as it is; the file's own data was already synced.
    """
    if sys.platform == "win32":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


class NotAPlainFile(OSError):
    """Something other than a small regular file is where the file should be."""


def read_plain_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path`; FileNotFoundError if absent, NotAPlainFile (or another OSError) if not readable as one.

    Opened without waiting (a FIFO would otherwise block until some process
    writes to it) and without following a symbolic link, then looked at
    through the open descriptor, so nothing can be swapped in between.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size > max_bytes:
            raise NotAPlainFile(f"{path.name} is not a small plain file")
        return file.read(max_bytes + 1)
