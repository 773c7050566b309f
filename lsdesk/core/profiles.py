"""The organisations lsdesk looks after on this computer, one profile each, known without reading any key.

The credential store cannot be listed on every system, and reading it may
wait for an unlock prompt; so the window lists what lsdesk itself noted: the
profiles with a key date or a remembered status, and `default`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lsdesk.core.history import RESULT_WORDS
from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.keystore import check_profile_name
from lsdesk.core.outcome import Organisation, State
from lsdesk.core.status import STATUS_FOLDER, KeyStatus, StatusFile

# Names Windows keeps for devices: a profile named so could not be a file there.
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{kind}{n}" for kind in ("com", "lpt") for n in range(1, 10)}
)
_NOT_IN_A_NAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class KnownProfile:
    name: str
    organisation: Organisation | None
    status: KeyStatus | None

    def label(self) -> str:
        """As a list shows it: the organisation's name first, then the profile and the last known state."""
        who = self.organisation.name if self.organisation and self.organisation.name else self.name
        where = f" ({self.name})" if who != self.name else ""
        known = self.status is not None and self.status.state is not None
        state = RESULT_WORDS[self.status.state.value] if known else "not checked yet"
        return f"{who}{where}: {state}"


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


def known_profiles(state_folder: Path, current: str) -> list[KnownProfile]:
    """Every profile lsdesk has noted, `default` and `current` always among them, by name."""
    dates = KeyDates(state_folder / KEY_DATES_FOLDER)
    known = []
    for name in noted_profile_names(state_folder, current):
        status = StatusFile.in_folder(state_folder, name).load()
        organisation = status.organisation if status is not None else None
        if organisation is None and status is not None:
            organisation = dates.organisation(name, status.key_ending)
        if status is not None and status.state is State.NOT_SET and name not in (current, "default"):
            continue  # its key was removed
        known.append(KnownProfile(name, organisation, status))
    return known


def profile_name_for(display_name: str, taken: set[str]) -> str:
    """A safe profile name for an organisation the admin names ("Northside Branch" -> "northside-branch").

    Raises ValueError with a sentence for a name that gives nothing usable, a device name Windows keeps,
    or one already used.
    """
    name = _NOT_IN_A_NAME.sub("-", display_name.strip().lower()).strip("-")[:64].strip("-")
    if not name:
        raise ValueError("Give the organisation a name with at least one letter or digit.")
    if name in _WINDOWS_DEVICES:
        raise ValueError(f'"{display_name.strip()}" is a name Windows keeps for itself. Choose another name.')
    if name in taken:
        raise ValueError(f'There is already an organisation called "{name}" here. Choose another name.')
    return check_profile_name(name)
