"""The organisations lsdesk looks after on this computer, one profile each, known without reading any key.

The credential store cannot be listed on every system, and reading it may
wait for an unlock prompt; so the window lists what lsdesk itself noted: the
profiles with a key date or a remembered status, and `default`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from lsdesk.core.history import RESULT_WORDS
from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.keystore import check_profile_name
from lsdesk.core.language import _, ngettext
from lsdesk.core.outcome import Organisation, State
from lsdesk.core.settings_file import SettingsReader, SettingsWriter
from lsdesk.core.status import STATUS_FOLDER, KeyStatus, StatusFile

# Names Windows keeps for devices: a profile named so could not be a file there.
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{kind}{n}" for kind in ("com", "lpt") for n in range(1, 10)}
)
_NOT_IN_A_NAME = re.compile(r"[^a-z0-9]+")
# The names the admin gives organisations, kept with the preferences (never a key).
DISPLAY_NAME = "organisations/{profile}/display_name"
LONGEST_DISPLAY_NAME = 80


@dataclass(frozen=True)
class KnownProfile:
    name: str
    organisation: Organisation | None
    status: KeyStatus | None
    display_name: str | None = None  # the admin's own name for it
    same_organisation_as: tuple[str, ...] = ()  # other profiles whose keys are of its organisation

    @property
    def shown_name(self) -> str:
        """The admin's name for it, else the organisation's name from Lessonspace, else the profile's."""
        if self.display_name:
            return self.display_name
        return self.organisation.name if self.organisation and self.organisation.name else self.name

    def label(self) -> str:
        """As a list shows it: its shown name first, then the profile and the last known state."""
        who = self.shown_name
        known = self.status is not None and self.status.state is not None
        state = RESULT_WORDS[self.status.state.value] if known else _("not checked yet")
        if who != self.name:
            # Translators: an organisation in a list: its name, its profile, and what the last check found
            # ("Northside Tutors (northside): valid").
            return _("{name} ({profile}): {state}").format(name=who, profile=self.name, state=state)
        # Translators: an organisation in a list: its name and what the last check found ("default: valid").
        return _("{name}: {state}").format(name=who, state=state)


def noted_profile_names(state_folder: Path, *also: str) -> list[str]:
    """`default`, `also`, and each profile lsdesk has a key date or a remembered status for, by name."""
    names = {"default", *also, *KeyDates(state_folder / KEY_DATES_FOLDER).profiles()}
    try:
        names.update(path.stem for path in (state_folder / STATUS_FOLDER).glob("*.json") if path.is_file())
    except OSError:
        pass
    noted = []
    for name in sorted(names):
        try:
            noted.append(check_profile_name(name))
        except ValueError:
            continue  # another program's file, or a damaged name: not a profile
    return noted


def known_profiles(state_folder: Path, current: str, settings: SettingsReader | None = None) -> list[KnownProfile]:
    """Every profile lsdesk has noted, `default` and `current` always among them, by name, with the names the
    admin gave them (in `settings`) and the other profiles whose keys are of the same organisation."""
    dates = KeyDates(state_folder / KEY_DATES_FOLDER)
    known = []
    for name in noted_profile_names(state_folder, current):
        status = StatusFile.in_folder(state_folder, name).load()
        organisation = status.organisation if status is not None else None
        if organisation is None and status is not None:
            organisation = dates.organisation(name, status.key_ending)
        if status is not None and status.state is State.NOT_SET and name not in (current, "default"):
            continue  # its key was removed
        given = display_name_of(settings, name) if settings is not None else None
        known.append(KnownProfile(name, organisation, status, given))
    by_organisation: dict[int, list[str]] = {}
    for profile in known:
        if profile.organisation is not None:
            by_organisation.setdefault(profile.organisation.id, []).append(profile.name)
    return [
        replace(
            profile,
            same_organisation_as=tuple(n for n in by_organisation[profile.organisation.id] if n != profile.name),
        )
        if profile.organisation is not None
        else profile
        for profile in known
    ]


def same_organisation_warning(profile: KnownProfile) -> str | None:
    """The sentence for a profile whose organisation another profile's key also belongs to; None if none does."""
    if not profile.same_organisation_as:
        return None
    others = ", ".join(f'"{name}"' for name in profile.same_organisation_as)
    if len(profile.same_organisation_as) > 1:
        return _(
            # Translators: {profile} is a profile's name, {others} the other profiles' names in quotes ("a", "b").
            'These profiles ("{profile}" and {others}) use keys of the same organisation; '
            "rotating one does not update the other."
        ).format(profile=profile.name, others=others)
    return _(
        # Translators: {profile} is a profile's name, {others} the other profile's name in quotes ("b").
        'These two profiles ("{profile}" and {others}) use keys of the same organisation; '
        "rotating one does not update the other."
    ).format(profile=profile.name, others=others)


def display_name_of(settings: SettingsReader, profile: str) -> str | None:
    """The name the admin gave the profile's organisation; None if none (or one lsdesk would not have saved)."""
    given = settings.value(DISPLAY_NAME.format(profile=profile))
    try:
        return check_display_name(given) if isinstance(given, str) else None
    except ValueError:
        return None


def set_display_name(settings: SettingsWriter, profile: str, typed: str) -> str:
    """Keep the admin's name for the profile's organisation; returns it as kept.

    Raises ValueError with a sentence for a name lsdesk cannot show.
    """
    name = check_display_name(typed)
    settings.setValue(DISPLAY_NAME.format(profile=profile), name)
    settings.sync()
    return name


def check_display_name(typed: str) -> str:
    """`typed` without surrounding spaces; raises ValueError with a sentence when it is empty, too long, or
    holds a character that is not text (a line break, a control character)."""
    name = typed.strip()
    if not name:
        raise ValueError(_("Give the organisation a name."))
    if len(name) > LONGEST_DISPLAY_NAME:
        raise ValueError(
            ngettext(
                "Give the organisation a name of at most {count} character.",
                "Give the organisation a name of at most {count} characters.",
                LONGEST_DISPLAY_NAME,
            ).format(count=LONGEST_DISPLAY_NAME)
        )
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ValueError(_("Give the organisation a name on one line, with letters, digits and punctuation only."))
    return name


def profile_name_for(display_name: str, taken: set[str]) -> str:
    """A safe profile name for an organisation the admin names ("Northside Branch" -> "northside-branch").

    Raises ValueError with a sentence for a name that gives nothing usable, a device name Windows keeps,
    or one already used.
    """
    name = _NOT_IN_A_NAME.sub("-", display_name.strip().lower()).strip("-")[:64].strip("-")
    if not name:
        raise ValueError(_("Give the organisation a name with at least one letter or digit."))
    if name in _WINDOWS_DEVICES:
        raise ValueError(
            # Translators: {name} is the name the admin typed, such as "CON".
            _('"{name}" is a name Windows keeps for itself. Choose another name.').format(name=display_name.strip())
        )
    if name in taken:
        raise ValueError(
            # Translators: {name} is a profile's name, made from the name the admin typed.
            _('There is already an organisation called "{name}" here. Choose another name.').format(name=name)
        )
    return check_profile_name(name)
