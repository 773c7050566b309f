"""Files from the project's resources/ folder (icons and pages)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PACKAGE = Path(__file__).resolve().parent


def resource(*parts: str) -> Traversable:
    """A file from resources/: shipped inside the installed package (or the
    one-folder bundle) as lsdesk.resources, or found beside the package in a
    source checkout.

    A folder on disk is read as it is (the wheel's, the bundle's, the checkout's); importlib.resources, which
    costs the window's first paint about 3 ms to import, only for a package that is not on disk (a zip file)."""
    for folder in (PACKAGE / "resources", PACKAGE.parent / "resources"):
        if folder.is_dir():
            found: Traversable = folder
            break
    else:
        from importlib.resources import files

        found = files("lsdesk.resources")
    # One part at a time: lsdesk.resources has no __init__.py, and the
    # namespace package's path on Python 3.11 joins a single name per call.
    for part in parts:
        found = found.joinpath(part)
    return found
