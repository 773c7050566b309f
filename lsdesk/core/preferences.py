"""The few non-secret preferences (API address, check interval, tray, language), and where they are kept.

The window's Settings dialog writes them with Qt's QSettings, in its INI
format, to `settings_path()`; the command line reads the same file without
Qt (`IniSettings`; both in lsdesk/core/settings_file.py), so `lsdesk check`
uses the API address the admin chose in Settings. The file is plain text anyone can edit: whatever it holds, lsdesk
starts, replacing a value it cannot use and logging it by its name alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lsdesk.core.key_dates import DEFAULT_ROTATION_DAYS, ROTATION_CHOICES_DAYS
from lsdesk.core.language import LANGUAGES
from lsdesk.core.settings_file import LANGUAGE, SettingsReader, SettingsWriter

log = logging.getLogger(__name__)

# How often the running app re-checks the key. Never more often than every
# 15 minutes: a key does not change that fast, and Lessonspace limits requests.
WATCH_CHOICES_MINUTES = (15, 30, 60, 180, 360, 720, 1440)
DEFAULT_WATCH_MINUTES = 360
MIN_WATCH_MINUTES = WATCH_CHOICES_MINUTES[0]

ROTATE_EVERY_DAYS = "preferences/rotate_every_days"
API_URL = "preferences/api_url"
WATCH_MINUTES = "preferences/watch_minutes"
KEEP_IN_TRAY = "preferences/keep_in_tray"


@dataclass(frozen=True)
class Preferences:
    api_url: str = ""  # empty: $LSDESK_API_URL or Lessonspace itself
    watch_minutes: int = DEFAULT_WATCH_MINUTES
    keep_in_tray: bool = True
    rotate_every_days: int = DEFAULT_ROTATION_DAYS  # 0: never reminded
    language: str = ""  # one of lsdesk.core.language.LANGUAGES; empty: the system's

    @classmethod
    def load(cls, settings: SettingsReader) -> Preferences:
        """The saved preferences, each wrong type or out-of-range value replaced (a number of
        minutes by the nearest choice the dialog offers) and logged by its name alone."""
        return cls(
            api_url=_text(settings, API_URL, ""),
            watch_minutes=_watch_minutes(settings),
            keep_in_tray=_flag(settings, KEEP_IN_TRAY, True),
            rotate_every_days=_rotation_days(settings),
            language=_language(settings),
        )

    def save(self, settings: SettingsWriter) -> None:
        settings.setValue(API_URL, self.api_url)
        settings.setValue(WATCH_MINUTES, self.watch_minutes)
        settings.setValue(KEEP_IN_TRAY, "true" if self.keep_in_tray else "false")
        settings.setValue(ROTATE_EVERY_DAYS, self.rotate_every_days)
        settings.setValue(LANGUAGE, self.language)
        settings.sync()


def _text(settings: SettingsReader, name: str, default: str) -> str:
    value = settings.value(name, default)
    if value is None:
        return default
    if not isinstance(value, str):  # an INI value with a comma reads as a list
        log.warning("ignored the setting %s: not a piece of text", name)
        return default
    return value


def _flag(settings: SettingsReader, name: str, default: bool) -> bool:
    value = settings.value(name, None)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    log.warning("ignored the setting %s: not true or false", name)
    return default


def _watch_minutes(settings: SettingsReader) -> int:
    """A number of minutes the dialog offers: the largest choice not above the
    saved number, and never below the shortest choice."""
    value = settings.value(WATCH_MINUTES, None)
    if value is None:
        return DEFAULT_WATCH_MINUTES
    try:
        if isinstance(value, bool):
            raise TypeError("a flag, not a number")
        minutes = int(value)
    except (TypeError, ValueError, OverflowError):
        log.warning("ignored the setting %s: not a whole number", WATCH_MINUTES)
        return DEFAULT_WATCH_MINUTES
    if minutes in WATCH_CHOICES_MINUTES:
        return minutes
    chosen = max([choice for choice in WATCH_CHOICES_MINUTES if choice <= minutes], default=MIN_WATCH_MINUTES)
    log.warning("the setting %s is not one of the offered intervals; using %d minutes", WATCH_MINUTES, chosen)
    return chosen


def _rotation_days(settings: SettingsReader) -> int:
    """One of the offered rotation policies; anything else is the default, logged by the setting's name."""
    value = settings.value(ROTATE_EVERY_DAYS, None)
    if value is None:
        return DEFAULT_ROTATION_DAYS
    try:
        days = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError, OverflowError):
        days = -1
    if days in ROTATION_CHOICES_DAYS:
        return days
    log.warning("ignored the setting %s: not one of the offered rotation policies", ROTATE_EVERY_DAYS)
    return DEFAULT_ROTATION_DAYS


def _language(settings: SettingsReader) -> str:
    """A language lsdesk speaks, or "" (the system's) for anything else, logged by the setting's name."""
    value = _text(settings, LANGUAGE, "")
    if value and value not in LANGUAGES:
        log.warning("ignored the setting %s: not a language lsdesk speaks", LANGUAGE)
        return ""
    return value
