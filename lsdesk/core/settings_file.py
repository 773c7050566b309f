"""lsdesk's settings files, and reading them without Qt.

The window's Settings dialog writes them with Qt's QSettings, in its INI format, to `settings_path()`; the command
line reads the same file without Qt (`IniSettings`). Nothing here holds a sentence: lsdesk.main reads the window's
language from here before any module holding sentences is imported (lsdesk/core/language.py).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Protocol

from lsdesk.core.paths import APP_NAME
from lsdesk.core.small_file import read_plain_file

log = logging.getLogger(__name__)

# The language preference (lsdesk/core/preferences.py reads the others): here, so that lsdesk.main reads it first.
LANGUAGE = "preferences/language"  # empty: the system's

# The settings files: the window's and the command line's, and the sandbox window's own.
SETTINGS = APP_NAME
SANDBOX_SETTINGS = f"{APP_NAME}-sandbox"

# A settings file holds a handful of lines; anything bigger is not lsdesk's.
MAX_SETTINGS_BYTES = 1024 * 1024


class SettingsReader(Protocol):
    """What Preferences reads: QSettings in the window, IniSettings on the command line."""

    def value(self, name: str, default: object = None) -> object: ...


class SettingsWriter(SettingsReader, Protocol):
    def setValue(self, name: str, value: object) -> None: ...  # noqa: N802 - QSettings' name

    def sync(self) -> None: ...


def settings_path(application: str = SETTINGS) -> Path:
    """The file QSettings uses for lsdesk in its INI format and the user scope (Qt's own rule):
    `%APPDATA%\\lsdesk\\<application>.ini` on Windows, `$XDG_CONFIG_HOME/lsdesk/` or
    `~/.config/lsdesk/` elsewhere, macOS included."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_NAME / f"{application}.ini"


class IniSettings:
    """QSettings' INI file, read without Qt: `value("section/key")` as QSettings gives it.

    Qt writes a plain value as it is, quotes one with a comma, semicolon,
    quote or outer spaces, escapes with backslashes (\\", \\\\, \\n, \\xhhhh, ...),
    reads an unquoted comma as a list, and marks a typed value with @ (a
    leading @ of a string is doubled). A file that is missing, damaged or not
    a plain file reads as empty.
    """

    def __init__(self, path: Path):
        self.path = path
        self._values: dict[str, str | list[str]] | None = None

    def value(self, name: str, default: object = None) -> object:
        if self._values is None:
            self._values = self._read()
        return self._values.get(name, default)

    def _read(self) -> dict[str, str | list[str]]:
        try:
            text = read_plain_file(self.path, MAX_SETTINGS_BYTES).decode("utf-8", errors="replace")
        except FileNotFoundError:
            return {}
        except OSError as error:
            log.warning("ignored the settings file: %s", type(error).__name__)
            return {}
        values: dict[str, str | list[str]] = {}
        section = ""
        for line in text.splitlines():
            line = line.strip()
            if not line or line[0] in ";#":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
                continue
            key, equals, raw = line.partition("=")
            if not equals:
                continue
            name = key.strip() if section in ("", "General") else f"{section}/{key.strip()}"
            parsed = _unescaped(raw.strip())
            if parsed is not None:
                values[name] = parsed
        return values


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescaped(raw: str) -> str | list[str] | None:
    """One INI value as QSettings reads it: text, a list (an unquoted comma), or None for a typed value."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    index = 0
    while index < len(raw):
        char = raw[index]
        index += 1
        if char == '"':
            quoted = not quoted
        elif char == "\\" and index < len(raw):
            escaped = raw[index]
            index += 1
            if escaped == "x":
                digits = ""
                while index < len(raw) and len(digits) < 4 and raw[index] in "0123456789abcdefABCDEF":
                    digits += raw[index]
                    index += 1
                current.append(chr(int(digits, 16)) if digits else "x")
            else:
                current.append(_ESCAPES.get(escaped, escaped))
        elif char == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        elif char in " \t" and not quoted and not current:
            continue  # spaces after a comma
        else:
            current.append(char)
    text = "".join(current)
    if parts:
        return [*parts, text.strip()]
    if text.startswith("@@"):
        return text[1:]
    if text.startswith("@"):
        return None  # @Variant(...), @ByteArray(...), @Invalid(): not a preference lsdesk writes
    return text
