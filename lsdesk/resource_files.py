"""Files from the project's resources/ folder (icons and pages)."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def resource(*parts: str) -> Traversable:
    """A file from resources/: shipped inside the installed package as
    lsdesk.resources, or found beside the package in a source checkout."""
    try:
        return files("lsdesk.resources").joinpath(*parts)
    except ModuleNotFoundError:
        return (Path(__file__).resolve().parent.parent / "resources").joinpath(*parts)
