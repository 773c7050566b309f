"""Rotation against the sandbox: every fault leaves a working key stored or in hand."""

from __future__ import annotations

import logging

import pytest

from lsdesk.core.keystore import MemoryKeyStore, SystemKeyStore, credential_service
from lsdesk.core.outcome import State
from lsdesk.core.profile_lock import BUSY_MESSAGE
from lsdesk.core.rotation import (
    OldKey,
    RotationJournal,
    Step,
    backup_slot,
    pending_slot,
    recover_rotation,
    rotate_key,
)
from lsdesk.sandbox import DEMO_KEY
from tests.flaky_keyring import FlakyBackend

PROFILE = "default"
UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def journal(tmp_path):
    return RotationJournal(tmp_path / "rotation")


@pytest.fixture
def store():
    keys = MemoryKeyStore()
    keys.set(PROFILE, DEMO_KEY)
    return keys


def assert_only_old_key_kept(store, journal):
    assert store.get(PROFILE) == DEMO_KEY
    assert store.get(backup_slot(PROFILE)) is None
    assert store.get(pending_slot(PROFILE)) is None
    assert journal.read(PROFILE) is None


def test_rotation_with_the_old_key_revoked_stores_the_new_one_and_says_so(client, store, journal, sandbox):
    before = client.check(DEMO_KEY)  # the check that offered Rotate
    new_key = sandbox.generate_key(revoke_previous=True)
    steps = []
    result = rotate_key(client, store, PROFILE, new_key, journal, current=before, progress=steps.append)
    assert result.rotated
    assert result.old_key is OldKey.REJECTED
    assert result.outcome.state is State.VALID
    assert result.outcome.title == "API key rotated"
    assert "The old key no longer works." in result.outcome.message
    assert result.outcome.key_ending == new_key[-4:]
    assert store.get(PROFILE) == new_key
    assert store.get(backup_slot(PROFILE)) is None
    assert journal.read(PROFILE) is None
    assert steps[-1] == "Checking whether the old key still works..."


def test_rotation_with_the_old_key_still_working_says_to_revoke_it(client, store, journal, sandbox):
    result = rotate_key(client, store, PROFILE, sandbox.generate_key(), journal)
    assert result.rotated
    assert result.old_key is OldKey.STILL_VALID
    assert "revoke it in the Lessonspace dashboard" in result.outcome.message


def test_rotation_that_cannot_check_the_old_key_says_it_could_not_tell(client, store, journal, sandbox):
    def cut_the_network(step):
        if step.startswith("Checking whether the old key"):
            sandbox.faults.drop_connection = True

    new_key = sandbox.generate_key()
    result = rotate_key(client, store, PROFILE, new_key, journal, progress=cut_the_network)
    assert result.rotated
    assert result.old_key is OldKey.UNKNOWN
    assert "Couldn't tell" in result.outcome.message
    assert store.get(PROFILE) == new_key


def test_rejected_new_key_changes_nothing(client, store, journal):
    result = rotate_key(client, store, PROFILE, UNKNOWN_KEY, journal)
    assert not result.rotated
    assert result.outcome.state is State.REJECTED
    assert "Your saved key is unchanged." in result.outcome.message
    assert_only_old_key_kept(store, journal)


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        ({"drop_connection": True}, State.OFFLINE),
        ({"status": 502}, State.SERVER_ERROR),
        ({"status": 429}, State.RATE_LIMITED),
    ],
)
def test_network_problems_stop_rotation_with_the_old_key_untouched(client, store, journal, sandbox, fault, state):
    new_key = sandbox.generate_key()
    sandbox.faults.update(fault)
    result = rotate_key(client, store, PROFILE, new_key, journal)
    assert not result.rotated
    assert result.outcome.state is state
    assert_only_old_key_kept(store, journal)


def test_without_an_earlier_check_a_revoked_saved_key_means_save_instead(client, store, journal, sandbox):
    new_key = sandbox.generate_key(revoke_previous=True)
    result = rotate_key(client, store, PROFILE, new_key, journal)
    assert result.outcome.state is State.REJECTED
    assert "save the new key instead" in result.outcome.message
    assert_only_old_key_kept(store, journal)


def test_rotation_needs_a_valid_saved_key(client, journal, sandbox):
    store = MemoryKeyStore()
    store.set(PROFILE, UNKNOWN_KEY)
    result = rotate_key(client, store, PROFILE, sandbox.generate_key(), journal)
    assert result.outcome.state is State.REJECTED
    assert "nothing to rotate" in result.outcome.message
    assert store.get(PROFILE) == UNKNOWN_KEY


def test_rotation_with_nothing_saved_is_not_set(client, journal, sandbox):
    result = rotate_key(client, MemoryKeyStore(), PROFILE, sandbox.generate_key(), journal)
    assert result.outcome.state is State.NOT_SET


def test_the_same_key_again_is_bad_input(client, store, journal):
    result = rotate_key(client, store, PROFILE, DEMO_KEY, journal)
    assert result.outcome.state is State.BAD_INPUT
    assert "already saved" in result.outcome.message


def test_malformed_new_key_sends_nothing(client, store, journal, sandbox):
    result = rotate_key(client, store, PROFILE, "Bearer x", journal)
    assert result.outcome.state is State.BAD_INPUT
    assert sandbox.request_count == 0


def test_a_key_for_another_organisation_needs_confirmation(client, store, journal, sandbox):
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    refused = rotate_key(client, store, PROFILE, other_key, journal)
    assert refused.needs_confirmation and not refused.rotated
    assert refused.outcome.state is State.BAD_INPUT
    assert "Other Academy (id 5151), not Demo Tutoring Co (id 4242)" in refused.outcome.message
    assert_only_old_key_kept(store, journal)
    confirmed = rotate_key(client, store, PROFILE, other_key, journal, allow_other_organisation=True)
    assert confirmed.rotated
    assert confirmed.outcome.organisation.id == 5151
    assert store.get(PROFILE) == other_key


@pytest.mark.parametrize(
    "backend",
    [
        FlakyBackend(fail_set_for=frozenset({backup_slot(PROFILE)})),
        FlakyBackend(fail_set_for=frozenset({pending_slot(PROFILE)})),
        FlakyBackend(fail_set_for=frozenset({PROFILE})),
    ],
    ids=["backup-write-fails", "staging-write-fails", "new-key-write-fails"],
)
def test_a_keychain_that_refuses_a_write_keeps_the_old_key(client, journal, sandbox, backend, caplog):
    backend.values[(credential_service(PROFILE), PROFILE)] = DEMO_KEY
    store = SystemKeyStore(backend=backend)
    with caplog.at_level(logging.WARNING):
        result = rotate_key(client, store, PROFILE, sandbox.generate_key(revoke_previous=False), journal)
    assert "credential store save failed" in caplog.text
    assert not result.rotated
    assert result.outcome.state is State.NO_STORAGE
    assert "Copy the new key so you don't lose it" in result.outcome.message
    assert_only_old_key_kept(store, journal)


def test_a_keychain_that_does_not_keep_the_new_key_gets_the_old_one_back(client, journal, sandbox, caplog):
    backend = FlakyBackend()
    store = SystemKeyStore(backend=backend)
    store.set(PROFILE, DEMO_KEY)
    new_key = sandbox.generate_key()

    original_set = backend.set_password

    def losing_set(service, username, password):
        original_set(service, username, "garbled" if password == new_key else password)

    backend.set_password = losing_set
    with caplog.at_level(logging.WARNING):
        result = rotate_key(client, store, PROFILE, new_key, journal)
    assert not result.rotated
    assert "did not keep the new key" in result.outcome.message
    assert_only_old_key_kept(store, journal)


def test_a_second_rotation_of_the_same_profile_is_refused_while_one_runs(client, store, journal, sandbox):
    with journal.lock(PROFILE):
        result = rotate_key(client, store, PROFILE, sandbox.generate_key(), journal)
    assert result.outcome.message == BUSY_MESSAGE
    assert_only_old_key_kept(store, journal)


# Recovery: the state a killed rotation leaves behind, set up by hand.


def interrupted(store, journal, *, new_key, main, backup=None, pending=None, step=Step.STORING_NEW):
    journal.write(PROFILE, step, old=DEMO_KEY, new=new_key)
    if main is None:
        store.delete(PROFILE)
    else:
        store.set(PROFILE, main)
    for slot, key in ((backup_slot(PROFILE), backup), (pending_slot(PROFILE), pending)):
        if key is not None:
            store.set(slot, key)


def assert_recovered_to(store, journal, key):
    assert store.get(PROFILE) == key
    assert store.get(backup_slot(PROFILE)) is None
    assert store.get(pending_slot(PROFILE)) is None
    assert journal.read(PROFILE) is None


def test_recovery_with_nothing_to_recover_says_nothing(client, store, journal):
    assert recover_rotation(client, store, PROFILE, journal) is None


def test_recovery_before_the_new_key_was_staged_keeps_the_old_key(client, store, journal, sandbox):
    interrupted(store, journal, new_key=sandbox.generate_key(), main=DEMO_KEY, backup=DEMO_KEY, step=Step.STAGING_NEW)
    message = recover_rotation(client, store, PROFILE, journal)
    assert "before the new key was saved" in message
    assert_recovered_to(store, journal, DEMO_KEY)


def test_recovery_with_the_new_key_staged_finishes_the_rotation(client, store, journal, sandbox):
    new_key = sandbox.generate_key()
    interrupted(store, journal, new_key=new_key, main=DEMO_KEY, backup=DEMO_KEY, pending=new_key)
    message = recover_rotation(client, store, PROFILE, journal)
    assert "lsdesk finished it" in message
    assert_recovered_to(store, journal, new_key)


def test_recovery_after_the_new_key_was_written_finishes_the_rotation(client, store, journal, sandbox):
    new_key = sandbox.generate_key(revoke_previous=True)
    interrupted(store, journal, new_key=new_key, main=new_key, backup=DEMO_KEY, pending=new_key)
    assert "lsdesk finished it" in recover_rotation(client, store, PROFILE, journal)
    assert_recovered_to(store, journal, new_key)


def test_recovery_puts_the_old_key_back_when_only_it_works(client, store, journal, sandbox):
    interrupted(store, journal, new_key=UNKNOWN_KEY, main=UNKNOWN_KEY, backup=DEMO_KEY, pending=UNKNOWN_KEY)
    message = recover_rotation(client, store, PROFILE, journal)
    assert "refused the new key, so lsdesk kept the old one" in message
    assert_recovered_to(store, journal, DEMO_KEY)


def test_recovery_without_lessonspace_keeps_every_key_for_later(client, store, journal, sandbox):
    new_key = sandbox.generate_key()
    interrupted(store, journal, new_key=new_key, main=new_key, backup=DEMO_KEY, pending=new_key)
    sandbox.faults.drop_connection = True
    assert "kept every key" in recover_rotation(client, store, PROFILE, journal)
    assert store.get(PROFILE) == new_key
    assert store.get(backup_slot(PROFILE)) == DEMO_KEY
    assert journal.read(PROFILE) is not None


def test_recovery_with_a_missing_main_slot_restores_a_working_key(client, store, journal, sandbox):
    interrupted(store, journal, new_key=UNKNOWN_KEY, main=None, backup=DEMO_KEY, step=Step.STORING_NEW)
    recover_rotation(client, store, PROFILE, journal)
    assert_recovered_to(store, journal, DEMO_KEY)


def test_recovery_after_the_clean_up_only_clears_the_journal_and_says_nothing(client, store, journal, sandbox):
    """The rotation had completed (new key saved and read back): no "interrupted" notice."""
    new_key = sandbox.generate_key()
    interrupted(store, journal, new_key=new_key, main=new_key, step=Step.CLEANING_UP)
    assert recover_rotation(client, store, PROFILE, journal) is None
    assert_recovered_to(store, journal, new_key)


def test_recovery_when_no_key_works_keeps_every_key_and_the_journal(client, store, journal, sandbox, caplog):
    interrupted(store, journal, new_key=UNKNOWN_KEY, main=UNKNOWN_KEY, backup=DEMO_KEY, pending=UNKNOWN_KEY)
    sandbox.revoke_key(DEMO_KEY)
    with caplog.at_level(logging.WARNING):
        assert "kept every key and will try again" in recover_rotation(client, store, PROFILE, journal)
    assert store.get(PROFILE) == UNKNOWN_KEY
    assert store.get(pending_slot(PROFILE)) == UNKNOWN_KEY
    assert store.get(backup_slot(PROFILE)) == DEMO_KEY
    assert journal.read(PROFILE) is not None


def test_recovery_leaves_a_rotation_that_is_still_running_alone(client, store, journal, sandbox):
    new_key = sandbox.generate_key()
    interrupted(store, journal, new_key=new_key, main=new_key, backup=DEMO_KEY)
    with journal.lock(PROFILE):
        assert recover_rotation(client, store, PROFILE, journal) is None
    assert store.get(backup_slot(PROFILE)) == DEMO_KEY


def test_the_journal_never_holds_a_key(client, store, journal, sandbox):
    new_key = sandbox.generate_key()
    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=new_key)
    text = (journal.folder / f"{PROFILE}.json").read_text()
    assert DEMO_KEY not in text and new_key not in text
    assert DEMO_KEY[-4:] in text and new_key[-4:] in text


def test_a_keychain_that_keeps_nothing_reliably_leaves_every_key_for_the_next_launch(client, journal, sandbox, caplog):
    backend = FlakyBackend()
    store = SystemKeyStore(backend=backend)
    store.set(PROFILE, DEMO_KEY)
    new_key = sandbox.generate_key()
    backend.written.clear()
    backend.read_back = "garbled"  # from the next write on, every read hands back something else
    with caplog.at_level(logging.WARNING):
        result = rotate_key(client, store, PROFILE, new_key, journal)
    assert "rolling back the rotation of profile default failed" in caplog.text
    assert not result.rotated
    assert "will settle this the next time it starts" in result.outcome.message
    assert "your old key is still saved" not in result.outcome.message
    assert journal.read(PROFILE) is not None
    assert {DEMO_KEY, new_key} <= set(backend.values.values())
    backend.read_back = None  # the keychain behaves again: the next launch settles it
    assert "lsdesk finished it" in recover_rotation(client, store, PROFILE, journal)
    assert store.get(PROFILE) == new_key


def test_a_new_key_whose_organisation_cannot_be_looked_up_is_not_taken_for_the_same_one(
    client, store, journal, sandbox
):
    """Before: with my-organisation/ failing for the new key, the guard saw no organisation
    and rotated to another organisation's key without asking."""
    before = client.check(DEMO_KEY)  # the check that offered Rotate: Demo Tutoring Co
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    sandbox.faults.organisation_status = 500
    refused = rotate_key(client, store, PROFILE, other_key, journal, current=before)
    assert refused.needs_confirmation and not refused.rotated
    assert refused.outcome.message == (
        "lsdesk could not find out which organisation the new key belongs to, so it may not be for "
        "Demo Tutoring Co (id 4242). Nothing was changed. Rotate only if you mean to switch organisations."
    )
    assert_only_old_key_kept(store, journal)
    assert rotate_key(client, store, PROFILE, other_key, journal, current=before, allow_other_organisation=True).rotated
    assert store.get(PROFILE) == other_key
