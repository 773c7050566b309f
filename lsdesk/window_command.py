"""`lsdesk` with no command: the window.

Its few options are read here without the command line's parser, whose commands and the modules behind
them cost the window's start-up about 12 ms; anything else (a command, --help, an abbreviated option,
--option=value) goes to that parser (lsdesk/cli.py), which comes back to `open_window` for the window.
"""

from __future__ import annotations

import argparse
import os
import sys

from lsdesk import OPTIONS_WITH_A_VALUE
from lsdesk.core.language import _
from lsdesk.process import configure_logging, no_core_dumps, replace_unencodable_output

# The window's options, as `lsdesk` with no command takes them, and the Namespace field each sets.
WINDOW_FLAGS = {"-v": "verbose", "--verbose": "verbose", "--sandbox": "sandbox", "--background": "background"}
WINDOW_VALUES = {option: option[2:].replace("-", "_") for option in OPTIONS_WITH_A_VALUE}
# Translators: `lsdesk check` is a command and stays as written.
NO_SCREEN = _("lsdesk's window needs a desktop session; `lsdesk check` works in a terminal.")


def main(argv: list[str]) -> int | None:
    """Open the window for these arguments, and return the exit code; None for arguments that are not the
    window's usual options, which the command line's parser reads instead."""
    args = window_arguments(argv)
    if args is None:
        return None
    no_core_dumps()  # first: a key read later must never end up in a core file
    replace_unencodable_output()
    configure_logging(args.verbose)
    try:
        return open_window(args)
    except KeyboardInterrupt:
        from lsdesk.cli import interrupted

        return interrupted()
    except Exception as error:  # noqa: BLE001 - logged, and said in a sentence, by stopped() as the command line does
        from lsdesk.cli import stopped

        return stopped(error)


def window_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The window's usual options as the command line's parser reads them (argparse is loaded with Qt
    anyway); None for anything else."""
    values = {"api_url": None, "profile": "default", "verbose": False, "sandbox": False, "background": False}
    arguments = iter(argv)
    for argument in arguments:
        if argument in WINDOW_FLAGS:
            values[WINDOW_FLAGS[argument]] = True
        elif argument in WINDOW_VALUES:
            value = next(arguments, None)
            if value is None or value.startswith("-"):
                return None
            values[WINDOW_VALUES[argument]] = value
        else:
            return None
    return argparse.Namespace(command=None, **values)


def open_window(args: argparse.Namespace) -> int:
    """Run the window with these options until it closes; 2 where there is no screen to show it on."""
    if not has_a_screen():
        from lsdesk.core.outcome import State

        print(NO_SCREEN, file=sys.stderr)
        return State.BAD_INPUT.exit_code
    from lsdesk.gui.app import run_window  # Qt only when a window is wanted

    return run_window(api_url=args.api_url, profile=args.profile, sandbox=args.sandbox, background=args.background)


def has_a_screen() -> bool:
    """False on Linux and the other Unix desktops with no X or Wayland display (over ssh, say), where Qt
    would abort with a message about a missing library; Windows and macOS always have one for a signed-in user."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
