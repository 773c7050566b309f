"""Everything lsdesk does for one profile, as the window and the command line use it.

`KeyDesk` puts the use cases together with what surrounds each of them: an
interrupted rotation is finished or rolled back before the saved key is
used, and every check, save and rotation of the saved key goes into the
history.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lsdesk.core import paths, usecases
from lsdesk.core.api_key import ApiKeyInputError, key_ending, parse_api_key
from lsdesk.core.history import HISTORY_FILE, History
from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.keystore import KeyStore, KeyStoreError
from lsdesk.core.language import _
from lsdesk.core.lessons import LessonsSince
from lsdesk.core.outcome import Outcome, State, outcome
from lsdesk.core.places import CHECKLISTS_FOLDER, Checklists
from lsdesk.core.profile_lock import busy
from lsdesk.core.profiles import noted_profile_names
from lsdesk.core.retry_after import RetryAfterMemory
from lsdesk.core.rotation import (
    Progress,
    RotationJournal,
    RotationResult,
    backup_slot,
    pending_slot,
    recover_rotation,
    rotate_key,
)

if TYPE_CHECKING:
    from lsdesk.core.client import LessonspaceClient

log = logging.getLogger(__name__)

# States of a check that are about the saved key itself: no question about lessons follows them.
KEY_ITSELF = frozenset({State.REJECTED, State.NOT_SET, State.NO_STORAGE, State.BAD_INPUT, State.UNFINISHED})
SINCE_UNKNOWN = _(
    "lsdesk doesn't know when this key was saved (it was saved before lsdesk noted dates), "
    "so it can't count the lessons since. Saving or rotating the key starts its date."
)


class KeyDesk:
    def __init__(
        self,
        client: LessonspaceClient,
        store: KeyStore,
        profile: str,
        *,
        journal: RotationJournal,
        history: History,
        waits: RetryAfterMemory | None = None,
    ):
        self.client = client
        self.store = store
        self.profile = profile
        self.journal = journal
        self.history = history
        # Lessonspace's requests to wait and the keys' dates, beside the journals: in the state folder
        # for the window and the command line alike, in the sandbox's own folder for the sandbox.
        self.waits = waits if waits is not None else RetryAfterMemory(journal.folder / "retry-after")
        self.key_dates = KeyDates(journal.folder.parent / KEY_DATES_FOLDER)
        self.checklists = Checklists(journal.folder.parent / CHECKLISTS_FOLDER)

    @classmethod
    def in_user_folders(cls, client: LessonspaceClient, store: KeyStore, profile: str) -> KeyDesk:
        """A desk keeping its journal and history in the platform's usual folders."""
        return cls(
            client,
            store,
            profile,
            journal=RotationJournal(paths.state_dir() / "rotation"),
            history=History(paths.data_dir() / HISTORY_FILE),
        )

    def recover(self) -> str | None:
        """Finish or roll back an interrupted rotation; a sentence saying what was done, or None."""
        return recover_rotation(self.client, self.store, self.profile, self.journal)

    def check_stored(self) -> Outcome:
        result = usecases.check_stored_key(self.client, self.store, self.profile, self.waits)
        self.history.record("check", self.profile, result)
        return replace(result, key_saved_at=self.key_dates.saved_at(self.profile, result.key_ending))

    def save(self, raw_key: str, *, allow_other_organisation: bool = False) -> usecases.SaveResult:
        result = usecases.save_key(
            self.client,
            self.store,
            self.profile,
            raw_key,
            lock=self.journal.lock(self.profile),
            allow_other_organisation=allow_other_organisation,
        )
        if result.saved:
            self.waits.forget(self.profile)  # Lessonspace's wait was for the key just replaced
            result = replace(result, outcome=self._note_saved(result.outcome))
        self.history.record("save", self.profile, result.outcome)
        return result

    def rotate(
        self,
        raw_new_key: str,
        *,
        current: Outcome | None = None,
        allow_other_organisation: bool = False,
        progress: Progress = lambda _step: None,
    ) -> RotationResult:
        # The new key's checklist is written before anything changes, so that a rotation a crash interrupts
        # and recovery finishes has one (lsdesk/core/places.py); a rotation that does not happen keeps the last.
        previous = self.checklists.of(self.profile)
        try:
            new_ending = key_ending(parse_api_key(raw_new_key))
        except ApiKeyInputError:
            new_ending = None  # refused below, with its reason
        if new_ending:
            self.checklists.started(self.profile, new_ending)
        result = rotate_key(
            self.client,
            self.store,
            self.profile,
            raw_new_key,
            self.journal,
            current=current,
            allow_other_organisation=allow_other_organisation,
            progress=progress,
        )
        if result.rotated:
            self.waits.forget(self.profile)
            result = replace(result, outcome=self._note_saved(result.outcome))
        elif new_ending:
            self.checklists.put_back(self.profile, previous)
        self.history.record("rotate", self.profile, result.outcome)
        return result

    def _note_saved(self, saved: Outcome) -> Outcome:
        if not saved.key_ending:
            return saved
        noted = self.key_dates.saved(self.profile, saved.key_ending, organisation=saved.organisation)
        return replace(saved, key_saved_at=noted)

    def lessons(self, since: datetime | None = None) -> tuple[Outcome, LessonsSince | None]:
        """The saved key's check, and how many lessons have started since `since` (default: since the key was
        saved or rotated to). None instead of a count when the key itself is refused or missing, or when
        lsdesk does not know when it was saved."""
        checked = self.check_stored()
        if checked.state in KEY_ITSELF:
            return checked, None
        since = since or checked.key_saved_at
        if since is None:
            return outcome(State.BAD_INPUT, SINCE_UNKNOWN), None
        if checked.state is not State.VALID or checked.organisation is None:
            return checked, LessonsSince(since, None, checked if checked.state is not State.VALID else None)
        try:
            key = self.store.get(self.profile)
        except KeyStoreError as error:  # the keychain failed between the check and now
            return error.outcome, None
        if key is None:
            return outcome(State.NOT_SET, _("No key is saved any more.")), None
        return checked, self.client.lessons_since(key, checked.organisation.id, since)

    def read_saved_key(self) -> str | Outcome:
        """The saved key itself, for the admin's explicit Copy; an Outcome when there is none to read."""
        try:
            key = self.store.get(self.profile)
        except KeyStoreError as error:
            return error.outcome
        if key is None:
            return outcome(State.NOT_SET, _("No key is saved, so there is nothing to copy."))
        log.info("the saved key of profile %s was read to be copied", self.profile)
        return key

    def forget(self) -> Outcome:
        """Remove the saved key, and any spare copy a rotation left, from the keychain.

        Takes the profile's lock like a save or a rotation, so it cannot
        remove a key another lsdesk is putting in place.
        """
        lock = self.journal.lock(self.profile)
        if not lock.acquire():
            return busy()
        try:
            for slot in (self.profile, pending_slot(self.profile), backup_slot(self.profile)):
                self.store.delete(slot)
            self.journal.clear(self.profile)
            self.key_dates.forget(self.profile)
            self.checklists.forget(self.profile)
        except KeyStoreError as error:
            return error.outcome
        except OSError as error:
            # Every slot is empty; a journal left behind finds nothing to recover.
            log.warning("could not remove the rotation journal of profile %s: %s", self.profile, type(error).__name__)
        finally:
            lock.release()
        result = outcome(
            State.NOT_SET,
            _(
                # Translators: {store} is where the key was kept, such as "Windows Credential Manager" or
                # "your macOS Keychain".
                "The saved key was removed from {store}. Paste your organisation's key and save it to use lsdesk again."
            ).format(store=self.store.description),
            title=_("API key removed"),
        )
        self.history.record("forget", self.profile, result)
        return result


# Between two profiles' checks: Lessonspace's limit is per key, and one request a second is polite.
PROFILE_PACING_S = 1.0


def check_each(
    open_desk: Callable[[str], KeyDesk],
    names: Iterable[str],
    *,
    pause: Callable[[float], object] = time.sleep,
) -> Iterator[tuple[str, str | None, Outcome]]:
    """Check each profile's saved key in turn, an interrupted rotation settled first, paced apart:
    (profile, what the recovery did or None, the check's outcome) for each.

    `pause(seconds)` waits between two profiles; a true answer stops the rest (lsdesk is closing).
    """
    for index, name in enumerate(names):
        if index and pause(PROFILE_PACING_S):
            return
        desk = open_desk(name)
        notice = desk.recover()
        yield name, notice, desk.check_stored()


def saved_profiles(store: KeyStore, state_folder: Path) -> list[str]:
    """Every profile with a key saved in `store`, by name: `default`, and each profile lsdesk has a
    date or a remembered status for (the credential store itself cannot be listed on every system).

    Raises KeyStoreError when the store cannot be read.
    """
    return [name for name in noted_profile_names(state_folder) if store.get(name) is not None]
