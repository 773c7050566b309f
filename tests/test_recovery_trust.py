"""Recovery of an interrupted rotation keeps every key it cannot prove is refused.

Against the sandbox on loopback; the first tests use the real Secret Service
(SystemKeyStore over the real backend), as a launch after a crash would.
"""

from __future__ import annotations

import logging

import pytest

from lsdesk.core.keystore import MemoryKeyStore, SystemKeyStore
from lsdesk.core.rotation import (
    FINISHED,
    NO_KEY_ACCEPTED,
    ROLLED_BACK,
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


@pytest.fixture
def journal(tmp_path):
    return RotationJournal(tmp_path / "rotation")


@pytest.fixture
def real_store(real_keyring, keyring_service):
    return SystemKeyStore(service=keyring_service, backend=real_keyring)


def slots(store):
    return store.get(PROFILE), store.get(backup_slot(PROFILE)), store.get(pending_slot(PROFILE))


def test_a_403_for_every_key_keeps_the_staged_new_key_and_the_next_recovery_finishes(
    client, sandbox, real_store, journal, caplog
):
    """The issue's scenario. Before the fix, recovery saw two refusals and deleted
    `#next`, the only working key (the old one had been revoked)."""
    new_key = sandbox.generate_key(revoke_previous=True)
    # A rotation killed at "storing the new key": both keys staged, the old one still main.
    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=new_key)
    real_store.set(PROFILE, DEMO_KEY)
    real_store.set(backup_slot(PROFILE), DEMO_KEY)
    real_store.set(pending_slot(PROFILE), new_key)

    sandbox.faults.update({"status": 403})  # a web filter, a WAF, an incident: every key refused
    with caplog.at_level(logging.WARNING):
        assert recover_rotation(client, real_store, PROFILE, journal) == NO_KEY_ACCEPTED
    assert slots(real_store) == (DEMO_KEY, DEMO_KEY, new_key)
    assert journal.read(PROFILE) is not None
    assert new_key not in caplog.text and DEMO_KEY not in caplog.text

    sandbox.faults.reset()
    assert recover_rotation(client, real_store, PROFILE, journal) == FINISHED
    assert slots(real_store) == (new_key, None, None)
    assert journal.read(PROFILE) is None


def test_a_staged_key_is_deleted_only_when_refused_while_another_is_accepted(client, sandbox, real_store, journal):
    refused = sandbox.generate_key()
    sandbox.revoke_key(refused)
    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=refused)
    real_store.set(PROFILE, DEMO_KEY)
    real_store.set(backup_slot(PROFILE), DEMO_KEY)
    real_store.set(pending_slot(PROFILE), refused)
    assert recover_rotation(client, real_store, PROFILE, journal) == ROLLED_BACK
    assert slots(real_store) == (DEMO_KEY, None, None)


@pytest.mark.parametrize("fault", [{"drop_connection": True}, {"status": 503}, {"html_page": True}])
def test_no_clear_answer_keeps_every_slot_and_the_journal(client, sandbox, journal, fault, caplog):
    store = MemoryKeyStore()
    new_key = sandbox.generate_key(revoke_previous=True)
    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=new_key)
    for slot, key in ((PROFILE, DEMO_KEY), (backup_slot(PROFILE), DEMO_KEY), (pending_slot(PROFILE), new_key)):
        store.set(slot, key)
    sandbox.faults.update(fault)
    with caplog.at_level(logging.WARNING):  # an HTML page where an answer should be is logged
        assert "kept every key and will try again" in recover_rotation(client, store, PROFILE, journal)
    assert slots(store) == (DEMO_KEY, DEMO_KEY, new_key)
    assert journal.read(PROFILE) is not None


# Item 3: slots without a journal.


def test_a_staged_key_without_a_journal_is_recovered_newest_first(client, sandbox, journal, caplog):
    """Before the fix, no journal meant no recovery: the window called the revoked
    saved key invalid while the working new key sat unused in `#next`."""
    store = MemoryKeyStore()
    new_key = sandbox.generate_key(revoke_previous=True)
    store.set(PROFILE, DEMO_KEY)
    store.set(backup_slot(PROFILE), DEMO_KEY)
    store.set(pending_slot(PROFILE), new_key)
    with caplog.at_level(logging.WARNING):
        assert recover_rotation(client, store, PROFILE, journal) == FINISHED
    assert "no rotation journal" in caplog.text
    assert slots(store) == (new_key, None, None)


def test_a_refused_leftover_slot_without_a_journal_is_cleaned_up(client, sandbox, journal, caplog):
    store = MemoryKeyStore()
    stale = sandbox.generate_key()
    sandbox.revoke_key(stale)
    store.set(PROFILE, DEMO_KEY)
    store.set(pending_slot(PROFILE), stale)
    with caplog.at_level(logging.WARNING):
        assert recover_rotation(client, store, PROFILE, journal) == ROLLED_BACK
    assert slots(store) == (DEMO_KEY, None, None)


def test_recovery_with_no_journal_and_no_slots_asks_lessonspace_nothing(client, sandbox, journal):
    store = MemoryKeyStore()
    store.set(PROFILE, DEMO_KEY)
    before = sandbox.request_count
    assert recover_rotation(client, store, PROFILE, journal) is None
    assert sandbox.request_count == before


# Item 5: the sentence names the key that was kept.


def test_keys_sharing_their_last_four_characters_are_told_apart(client, sandbox, journal):
    """Before the fix the sentence compared endings: with the same four last
    characters it said the old key was kept when the new one was."""
    twin = DEMO_KEY[:-12] + "aaaaaaaa" + DEMO_KEY[-4:]
    assert twin != DEMO_KEY and twin[-4:] == DEMO_KEY[-4:]
    sandbox.add_key(twin)
    sandbox.revoke_key(DEMO_KEY)
    store = MemoryKeyStore()
    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=twin)
    for slot, key in ((PROFILE, twin), (backup_slot(PROFILE), DEMO_KEY), (pending_slot(PROFILE), twin)):
        store.set(slot, key)
    assert recover_rotation(client, store, PROFILE, journal) == FINISHED
    assert slots(store) == (twin, None, None)


def test_a_damaged_journal_does_not_change_which_key_is_named(client, sandbox, journal, caplog):
    new_key = sandbox.generate_key(revoke_previous=True)
    store = MemoryKeyStore()
    journal.folder.mkdir(parents=True)
    (journal.folder / f"{PROFILE}.json").write_text('{"step": "storing_new", "new_key_ending": "zz', encoding="utf-8")
    for slot, key in ((PROFILE, DEMO_KEY), (backup_slot(PROFILE), DEMO_KEY), (pending_slot(PROFILE), new_key)):
        store.set(slot, key)
    with caplog.at_level(logging.WARNING):
        assert recover_rotation(client, store, PROFILE, journal) == FINISHED
    assert slots(store) == (new_key, None, None)
    assert journal.read(PROFILE) is None


def test_a_completed_rotation_whose_tidying_up_failed_is_not_called_interrupted(client, sandbox, journal, caplog):
    """Before the fix a keychain error while deleting `#previous` rolled the rotation
    back (deleting the new key) and the next start said a rotation was interrupted."""
    backend = FlakyBackend()
    store = SystemKeyStore(backend=backend)
    store.set(PROFILE, DEMO_KEY)
    offered = client.check(DEMO_KEY)  # the check that offered Rotate
    new_key = sandbox.generate_key(revoke_previous=True)
    backend.fail_deletes = True
    with caplog.at_level(logging.WARNING):
        result = rotate_key(client, store, PROFILE, new_key, journal, current=offered)
    assert result.rotated
    assert store.get(PROFILE) == new_key
    backend.fail_deletes = False
    assert recover_rotation(client, store, PROFILE, journal) is None
    assert slots(store) == (new_key, None, None)
    assert journal.read(PROFILE) is None
