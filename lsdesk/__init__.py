"""lsdesk: check, save and rotate your organisation's Lessonspace API key."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "create_window", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run lsdesk as the `lsdesk` command does and return its exit code."""
    from lsdesk.cli import main as cli_main

    return cli_main(argv)


def create_window(api_url: str | None = None, profile: str = "default"):
    """Build the settings window, with its worker, inside an existing QApplication."""
    from lsdesk.gui.app import create_window as build

    return build(api_url=api_url, profile=profile)
