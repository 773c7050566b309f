"""The other places that hold an organisation's key, and the checklist of them after a rotation.

A rotation done perfectly in lsdesk still stops lessons if Teachworks, a
Moodle site or a booking plugin keeps the old key. So each profile has a
short list of the places its key is pasted into, set up by the admin from
presets (never any secret of those places), kept as JSON beside the
preferences; and each rotation leaves a checklist of them, kept in the state
folder until every place is ticked or the admin dismisses it.

The checklist is written before the rotation begins and names the new key
by its last four characters: it counts only while the saved key is that
key. So a rotation that a crash interrupts and recovery finishes shows its
checklist, and one that was rolled back shows none.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from lsdesk.core.language import _, ngettext
from lsdesk.core.small_file import read_plain_file, replace_atomically

log = logging.getLogger(__name__)

PLACES_FOLDER = "places"  # beside the preferences
CHECKLISTS_FOLDER = "checklists"  # in the state folder, beside the journals
MAX_FILE_BYTES = 64 * 1024
MAX_PLACES = 20
LONGEST_TEXT = 200
_SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Preset:
    """A kind of place lsdesk knows: what it asks for, where its key setting is, and how to get there."""

    kind: str
    label: str
    asks: str | None  # "subdomain", "site" (an address), or None
    click_path: str

    def settings_url(self, given: str | None) -> str | None:
        """The page to open for this place, from what the admin gave; None when there is none to open."""
        if self.kind == "teachworks" and given:
            return f"https://{given}.teachworks.com/"
        if self.kind == "moodle" and given:
            return f"{given.rstrip('/')}/admin/settings.php?section=modsettingslessonspace"
        if self.kind == "amelia" and given:
            return f"{given.rstrip('/')}/wp-admin/admin.php?page=wpamelia-settings"
        if self.kind == "pipedream":
            return "https://pipedream.com/accounts"
        if self.kind == "composio":
            return "https://app.composio.dev/"
        return given or None


PRESETS = {
    preset.kind: preset
    for preset in (
        Preset(
            "teachworks",
            "Teachworks",
            "subdomain",
            _(
                # Translators: where the key goes in Teachworks, step by step. The menu and button names are
                # Teachworks' own, which is in English: keep them as written.
                "Account & Settings > Integrations & Add-ons > Settings under Lessonspace Integration > "
                "paste into API Key > submit"
            ),
        ),
        Preset(
            "moodle",
            # Translators: a kind of place that uses the key: a Moodle site with Lessonspace's plugin.
            _("Moodle (Lessonspace plugin)"),
            "site",
            # Translators: where the key goes in Moodle, step by step. The menu and button names are Moodle's
            # own: write them as Moodle shows them in your language.
            _("Site administration > Plugins > Activity modules > Lessonspace > paste into API key > Save changes"),
        ),
        Preset(
            "amelia",
            # Translators: a kind of place that uses the key: the Amelia booking plugin of a WordPress site.
            _("Amelia booking (WordPress)"),
            "site",
            # Translators: where the key goes in Amelia, step by step. The menu and button names are Amelia's
            # own: write them as Amelia shows them in your language.
            _("Amelia > Settings > Integrations > Lessonspace > paste the API key > Save"),
        ),
        Preset(
            "pipedream",
            "Pipedream",
            None,
            # Translators: where the key goes in Pipedream, step by step. The menu and button names are
            # Pipedream's own, which is in English: keep them as written.
            _("Accounts > Lessonspace > Reconnect, paste the new API key"),
        ),
        Preset(
            "composio",
            "Composio",
            None,
            # Translators: where the key goes in Composio, step by step. The menu names are Composio's own,
            # which is in English: keep them as written.
            _("Connected accounts > Lessonspace > update the API key"),
        ),
        Preset(
            "other",
            # Translators: a kind of place that uses the key, for any the list does not name.
            _("Other"),
            "site",
            _("Open it where the Lessonspace API key is kept and paste the new one"),
        ),
    )
}


@dataclass(frozen=True)
class Place:
    """One place that holds the key: its name in the list, its kind, and what the admin gave for it."""

    name: str
    kind: str
    given: str | None = None  # a Teachworks subdomain, or a site's address
    note: str | None = None

    @property
    def preset(self) -> Preset:
        return PRESETS[self.kind]

    @property
    def address(self) -> str | None:
        """The page to open (its key setting where lsdesk knows it)."""
        return self.preset.settings_url(self.given)

    @property
    def how_to(self) -> str:
        """Where the key goes once there: the note the admin wrote, else the preset's click path."""
        return self.note or self.preset.click_path


def make_place(kind: str, given: str = "", *, name: str = "", note: str = "") -> Place:
    """A place from what the admin typed. Raises ValueError with a sentence for anything lsdesk cannot use."""
    if kind not in PRESETS:
        raise ValueError(_("Choose where the key is used from the list."))
    preset = PRESETS[kind]
    name = _text(name) or (preset.label if kind != "other" else "")
    if not name:
        raise ValueError(_("Give the place a name, such as the website or tool it is."))
    given = given.strip()
    if preset.asks == "subdomain":
        given = given.lower().removeprefix("https://").removesuffix("/").removesuffix(".teachworks.com")
        if not _SUBDOMAIN.fullmatch(given):
            raise ValueError(
                _("Type your company's Teachworks address: the part before .teachworks.com, such as democompany.")
            )
    elif preset.asks == "site" and (given or kind != "other"):
        given = check_site_address(given)
    return Place(name, kind, given or None, _text(note) or None)


def check_site_address(typed: str) -> str:
    """A site's address, https for anything but this computer; raises ValueError with a sentence otherwise."""
    text = typed.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if not parts.hostname or " " in text or len(text) > LONGEST_TEXT:
        raise ValueError(_("Type the site's address, such as https://moodle.example.org."))
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise ValueError(_("Use the site's https:// address: lsdesk does not open plain http:// sites."))
    if parts.query or parts.fragment:
        raise ValueError(_("Type only the site's address, without anything after ? or #."))
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _text(typed: str) -> str:
    """Typed text on one line, at most LONGEST_TEXT characters."""
    one_line = " ".join(typed.split())
    if len(one_line) > LONGEST_TEXT:
        raise ValueError(
            ngettext(
                "Keep names and notes under {count} character.",
                "Keep names and notes under {count} characters.",
                LONGEST_TEXT,
            ).format(count=LONGEST_TEXT)
        )
    return one_line


class Places:
    """Each profile's places, one JSON file each in `folder`. A damaged file is logged and read as no places."""

    def __init__(self, folder: Path):
        self.folder = folder

    def of(self, profile: str) -> list[Place]:
        raw = _read_json(self.folder / f"{profile}.json", "the places")
        places = []
        for record in raw if isinstance(raw, list) else []:
            try:
                places.append(
                    make_place(
                        record["kind"],
                        record.get("given") or "",
                        name=record["name"],
                        note=record.get("note") or "",
                    )
                )
            except (KeyError, TypeError, AttributeError, ValueError):
                log.warning("skipped a damaged place of profile %s", profile)
        return places[:MAX_PLACES]

    def set(self, profile: str, places: list[Place]) -> None:
        """Keep `places` for `profile`. Raises ValueError for two places of one name or too many, OSError if
        the file cannot be written."""
        names = [place.name.casefold() for place in places]
        if len(set(names)) != len(names):
            raise ValueError(_("Two places have the same name. Give each place a name of its own."))
        if len(places) > MAX_PLACES:
            raise ValueError(
                ngettext(
                    "lsdesk keeps at most {count} place for an organisation.",
                    "lsdesk keeps at most {count} places for an organisation.",
                    MAX_PLACES,
                ).format(count=MAX_PLACES)
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        replace_atomically(self.folder / f"{profile}.json", json.dumps([asdict(place) for place in places]))


@dataclass(frozen=True)
class Checklist:
    """What is left to do after a rotation to the key ending in `key_ending`."""

    key_ending: str
    rotated_at: datetime
    done: tuple[str, ...] = ()  # the places ticked, by name
    dismissed: bool = False

    def still_to_update(self, places: list[Place]) -> list[Place]:
        return [place for place in places if place.name not in self.done]

    def counts_for(self, saved_key_ending: str | None) -> bool:
        """True while it is about the saved key and the admin has not dismissed it."""
        return not self.dismissed and saved_key_ending == self.key_ending


def still_to_update_sentence(count: int) -> str:
    if count == 0:
        return _("Every place is updated")
    return ngettext("{count} place still to update", "{count} places still to update", count).format(count=count)


class Checklists:
    """Each profile's checklist after its latest rotation, one JSON file each in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def started(self, profile: str, key_ending: str, now: datetime | None = None) -> None:
        """A rotation to the key ending in `key_ending` begins: its checklist is written first (see above).

        A failure is logged, not raised: it costs only the checklist.
        """
        self._write(profile, Checklist(key_ending, now or datetime.now(UTC)))

    def of(self, profile: str) -> Checklist | None:
        record = _read_json(self._path(profile), "the checklist")
        try:
            moment = datetime.fromisoformat(record["rotated_at"])
            done = record.get("done", [])
            if not isinstance(record["key_ending"], str) or not all(isinstance(name, str) for name in done):
                raise TypeError
            return Checklist(
                record["key_ending"][-4:],
                moment if moment.tzinfo else moment.replace(tzinfo=UTC),
                tuple(done),
                record.get("dismissed") is True,
            )
        except (KeyError, TypeError, ValueError):
            if record is not None:
                log.warning("ignored a damaged checklist of profile %s", profile)
            return None

    def tick(self, profile: str, place: str, done: bool = True) -> Checklist | None:
        """Mark `place` updated (or not); returns the checklist as it is now."""
        checklist = self.of(profile)
        if checklist is None:
            return None
        ticked = [name for name in checklist.done if name != place] + ([place] if done else [])
        checklist = replace(checklist, done=tuple(ticked))
        self._write(profile, checklist)
        return checklist

    def dismiss(self, profile: str) -> None:
        checklist = self.of(profile)
        if checklist is not None:
            self._write(profile, replace(checklist, dismissed=True))

    def put_back(self, profile: str, checklist: Checklist | None) -> None:
        """Put back the checklist there was before a rotation that did not happen."""
        if checklist is None:
            self.forget(profile)
        else:
            self._write(profile, checklist)

    def forget(self, profile: str) -> None:
        try:
            self._path(profile).unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not remove the checklist of profile %s: %s", profile, type(error).__name__)

    def _write(self, profile: str, checklist: Checklist) -> None:
        record = {
            "key_ending": checklist.key_ending,
            "rotated_at": checklist.rotated_at.isoformat(),
            "done": list(checklist.done),
            "dismissed": checklist.dismissed,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_atomically(self._path(profile), json.dumps(record))
        except OSError as error:
            log.warning("could not write the checklist of profile %s: %s", profile, type(error).__name__)

    def _path(self, profile: str) -> Path:
        return self.folder / f"{profile}.json"


def _read_json(path: Path, what: str) -> object:
    """The JSON in `path`; None when it is absent, unreadable or damaged (logged, never raised)."""
    try:
        return json.loads(read_plain_file(path, MAX_FILE_BYTES))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("could not read %s in %s: %s", what, path.name, type(error).__name__)
        return None
