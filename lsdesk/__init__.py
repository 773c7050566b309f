"""lsdesk: check, save and rotate your organisation's Lessonspace API key."""

from __future__ import annotations

import sys

__version__ = "0.1.0"

__all__ = ["__version__", "create_window", "main"]

# The options before a command that take a value: the window is what opens when no command follows them.
OPTIONS_WITH_A_VALUE = ("--api-url", "--profile")


def main(argv: list[str] | None = None) -> int:
    """Run lsdesk as the `lsdesk` command does and return its exit code."""
    from lsdesk.core import language

    arguments = sys.argv[1:] if argv is None else argv
    # First: every module holding sentences is imported after this, in the language chosen here.
    if opens_the_window(arguments):
        language.use(_window_language(arguments))
        from lsdesk.window_command import main as window_main

        code = window_main(arguments)
        if code is not None:
            return code
    else:
        language.use(language.decide())
    from lsdesk.cli import main as cli_main

    return cli_main(argv)


def opens_the_window(arguments: list[str]) -> bool:
    """Whether these arguments open the window (no command, no --help or --version), read without argparse."""
    return command_in(arguments) is None and not any(a in ("-h", "--help", "--version") for a in arguments)


def command_in(arguments: list[str]) -> str | None:
    """The command these arguments name (the first that is neither an option nor an option's value), as argparse
    reads it, without argparse; None for none."""
    expects_value = False
    for argument in arguments:
        if expects_value:
            expects_value = False
        elif argument.startswith("--") and "=" not in argument and len(argument) > 2:
            # argparse accepts any unambiguous start of an option's name (--api for --api-url).
            expects_value = any(option.startswith(argument) for option in OPTIONS_WITH_A_VALUE)
        elif not argument.startswith("-"):
            return argument
    return None


def _window_language(arguments: list[str]) -> str:
    """The window's language: Settings' choice (the sandbox has its own Settings), else the system's."""
    from lsdesk.core import language
    from lsdesk.core.settings_file import LANGUAGE, SANDBOX_SETTINGS, SETTINGS, IniSettings, settings_path

    sandbox = any(argument.startswith("--s") and "--sandbox".startswith(argument) for argument in arguments)
    chosen = IniSettings(settings_path(SANDBOX_SETTINGS if sandbox else SETTINGS)).value(LANGUAGE, "")
    preference = chosen if isinstance(chosen, str) else ""  # a damaged value: the system's (decide ignores others)
    system = None
    if sys.platform in ("win32", "darwin"):  # elsewhere the system's language is the environment's
        from lsdesk.gui.qt_language import system_language

        system = system_language()
    return language.decide(preference, system)


def create_window(api_url: str | None = None, profile: str = "default"):
    """Build the settings window, with its worker, inside an existing QApplication."""
    from lsdesk.gui.app import create_window as build

    return build(api_url=api_url, profile=profile)
