"""A moment as a person reads it, in the window, its history and on the command line: "03 Dec 2026, 11:52".

In the admin's time zone, with the month's short name in the language lsdesk speaks (from its catalogue, so the
window and the command line write it alike, and neither depends on the system's own locale). Files and JSON use
ISO 8601 instead.
"""

from __future__ import annotations

from datetime import datetime

from lsdesk.core.language import _

# Translators: the short names of the months, as in "03 Dec 2026, 11:52".
MONTHS = (
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    # Translators: the month.
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
)


def when(moment: datetime) -> str:
    """`moment` in local time: day, month, year, then hours and minutes on the 24-hour clock."""
    local = moment.astimezone()
    return f"{local.day:02d} {MONTHS[local.month - 1]} {local.year}, {local.hour:02d}:{local.minute:02d}"
