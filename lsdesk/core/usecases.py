"""What lsdesk does for a user: check the stored key, check a key, save a key.

The window's worker and the command line both call these, so the rules
(validate before sending, check before storing, read back after storing,
never lose the previous key) are written once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lsdesk.core.answers import rate_limited
from lsdesk.core.api_key import ApiKeyInputError, key_ending, parse_api_key
from lsdesk.core.keystore import KeyStore, KeyStoreError
from lsdesk.core.language import _
from lsdesk.core.organisation_guard import other_organisation
from lsdesk.core.outcome import Outcome, State, outcome
from lsdesk.core.profile_lock import WRITER_WAIT_SECONDS, ProfileLock, busy
from lsdesk.core.store_words import WORDS

if TYPE_CHECKING:
    from lsdesk.core.client import LessonspaceClient
    from lsdesk.core.retry_after import RetryAfterMemory

log = logging.getLogger(__name__)

# The badge right after a save: the admin has just changed the key, so not "(no changes required)".
SAVED_TITLE = _("API key saved")

NOT_SAVED = _("The new key was not saved; your saved key is unchanged.")


@dataclass(frozen=True)
class SaveResult:
    """What a save did. `saved` is True only once the key was stored and read back.

    When it is False, `outcome` says why, and whatever key was stored before
    is still stored. `needs_confirmation` is True when the new key belongs, or
    may belong, to another organisation than the saved one: nothing was
    changed, and the admin may confirm and save again.
    """

    outcome: Outcome
    saved: bool
    needs_confirmation: bool = False


def check_stored_key(
    client: LessonspaceClient, store: KeyStore, profile: str, waits: RetryAfterMemory | None = None
) -> Outcome:
    """Check the key saved for `profile`.

    While a wait Lessonspace asked for (a 429's Retry-After, remembered in
    `waits` by any process) is not over, nothing is sent: the answer is
    `rate_limited` with the time left.
    """
    try:
        key = store.get(profile)
    except KeyStoreError as error:
        return error.outcome
    if key is None:
        return outcome(
            State.NOT_SET,
            _("No API key is saved on this computer yet. Paste your organisation's key and save it."),
        )
    left = waits.remaining(profile) if waits is not None else None
    if left:
        log.info("Lessonspace asked to wait; %.0f s left, so not asking for profile %s", left, profile)
        return rate_limited(left).with_key_ending(key_ending(key))
    result = client.check(key)
    if waits is not None and result.state is State.RATE_LIMITED and result.retry_after:
        waits.remember(profile, result.retry_after)
    return result


def check_key(client: LessonspaceClient, raw: str) -> Outcome:
    """Check a key the user typed, without storing it."""
    try:
        key = parse_api_key(raw)
    except ApiKeyInputError as error:
        return outcome(State.BAD_INPUT, str(error))
    return client.check(key)


def save_key(
    client: LessonspaceClient,
    store: KeyStore,
    profile: str,
    raw: str,
    *,
    lock: ProfileLock | None = None,
    allow_other_organisation: bool = False,
) -> SaveResult:
    """Check a new key with Lessonspace and store it only if it works.

    The key is validated first and sent nowhere if malformed; it is stored
    only once Lessonspace accepts it; after storing, it is read back and
    compared, and a store that did not keep it gets the previous key back.

    `lock` is the profile's lock, the one rotation holds (`KeyDesk` always
    passes it): held from reading the previous key to reading the new one
    back, so a rotation cannot overwrite a key this save reported saved.

    A key that replaces a working one of another organisation (or maybe of
    another: see lsdesk/core/organisation_guard.py) is stored only with
    `allow_other_organisation`; that costs one more check, of the saved key.
    """
    try:
        key = parse_api_key(raw)
    except ApiKeyInputError as error:
        return SaveResult(outcome(State.BAD_INPUT, str(error)), saved=False)
    if lock is None:
        return _save_locked(client, store, profile, key, allow_other_organisation)
    if not lock.acquire(WRITER_WAIT_SECONDS):
        return SaveResult(_with_sentence(busy(), NOT_SAVED, key), saved=False)
    try:
        return _save_locked(client, store, profile, key, allow_other_organisation)
    finally:
        lock.release()


def _save_locked(
    client: LessonspaceClient, store: KeyStore, profile: str, key: str, allow_other_organisation: bool
) -> SaveResult:
    try:
        previous = store.get(profile)
    except KeyStoreError as error:
        return SaveResult(_with_sentence(error.outcome, NOT_SAVED, key), saved=False)

    checked = client.check(key)
    if checked.state is not State.VALID:
        return SaveResult(replace(checked, message=f"{checked.message} {NOT_SAVED}"), saved=False)
    if previous is not None and previous != key and not allow_other_organisation:
        refusal = other_organisation(client.check(previous), checked, "Save")
        if refusal is not None:
            return SaveResult(refusal, saved=False, needs_confirmation=True)

    try:
        store.set(profile, key)
        kept = store.get(profile)
    except KeyStoreError as error:
        return SaveResult(_with_sentence(error.outcome, NOT_SAVED, key), saved=False)
    if kept != key:
        log.warning("the credential store did not keep the key for profile %s; restoring", profile)
        restored = _restore(store, profile, previous)
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        not_kept = _("Your {store} did not keep the new key.").format(store=WORDS.short)
        still_saved = [_("Your previous key is still saved.")] if restored else []
        return SaveResult(
            outcome(
                State.NO_STORAGE,
                " ".join([not_kept, *still_saved, WORDS.unlock]),
                # Translators: {store} is the credential store's short name ("keyring", "Keychain",
                # "Credential Manager").
                title=_("Can't save to your {store}").format(store=WORDS.short),
                key_ending=key_ending(key),
            ),
            saved=False,
        )
    log.info("saved key ending %s for profile %s", key_ending(key), profile)
    return SaveResult(
        replace(
            checked,
            title=SAVED_TITLE,
            # Translators: {store} is where the key is kept, such as "Windows Credential Manager" or
            # "your macOS Keychain".
            message=_("Saved in {store}. Lessonspace accepted this key.").format(store=store.description),
        ),
        saved=True,
    )


def _restore(store: KeyStore, profile: str, previous: str | None) -> bool:
    try:
        if previous is None:
            store.delete(profile)
        else:
            store.set(profile, previous)
        return store.get(profile) == previous and previous is not None
    except KeyStoreError:
        log.warning("could not restore the previous key for profile %s", profile)
        return False


def _with_sentence(result: Outcome, sentence: str, key: str) -> Outcome:
    return replace(result, message=f"{result.message} {sentence}", key_ending=key_ending(key))
