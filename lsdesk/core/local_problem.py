"""Words for a problem on this computer that stopped lsdesk before it could finish.

A state folder that is a file, a lock file that is a folder, a folder that
belongs to another user: none of these says anything about the key, so the
command line answers them with its own exit code (5) and one sentence that
names the path to fix, instead of a traceback or an exit code that would
read as "Lessonspace rejected the key".
"""

from __future__ import annotations

import os
from pathlib import Path

PROBLEM_IN_LSDESK = (
    "lsdesk could not finish because of a problem in lsdesk itself, so the key's validity is unknown; "
    "run the command again with -v and send the output to whoever supports you."
)


def describe_local_problem(error: OSError) -> str:
    """One plain sentence saying which file or folder to fix, and how."""
    if not error.filename:
        return (
            f"lsdesk could not finish because this computer refused an operation ({error.strerror or 'unknown error'}),"
            " so the key's validity is unknown; try again, or run the command with -v for detail."
        )
    path = Path(os.fsdecode(error.filename))
    if isinstance(error, IsADirectoryError):
        return f"lsdesk needs {path} to be a file but it is a folder; remove that folder, then try again."
    if isinstance(error, NotADirectoryError):
        blocker = _first_file_on_the_way(path)
        return f"lsdesk needs {blocker} to be a folder but it is a file; move that file away, then try again."
    existing = _nearest_existing(path)
    owner = _owner_of(existing)
    if isinstance(error, PermissionError) and owner is not None and owner != _me():
        return f"lsdesk cannot write to {existing}, which belongs to {owner}; make your user its owner, then try again."
    return f"lsdesk could not use {path} ({error.strerror}); check that it is yours and writable, then try again."


def _first_file_on_the_way(path: Path) -> Path:
    """The first part of `path` that exists and is not a folder."""
    for part in reversed(path.parents):
        if part.exists() and not part.is_dir():
            return part
    return path


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return path


def _owner_of(path: Path) -> str | None:
    try:
        uid = path.lstat().st_uid
    except OSError:
        return None
    return _user_name(uid)


def _me() -> str | None:
    getuid = getattr(os, "getuid", None)
    return _user_name(getuid()) if getuid else None


def _user_name(uid: int) -> str | None:
    try:
        import pwd
    except ImportError:  # Windows: folders there have no owner uid to compare
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"the user with id {uid}"
