"""Files from the project's resources/ folder (icons and pages)."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def resource(*parts: str) -> Traversable:
    """A file from resources/: shipped inside the installed package (or the
    one-folder bundle) as lsdesk.resources, or found beside the package in a
    source checkout."""
    try:
        found = files("lsdesk.resources")
    except ModuleNotFoundError:
        found = Path(__file__).resolve().parent.parent / "resources"
    # One part at a time: lsdesk.resources has no __init__.py, and the
    # namespace package's path on Python 3.11 joins a single name per call.
    for part in parts:
        found = found.joinpath(part)
    return found
