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

from lsdesk.core.language import _

PROBLEM_IN_LSDESK = _(
    # Translators: -v is the command line's option for technical detail: it stays as written.
    "lsdesk could not finish because of a problem in lsdesk itself, so the key's validity is unknown; "
    "run the command again with -v and send the output to whoever supports you."
)


def describe_local_problem(error: OSError) -> str:
    """One plain sentence saying which file or folder to fix, and how."""
    if not error.filename:
        return _(
            # Translators: {reason} is the operating system's description of the error, such as "Permission denied";
            # -v is the command line's option for technical detail and stays as written.
            "lsdesk could not finish because this computer refused an operation ({reason}),"
            " so the key's validity is unknown; try again, or run the command with -v for detail."
        ).format(reason=error.strerror or _("unknown error"))
    path = Path(os.fsdecode(error.filename))
    if isinstance(error, IsADirectoryError):
        # Translators: {path} is a file's path on this computer.
        return _("lsdesk needs {path} to be a file but it is a folder; remove that folder, then try again.").format(
            path=path
        )
    if isinstance(error, NotADirectoryError):
        blocker = _first_file_on_the_way(path)
        # Translators: {path} is a folder's path on this computer.
        return _("lsdesk needs {path} to be a folder but it is a file; move that file away, then try again.").format(
            path=blocker
        )
    existing = _nearest_existing(path)
    owner = _owner_of(existing)
    if isinstance(error, PermissionError) and owner is not None and owner != _me():
        return _(
            # Translators: {path} is a file's or folder's path on this computer, {owner} a user name.
            "lsdesk cannot write to {path}, which belongs to {owner}; make your user its owner, then try again."
        ).format(path=existing, owner=owner)
    # Translators: {path} is a file's or folder's path on this computer, {reason} the operating system's description
    # of the error, such as "Permission denied".
    return _("lsdesk could not use {path} ({reason}); check that it is yours and writable, then try again.").format(
        path=path, reason=error.strerror
    )


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
        # Translators: the owner of a file, where the system has no name for that user; {uid} is a number.
        return _("the user with id {uid}").format(uid=uid)
