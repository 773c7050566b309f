"""Replacing a small file of lsdesk's own so that a crash or a power cut leaves the old one or the new one, never half.

The rotation journal and the remembered waits are written this way: a
unique temporary file beside the target (mode 0600, removed on any failure),
flushed and fsynced, renamed over the target, then the folder fsynced so the
rename itself survives a power cut.
"""

from __future__ import annotations

import os
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
