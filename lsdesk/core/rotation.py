"""Rotating the API key without ever losing a working one.

Lessonspace has no endpoint that rotates a key: the admin generates a new
one in the dashboard, and lsdesk swaps it in. The swap is careful:

1. the saved key must be valid, and Lessonspace must accept the new key
   (for the same organisation, unless the admin says otherwise);
2. the new key is written to a spare slot of the credential store, and the
   old key to another, each read back; only then is the new key written to
   the main slot and read back;
3. only then are the extra slots removed.

A small journal (the step reached, key endings, never a key) records the
way through these steps, so that if lsdesk is killed half-way the next
launch finds every slot, asks Lessonspace which key works, and finishes or
rolls back: at every moment both keys are in the keychain. The profile's lock
(lsdesk/core/profile_lock.py) keeps a save or a second rotation from running
beside it.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lsdesk.core.api_key import ApiKeyInputError, key_ending, parse_api_key
from lsdesk.core.keystore import KeyStore, KeyStoreError
from lsdesk.core.language import _
from lsdesk.core.organisation_guard import other_organisation
from lsdesk.core.outcome import Organisation, Outcome, State, outcome
from lsdesk.core.profile_lock import WRITER_WAIT_SECONDS, ProfileLock, busy
from lsdesk.core.small_file import read_plain_file, replace_atomically
from lsdesk.core.store_words import WORDS

if TYPE_CHECKING:
    from lsdesk.core.client import LessonspaceClient

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

# A journal is about 200 bytes; anything far bigger is not one.
_MAX_JOURNAL_BYTES = 4096

ELSEWHERE = _("Update the key anywhere else it is used, such as your Teachworks settings.")


class OldKey(enum.Enum):
    """What Lessonspace said about the old key once the new one was saved."""

    REJECTED = "rejected"
    STILL_VALID = "still_valid"
    UNKNOWN = "unknown"


class Step(enum.Enum):
    STAGING_NEW = "staging_new"
    BACKING_UP = "backing_up"
    STORING_NEW = "storing_new"
    CLEANING_UP = "cleaning_up"


class FollowUp(enum.Enum):
    """What the admin can do next, after a rotation: each is one line of the result, with its own button."""

    REVOKE_OLD_KEY = "revoke_old_key"  # in the Lessonspace dashboard
    UPDATE_ELSEWHERE = "update_elsewhere"  # paste the new key where the old one is used


@dataclass(frozen=True)
class RotationResult:
    """`rotated` is True once the new key is saved and the old slot is gone.

    `needs_confirmation` is True when the new key belongs, or may belong, to
    another organisation: nothing was changed, and the admin may confirm and
    retry (lsdesk/core/organisation_guard.py).

    After a rotation, `done` says what was done and `follow_ups` what is left
    to do, each as a sentence; `outcome.message` is all of them in a row.
    """

    outcome: Outcome
    rotated: bool
    old_key: OldKey | None = None
    needs_confirmation: bool = False
    done: str = ""
    follow_ups: tuple[tuple[FollowUp | None, str], ...] = ()


# '#' never occurs in a profile name, so these slots cannot collide with one.
def backup_slot(profile: str) -> str:
    """Holds the old key while a rotation runs."""
    return f"{profile}#previous"


def pending_slot(profile: str) -> str:
    """Holds the new key while a rotation runs."""
    return f"{profile}#next"


class RotationJournal:
    """One small JSON file per profile that is being rotated, and its lock."""

    def __init__(self, folder: Path):
        self.folder = folder

    def lock(self, profile: str) -> ProfileLock:
        return ProfileLock(self.folder / f"{profile}.lock")

    def write(self, profile: str, step: Step, *, old: str, new: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {
            "profile": profile,
            "step": step.value,
            "old_key_ending": key_ending(old),
            "new_key_ending": key_ending(new),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        # Durable, so that a power cut can neither skip recovery nor leave half a journal to read.
        replace_atomically(self._path(profile), json.dumps(record))

    def read(self, profile: str) -> dict | None:
        """The journal's record; None if there is none; {"step": "unknown"} if it can't be read.

        An unreadable journal (damaged, too big, a FIFO, a folder or a link in
        its place) still means "look at the slots": recovery works from them.
        """
        unreadable = {"profile": profile, "step": "unknown"}
        try:
            data = read_plain_file(self._path(profile), _MAX_JOURNAL_BYTES)
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("the rotation journal of profile %s is unreadable: %s", profile, type(error).__name__)
            return unreadable
        try:
            record = json.loads(data)
        except (ValueError, RecursionError):
            log.warning("the rotation journal of profile %s is damaged", profile)
            return unreadable
        return record if isinstance(record, dict) else unreadable

    def clear(self, profile: str) -> None:
        """Remove the journal. Never raises: what can't be removed (a folder in its
        place, say) is only logged, and read as unreadable next time."""
        try:
            self._path(profile).unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not remove the rotation journal of profile %s: %s", profile, type(error).__name__)

    def _path(self, profile: str) -> Path:
        return self.folder / f"{profile}.json"


def rotate_key(
    client: LessonspaceClient,
    store: KeyStore,
    profile: str,
    raw_new_key: str,
    journal: RotationJournal,
    *,
    current: Outcome | None = None,
    allow_other_organisation: bool = False,
    progress: Progress = lambda _step: None,
) -> RotationResult:
    """Replace the saved key of `profile` with a new one, as described above.

    `current` is a check of the saved key made when the rotation began (the
    window checks before it offers Rotate); without it the saved key is
    checked now. It must have been valid: generating the new key may revoke
    the old one at once, so it is not asked again before the swap.
    """
    try:
        new_key = parse_api_key(raw_new_key)
    except ApiKeyInputError as error:
        return RotationResult(outcome(State.BAD_INPUT, str(error)), rotated=False)

    lock = journal.lock(profile)
    if not lock.acquire(WRITER_WAIT_SECONDS):
        return RotationResult(busy(), rotated=False)
    try:
        return _rotate_locked(client, store, profile, new_key, journal, current, allow_other_organisation, progress)
    finally:
        lock.release()


def _rotate_locked(
    client: LessonspaceClient,
    store: KeyStore,
    profile: str,
    new_key: str,
    journal: RotationJournal,
    current: Outcome | None,
    allow_other_organisation: bool,
    progress: Progress,
) -> RotationResult:
    try:
        old_key = store.get(profile)
    except KeyStoreError as error:
        return RotationResult(error.outcome, rotated=False)
    if old_key is None:
        return RotationResult(
            outcome(
                State.NOT_SET, _("No API key is saved yet, so there is nothing to rotate. Save the new key instead.")
            ),
            rotated=False,
        )
    if old_key == new_key:
        return RotationResult(
            outcome(
                State.BAD_INPUT,
                _("That is the key already saved. Generate a new key in Lessonspace, then paste it here."),
            ),
            rotated=False,
        )
    if current is None:
        progress(_("Checking the saved key with Lessonspace..."))
        current = client.check(old_key)
    if current.state is not State.VALID:
        if current.state is State.REJECTED:
            current = replace(
                current,
                message=_("The saved key no longer works, so there is nothing to rotate: save the new key instead."),
            )
        return RotationResult(current, rotated=False)

    progress(_("Checking the new key with Lessonspace..."))
    checked = client.check(new_key)
    if checked.state is not State.VALID:
        # Translators: {reason} is a sentence saying why the new key was not used.
        unchanged = _("{reason} Your saved key is unchanged.").format(reason=checked.message)
        return RotationResult(replace(checked, message=unchanged), rotated=False)
    if not allow_other_organisation:
        refusal = other_organisation(current, checked, "Rotate")
        if refusal is not None:
            return RotationResult(refusal, rotated=False, needs_confirmation=True)

    progress(_("Saving the new key..."))
    stored = _swap_keys(store, profile, old_key, new_key, journal)
    if stored is not None:
        return RotationResult(stored, rotated=False)

    progress(_("Checking whether the old key still works..."))
    old_state = _old_key_state(client.check(old_key))
    log.info("rotated profile %s to key ending %s; old key %s", profile, key_ending(new_key), old_state.value)
    # Translators: {store} is where the key is kept, such as "Windows Credential Manager" or "your macOS Keychain".
    done = _("The new key is saved in {store}.").format(store=store.description)
    follow_ups = (
        (
            None if old_state is OldKey.REJECTED else FollowUp.REVOKE_OLD_KEY,
            _old_key_sentence(old_state, _other_organisation_of(current, checked)),
        ),
        (FollowUp.UPDATE_ELSEWHERE, ELSEWHERE),
    )
    return RotationResult(
        replace(checked, title=_("API key rotated"), message=" ".join([done, *(text for _, text in follow_ups)])),
        rotated=True,
        old_key=old_state,
        done=done,
        follow_ups=follow_ups,
    )


def _swap_keys(store: KeyStore, profile: str, old_key: str, new_key: str, journal: RotationJournal) -> Outcome | None:
    """Do the store steps; None when done, else an Outcome saying what failed.

    On failure the old key is in the main slot again wherever possible.
    """
    # The new key goes into the keychain first: from then on, a crash at
    # any moment leaves it there for the next launch to find.
    steps = (
        (Step.STAGING_NEW, pending_slot(profile), new_key),
        (Step.BACKING_UP, backup_slot(profile), old_key),
        (Step.STORING_NEW, profile, new_key),
    )
    try:
        for step, slot, key in steps:
            journal.write(profile, step, old=old_key, new=new_key)
            store.set(slot, key)
            if store.get(slot) != key:
                return _store_refused(store, profile, old_key, journal)
    except KeyStoreError as error:
        settled = _roll_back(store, profile, old_key, journal)
        return replace(error.outcome, message=f"{error.outcome.message} {_after_failure(settled)}")
    except OSError as error:
        log.warning("could not write the rotation journal: %s", type(error).__name__)
        settled = _roll_back(store, profile, old_key, journal)
        return outcome(
            State.NO_STORAGE,
            # Translators: {folder} is a folder on this computer; {what_now} a sentence saying where the keys are.
            _("lsdesk could not write its own files in {folder}. {what_now}").format(
                folder=journal.folder, what_now=_after_failure(settled)
            ),
            title=_("Can't save lsdesk's files"),
        )
    # The new key is saved and read back: the rotation is done. Tidying up may
    # fail now without undoing it; the next start removes what is left, quietly.
    try:
        journal.write(profile, Step.CLEANING_UP, old=old_key, new=new_key)
        _clean_up(store, profile, journal)
    except (KeyStoreError, OSError) as error:
        log.warning("could not remove the spare copies of profile %s's rotation yet: %s", profile, type(error).__name__)
    return None


def _clean_up(store: KeyStore, profile: str, journal: RotationJournal) -> None:
    store.delete(backup_slot(profile))
    store.delete(pending_slot(profile))
    journal.clear(profile)


_NEW_KEY_NOT_SAVED = _(
    "The new key was not saved and your old key is still saved. Copy the new key so you don't lose it, then try again."
)
_UNSETTLED = _(
    # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
    "Your {store} is not keeping keys reliably, so lsdesk kept every key it had and will settle this "
    "the next time it starts. Copy the new key so you don't lose it."
).format(store=WORDS.short)


def _after_failure(settled: bool) -> str:
    """What a failed swap left behind, in words."""
    return _NEW_KEY_NOT_SAVED if settled else _UNSETTLED


def _old_key_sentence(state: OldKey, organisation: Organisation | None) -> str:
    """What became of the old key; naming its organisation when the new key is another organisation's."""
    if organisation is not None:
        whose = organisation.describe()
        if state is OldKey.REJECTED:
            # Translators: {organisation} is an organisation, such as "Northside Tutors (id 42)".
            return _("The old key, for {organisation}, no longer works.").format(organisation=whose)
        if state is OldKey.STILL_VALID:
            return _(
                # Translators: {organisation} is an organisation, such as "Northside Tutors (id 42)". "Settings >
                # Developer" is Lessonspace's own menu, which is in English: keep it as written.
                "The old key, for {organisation}, still works: revoke it in that organisation's Lessonspace "
                "dashboard (Settings > Developer)."
            ).format(organisation=whose)
        return _(
            # Translators: {organisation} is an organisation, such as "Northside Tutors (id 42)".
            "Couldn't tell whether the old key, for {organisation}, still works: check it in that organisation's "
            "Lessonspace dashboard."
        ).format(organisation=whose)
    if state is OldKey.REJECTED:
        return _("The old key no longer works.")
    if state is OldKey.STILL_VALID:
        # Translators: "Settings > Developer" is Lessonspace's own menu, which is in English: keep it as written.
        return _("The old key still works: revoke it in the Lessonspace dashboard (Settings > Developer).")
    return _("Couldn't tell whether the old key still works: check it in the Lessonspace dashboard.")


def _other_organisation_of(old: Outcome, new: Outcome) -> Organisation | None:
    """The old key's organisation, if the new key is known to be another's."""
    if old.organisation and new.organisation and old.organisation.id != new.organisation.id:
        return old.organisation
    return None


def _old_key_state(result: Outcome) -> OldKey:
    if result.state is State.REJECTED:
        return OldKey.REJECTED
    if result.state is State.VALID:
        return OldKey.STILL_VALID
    return OldKey.UNKNOWN


def _store_refused(store: KeyStore, profile: str, old_key: str, journal: RotationJournal) -> Outcome:
    log.warning("the credential store did not keep a value during rotation of profile %s", profile)
    settled = _roll_back(store, profile, old_key, journal)
    return outcome(
        State.NO_STORAGE,
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager");
        # {what_now} a sentence saying where the keys are.
        _("Your {store} did not keep the new key. {what_now}").format(
            store=WORDS.short, what_now=_after_failure(settled)
        ),
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        title=_("Can't save to your {store}").format(store=WORDS.short),
    )


def _roll_back(store: KeyStore, profile: str, old_key: str, journal: RotationJournal) -> bool:
    """Put the old key back in the main slot and drop the extra slots; True if done.

    If the store fails even now, the journal stays: the next launch finishes
    the job, and the old key is still in one slot or another.
    """
    try:
        if store.get(profile) != old_key:
            store.set(profile, old_key)
        if store.get(profile) == old_key:
            _clean_up(store, profile, journal)
            return True
    except (KeyStoreError, OSError):
        pass
    log.warning("rolling back the rotation of profile %s failed; it will be finished at next launch", profile)
    return False


NO_KEY_ACCEPTED = _(
    "A key rotation was interrupted, and Lessonspace accepted none of its keys just now, so lsdesk kept every key "
    "and will try again at the next start or check."
)
OFFLINE_DURING_RECOVERY = _(
    "A key rotation was interrupted, and lsdesk could not get a clear answer from Lessonspace, so it kept every key "
    "and will try again at the next start or check."
)
FINISHED = _("A key rotation was interrupted after the new key was saved; lsdesk finished it and the new key is saved.")
ROLLED_BACK = _("A key rotation was interrupted, and Lessonspace refused the new key, so lsdesk kept the old one.")
BEFORE_NEW_SAVED = _(
    "A key rotation was interrupted before the new key was saved. Your saved key is unchanged; "
    "rotate again when you are ready."
)
NOT_KEPT_BACK = _(
    # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
    "A key rotation was interrupted, and your {store} did not keep the key lsdesk put back, so lsdesk "
    "kept every key and will try again at the next start or check."
).format(store=WORDS.short)


def recover_rotation(client: LessonspaceClient, store: KeyStore, profile: str, journal: RotationJournal) -> str | None:
    """Finish or roll back a rotation that was interrupted.

    Returns a sentence saying what was done, or None if there was nothing to
    recover (or nothing worth telling: a rotation that had saved the new key
    and was only tidying up is finished quietly). A rotation that another
    process is still running is left alone.

    The extra slots are looked at even without a journal (lost, unreadable,
    or never reached the disk): a key in `#next` or `#previous` is treated as
    an interrupted rotation. With nothing to recover this costs two reads of
    the keychain and no request to Lessonspace.
    """
    lock = journal.lock(profile)
    if not lock.acquire():
        return None  # not interrupted: another process is at work
    try:
        record = journal.read(profile)
        if record is None:
            try:
                if store.get(pending_slot(profile)) is None and store.get(backup_slot(profile)) is None:
                    return None
            except KeyStoreError:
                return None  # the check that follows reports the keychain's trouble
            log.warning("profile %s has rotation slots but no rotation journal; recovering", profile)
            record = {}
        return _recover_locked(client, store, profile, journal, record)
    except KeyStoreError as error:
        log.warning("could not recover the rotation of profile %s", profile)
        # Translators: {problem} is a sentence about the credential store's trouble, and what to do.
        return _("A key rotation was interrupted and could not be finished yet. {problem}").format(
            problem=error.outcome.message
        )
    except OSError as error:
        log.warning("could not clear the rotation journal of profile %s: %s", profile, type(error).__name__)
        return None  # every key is where it should be; the journal is cleared next time
    finally:
        lock.release()


def _recover_locked(
    client: LessonspaceClient, store: KeyStore, profile: str, journal: RotationJournal, record: dict
) -> str | None:
    """Keep the newest key Lessonspace accepts; delete only keys it refused.

    A slot is deleted only when Lessonspace positively refused its key
    (REJECTED) while another slot's key was accepted in this same recovery,
    or when it holds the very key being kept. Any other answer (offline, a
    proxy's page, every key refused, as a web filter or an incident can make
    it look) keeps every slot and the journal for the next try.
    """
    main_key, old_key, new_key = store.get(profile), store.get(backup_slot(profile)), store.get(pending_slot(profile))
    log.info("recovering an interrupted rotation of profile %s", profile)
    # Newest first: the new key wins whenever Lessonspace accepts it.
    candidates = list(dict.fromkeys(key for key in (new_key, main_key, old_key) if key))
    if not candidates:
        journal.clear(profile)
        return _("A key rotation was interrupted, and no key was found to keep.")
    if main_key is not None and main_key == new_key and record.get("step") == Step.CLEANING_UP.value:
        # The rotation had saved the new key and read it back, and was removing its
        # spare copies: it completed, so there is nothing to tell.
        log.info("finishing the clean-up of profile %s's completed rotation", profile)
        return _keep(store, profile, journal, main_key, None)
    if len(candidates) == 1:
        # One key in every slot that holds one: nothing to choose, nothing refused.
        kept = candidates[0]
        if new_key is None and old_key is None and record.get("step") != Step.STAGING_NEW.value:
            # Only the saved key is left, and the journal cannot say more (damaged,
            # or left behind once the slots were clean): nothing was interrupted.
            log.info("removing a rotation journal of profile %s that has nothing left to recover", profile)
            return _keep(store, profile, journal, kept, None)
        return _keep(store, profile, journal, kept, _kept_message(kept, new_key, refused_new=False))

    # With the staged copy already gone, a main key other than the backed-up old
    # one can only be the new key, already in place.
    newest = new_key or (main_key if old_key is not None and main_key != old_key else None)
    for key in candidates:
        state = client.check(key).state
        if state is State.VALID:
            return _keep(store, profile, journal, key, _kept_message(key, newest, refused_new=key != newest))
        if state is not State.REJECTED:
            log.info("recovery of profile %s got %s from Lessonspace; keeping every key", profile, state.value)
            return OFFLINE_DURING_RECOVERY
    log.warning("Lessonspace accepted none of the keys of profile %s's rotation; keeping every key", profile)
    return NO_KEY_ACCEPTED


def _keep(store: KeyStore, profile: str, journal: RotationJournal, key: str, message: str | None) -> str | None:
    """Make `key` the saved key and drop the extra slots; every key stays if the keychain did not keep it."""
    if store.get(profile) != key:
        store.set(profile, key)
    if store.get(profile) != key:
        return NOT_KEPT_BACK
    _clean_up(store, profile, journal)
    return message


def _kept_message(kept: str, new_key: str | None, *, refused_new: bool) -> str:
    """Which key was kept, told by comparing it with the staged new key (never by endings)."""
    if new_key is not None and kept == new_key:
        return FINISHED
    if refused_new:
        return ROLLED_BACK
    return BEFORE_NEW_SAVED
