"""Where lsdesk keeps its own files: never a key, only state and history."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "lsdesk"


def state_dir() -> Path:
    """Rotation journals and locks: the platform's state folder."""
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """The history of checks, saves and rotations: the platform's data folder."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)
