"""Start lsdesk when the admin signs in: the system's own per-user entry, which runs `lsdesk --background`.

Linux and the other freedesktop desktops: an XDG autostart file,
`~/.config/autostart/lsdesk.desktop`. macOS: a LaunchAgent,
`~/Library/LaunchAgents/com.lsdesk.watch.plist`. Windows: the per-user `Run`
registry value. Whether lsdesk starts at sign-in is whether that entry
exists: nothing else remembers it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lsdesk.core.language import _
from lsdesk.core.small_file import replace_atomically

BACKGROUND = "--background"
LAUNCH_AGENT = "com.lsdesk.watch"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "lsdesk"


def lsdesk_command() -> list[str]:
    """How to start this lsdesk again: the built executable itself, or this Python with `-m lsdesk`."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "lsdesk"]


class Autostart:
    """The sign-in entry of one system (`platform`, a sys.platform value) for `command`."""

    def __init__(self, command: list[str] | None = None, platform: str = sys.platform, home: Path | None = None):
        self.command = [*(command or lsdesk_command()), BACKGROUND]
        self.platform = platform
        self.home = home or Path.home()

    # What the entry is -------------------------------------------------------

    def path(self) -> Path | None:
        """The file that is the entry; None on Windows, where it is a registry value."""
        if self.platform == "win32":
            return None
        if self.platform == "darwin":
            return self.home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"
        config = os.environ.get("XDG_CONFIG_HOME") or str(self.home / ".config")
        return Path(config) / "autostart" / "lsdesk.desktop"

    def content(self) -> str:
        """The entry as the system reads it: a desktop entry, a launchd plist, or the Run value's command line."""
        # plistlib and subprocess only for the system that needs them: the window builds an Autostart before
        # it is drawn, and importing both would cost that first paint about 5 ms.
        if self.platform == "win32":
            import subprocess

            return subprocess.list2cmdline(self.command)
        if self.platform == "darwin":
            import plistlib

            agent = {"Label": LAUNCH_AGENT, "ProgramArguments": self.command, "RunAtLoad": True}
            return plistlib.dumps(agent).decode("utf-8")
        # Translators: what the sign-in entry does, as the desktop's list of startup programs shows it.
        comment = _("Watch the Lessonspace API key from the system tray")
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=lsdesk\n"
            f"Comment={' '.join(comment.split())}\n"
            f"Exec={_desktop_exec(self.command)}\n"
            "Icon=lsdesk\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    # Turning it on and off -----------------------------------------------------

    def is_enabled(self) -> bool:
        if self.platform == "win32":
            return _run_value() is not None
        path = self.path()
        return path is not None and path.is_file()

    def enable(self) -> None:
        """Write the entry; raises OSError if the system refused it."""
        if self.platform == "win32":
            _set_run_value(self.content())
            return
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, self.content())

    def disable(self) -> None:
        """Remove the entry, if there is one; raises OSError if the system refused."""
        if self.platform == "win32":
            _delete_run_value()
            return
        path = self.path()
        if path is not None:
            path.unlink(missing_ok=True)


# Characters that make the desktop entry specification quote an argument, and those escaped inside the quotes.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = frozenset('"`$\\')


def _desktop_exec(command: list[str]) -> str:
    """An Exec= line, as the desktop entry specification asks: % doubled, an argument with a reserved
    character in double quotes (with " ` $ and backslash escaped), then backslashes escaped once more,
    since a reader undoes that string escape before it reads the quotes."""
    arguments = []
    for argument in command:
        argument = argument.replace("%", "%%")
        if any(character in _RESERVED for character in argument):
            inner = "".join(f"\\{c}" if c in _ESCAPED_IN_QUOTES else c for c in argument)
            argument = f'"{inner}"'
        arguments.append(argument.replace("\\", "\\\\"))
    return " ".join(arguments)


# The per-user Run value, on Windows only (winreg exists only there).


def _run_value() -> str | None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            return winreg.QueryValueEx(key, RUN_VALUE)[0]
    except FileNotFoundError:
        return None


def _set_run_value(command_line: str) -> None:
    import winreg

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, command_line)


def _delete_run_value() -> None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE)
    except FileNotFoundError:
        pass
