"""Moments as the window shows them: in the admin's time zone, with the month in the language lsdesk speaks."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from lsdesk.core import language

# Qt's date format: "03 Dec 2026, 11:52" in English, the month's short name in the language chosen.
WHEN_FORMAT = "dd MMM yyyy, HH:mm"


def when(moment: datetime) -> str:
    """`moment` in local time, as the window, tray and notifications write it.

    The month is in the default locale's language, which the start-up sets to the language lsdesk speaks. English
    (and the pseudo-locale, English underneath) uses Qt's C locale, so the month reads as it always has
    ("Sep", not an English-speaking system's "Sept", nor the system's own language where lsdesk does not speak it).
    """
    local = moment.astimezone()
    shown = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))
    speaks = language.current()
    locale = QLocale() if speaks in language.LANGUAGES and speaks != language.SOURCE_LANGUAGE else QLocale.c()
    return locale.toString(shown, WHEN_FORMAT)
