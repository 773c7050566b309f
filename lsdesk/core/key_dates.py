"""When each profile's key was saved or rotated: the key's age, and when it is due for rotation.

One small file per profile, beside the rotation journals: the key's last four
characters and the moment it was saved, never the key. A record is believed
only for the key it was written for, so a key saved by an earlier version, or
put in the credential store by hand, has an unknown age; lsdesk never guesses it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from lsdesk.core.language import _, ngettext
from lsdesk.core.outcome import Organisation
from lsdesk.core.small_file import read_plain_file, replace_atomically

log = logging.getLogger(__name__)

KEY_DATES_FOLDER = "keys"
# How often a key should be replaced, in days (0: never), as the Settings dialog offers.
ROTATION_CHOICES_DAYS = (30, 60, 90, 180, 0)
DEFAULT_ROTATION_DAYS = 90
# From this many days before the date, the window says a rotation is coming.
ROTATION_WARNING_DAYS = 14
_MAX_RECORD_BYTES = 4096


class KeyDates:
    """The saved-at record of each profile's key."""

    def __init__(self, folder: Path):
        self.folder = folder

    def saved(
        self,
        profile: str,
        key_ending: str,
        when: datetime | None = None,
        organisation: Organisation | None = None,
    ) -> datetime:
        """Note that the key ending in `key_ending` (of `organisation`) was saved now, or `when`.

        A failure is logged, not raised: it costs only the key's age.
        """
        moment = when or datetime.now(UTC)
        record = {
            "profile": profile,
            "key_ending": key_ending,
            "saved_at": moment.isoformat(),
            "organisation": organisation.to_json() if organisation else None,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_atomically(self._path(profile), json.dumps(record))
        except OSError as error:
            log.warning("could not note when the key of profile %s was saved: %s", profile, type(error).__name__)
        return moment

    def saved_at(self, profile: str, key_ending: str | None) -> datetime | None:
        """When the key ending in `key_ending` was saved; None if unknown (no record, or one for another key)."""
        record = self._record(profile, key_ending)
        try:
            moment = datetime.fromisoformat(record["saved_at"]) if record else None
        except (ValueError, TypeError, KeyError):
            log.warning("ignored an unreadable key date of profile %s", profile)
            return None
        if moment is None:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def organisation(self, profile: str, key_ending: str | None) -> Organisation | None:
        """The organisation the key ending in `key_ending` belonged to when it was saved, if noted."""
        record = self._record(profile, key_ending)
        known = record.get("organisation") if record else None
        if isinstance(known, dict) and isinstance(known.get("id"), int) and not isinstance(known["id"], bool):
            name = known.get("name")
            return Organisation(known["id"], name if isinstance(name, str) and name else None)
        return None

    def _record(self, profile: str, key_ending: str | None) -> dict | None:
        """The record of the key ending in `key_ending`; None if there is none for that key."""
        if not key_ending:
            return None
        try:
            record = json.loads(read_plain_file(self._path(profile), _MAX_RECORD_BYTES))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            log.warning("ignored an unreadable key date of profile %s", profile)
            return None
        if not isinstance(record, dict) or record.get("key_ending") != key_ending:
            return None
        return record

    def forget(self, profile: str) -> None:
        try:
            self._path(profile).unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not remove the key date of profile %s: %s", profile, type(error).__name__)

    def profiles(self) -> list[str]:
        """Every profile with a record, by name."""
        try:
            return sorted(path.stem for path in self.folder.glob("*.json") if path.is_file())
        except OSError:
            return []

    def _path(self, profile: str) -> Path:
        return self.folder / f"{profile}.json"


def age_in_days(saved_at: datetime | None, now: datetime | None = None) -> int | None:
    if saved_at is None:
        return None
    return max(0, ((now or datetime.now(UTC)) - saved_at).days)


def rotation_due_in(saved_at: datetime | None, every_days: int, now: datetime | None = None) -> int | None:
    """Days until the key should be rotated (0 or less: due now); None without a policy or a known age."""
    age = age_in_days(saved_at, now)
    if age is None or every_days <= 0:
        return None
    return every_days - age


def rotation_reminder(saved_at: datetime | None, every_days: int, now: datetime | None = None) -> str | None:
    """The reminder once a rotation is due, in words; None before then, without a policy or a known age."""
    due = rotation_due_in(saved_at, every_days, now)
    if due is None or due > 0:
        return None
    return _(
        # Translators: {age} and {period} are numbers of days ("95 days", "90 days"), each translated on its own;
        # "Settings" is lsdesk's own Settings dialog, where the rotation policy is chosen.
        "This key is {age} old, and keys are to be replaced every {period} (Settings). Rotating now takes a minute."
    ).format(age=_days(age_in_days(saved_at, now)), period=_days(every_days))


def _days(count: int) -> str:
    # Translators: a number of days, put into a longer sentence: "This key is 95 days old".
    return ngettext("{count} day", "{count} days", count).format(count=count)


def describe_age(saved_at: datetime | None, every_days: int, now: datetime | None = None) -> str:
    """The key's age in words, with the rotation reminder when one is near: the window's details line."""
    age = age_in_days(saved_at, now)
    if age is None:
        return _("Age unknown (saved before lsdesk noted it)")
    if age == 0:
        said = _("Saved today")
    elif age == 1:
        said = _("Saved yesterday")
    else:
        said = ngettext("Saved {count} day ago", "Saved {count} days ago", age).format(count=age)
    due = rotation_due_in(saved_at, every_days, now)
    if due is None or due > ROTATION_WARNING_DAYS:
        return said
    if due <= 0:
        # Translators: {saved} says when the key was saved: "Saved 95 days ago".
        return _("{saved}: rotation due now").format(saved=said)
    # Translators: {saved} says when the key was saved: "Saved 80 days ago".
    return ngettext("{saved}: rotation due in {count} day", "{saved}: rotation due in {count} days", due).format(
        saved=said, count=due
    )
