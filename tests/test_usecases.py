"""Check and save, end to end against the sandbox: a working key is never lost."""

from __future__ import annotations

import logging

import pytest
from keyring.backends import fail, null

from lsdesk.core.keystore import MemoryKeyStore, SystemKeyStore
from lsdesk.core.outcome import State
from lsdesk.core.usecases import check_key, check_stored_key, save_key
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID
from tests.flaky_keyring import FlakyBackend

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"
PROFILE = "default"


@pytest.fixture
def store():
    return MemoryKeyStore()


def test_check_of_a_stored_valid_key(client, store):
    store.set(PROFILE, DEMO_KEY)
    result = check_stored_key(client, store, PROFILE)
    assert result.state is State.VALID
    assert result.organisation.id == DEMO_ORGANISATION_ID


def test_check_with_nothing_stored_is_not_set_and_sends_nothing(client, store, sandbox):
    result = check_stored_key(client, store, PROFILE)
    assert result.state is State.NOT_SET
    assert result.title == "No API key saved"
    assert sandbox.request_count == 0


def test_check_of_typed_input_refuses_bad_input_without_sending(client, sandbox):
    result = check_key(client, "Bearer nonsense")
    assert result.state is State.BAD_INPUT
    assert sandbox.request_count == 0


def test_save_of_a_working_key_stores_it(client, store):
    result = save_key(client, store, PROFILE, f"  Organisation {DEMO_KEY}\n")
    assert result.saved
    assert result.outcome.state is State.VALID
    assert "Saved in memory only" in result.outcome.message
    assert store.get(PROFILE) == DEMO_KEY


def test_save_of_a_rejected_key_keeps_the_previous_key(client, store):
    store.set(PROFILE, DEMO_KEY)
    result = save_key(client, store, PROFILE, UNKNOWN_KEY)
    assert not result.saved
    assert result.outcome.state is State.REJECTED
    assert "The new key was not saved; your saved key is unchanged." in result.outcome.message
    assert store.get(PROFILE) == DEMO_KEY


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        ({"drop_connection": True}, State.OFFLINE),
        ({"status": 503}, State.SERVER_ERROR),
        ({"status": 429}, State.RATE_LIMITED),
        ({"html_page": True}, State.UNEXPECTED),
    ],
)
def test_save_during_a_network_problem_stores_nothing_and_never_says_invalid(
    client, store, sandbox, fault, state, caplog
):
    store.set(PROFILE, DEMO_KEY)
    new_key = sandbox.generate_key()
    sandbox.faults.update(fault)
    with caplog.at_level(logging.WARNING):  # an answer that is not Lessonspace's is logged
        result = save_key(client, store, PROFILE, new_key)
    assert not result.saved
    assert result.outcome.state is state
    assert store.get(PROFILE) == DEMO_KEY


def test_save_of_malformed_input_sends_nothing(client, store, sandbox):
    store.set(PROFILE, DEMO_KEY)
    result = save_key(client, store, PROFILE, DEMO_KEY[:-2])
    assert result.outcome.state is State.BAD_INPUT
    assert sandbox.request_count == 0
    assert store.get(PROFILE) == DEMO_KEY


def test_save_when_the_keychain_refuses_the_write_keeps_the_previous_key(client, sandbox, caplog):
    backend = FlakyBackend()
    store = SystemKeyStore(backend=backend)
    store.set(PROFILE, DEMO_KEY)
    backend.fail_set = True
    with caplog.at_level(logging.WARNING):
        result = save_key(client, store, PROFILE, sandbox.generate_key())
    assert "credential store save failed" in caplog.text
    assert not result.saved
    assert result.outcome.state is State.NO_STORAGE
    assert result.outcome.title == "Can't save to your keyring"
    assert "your saved key is unchanged" in result.outcome.message
    assert store.get(PROFILE) == DEMO_KEY


def test_save_when_the_keychain_hands_back_something_else_restores_the_previous_key(client, sandbox, caplog):
    backend = FlakyBackend()
    store = SystemKeyStore(backend=backend)
    store.set(PROFILE, DEMO_KEY)
    backend.written.clear()
    backend.read_back = "something-else"
    with caplog.at_level(logging.WARNING):
        result = save_key(client, store, PROFILE, sandbox.generate_key())
    assert not result.saved
    assert result.outcome.state is State.NO_STORAGE
    assert "did not keep the new key" in result.outcome.message
    backend.read_back = None
    assert store.get(PROFILE) == DEMO_KEY


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_secure_storage_refuses_to_save_and_says_so(client, sandbox, backend, caplog):
    store = SystemKeyStore(backend=backend)
    with caplog.at_level(logging.WARNING):
        result = save_key(client, store, PROFILE, DEMO_KEY)
        checked = check_stored_key(client, store, PROFILE)
    assert "refusing insecure keyring backend" in caplog.text
    assert not result.saved
    assert result.outcome.state is State.NO_STORAGE
    assert "This computer has no secure password storage lsdesk can use" in result.outcome.message
    assert sandbox.request_count == 0
    assert checked.state is State.NO_STORAGE


# -- another organisation's key (lsdesk/core/organisation_guard.py) ------------------------------


def test_save_over_a_working_key_of_another_organisation_asks_first(client, store, sandbox):
    """Before: the other organisation's key replaced the working one without a word."""
    store.set(PROFILE, DEMO_KEY)
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    refused = save_key(client, store, PROFILE, other_key)
    assert refused.needs_confirmation and not refused.saved
    assert refused.outcome.state is State.BAD_INPUT
    assert refused.outcome.message == (
        "The new key belongs to Other Academy (id 5151), not Demo Tutoring Co (id 4242). "
        "Nothing was changed. Save only if you mean to switch organisations."
    )
    assert store.get(PROFILE) == DEMO_KEY
    confirmed = save_key(client, store, PROFILE, other_key, allow_other_organisation=True)
    assert confirmed.saved
    assert store.get(PROFILE) == other_key


def test_save_of_a_key_whose_organisation_cannot_be_looked_up_asks_first(client, store, sandbox):
    store.set(PROFILE, DEMO_KEY)
    assert client.check(DEMO_KEY).organisation.id == DEMO_ORGANISATION_ID  # the saved key's organisation is known
    sandbox.faults.organisation_status = 500  # hello/ answers; my-organisation/ fails
    result = save_key(client, store, PROFILE, sandbox.generate_key())
    assert result.needs_confirmation and not result.saved
    assert result.outcome.title == "This key may be for another organisation"
    assert "could not find out which organisation the new key belongs to" in result.outcome.message
    assert store.get(PROFILE) == DEMO_KEY


def test_save_when_the_saved_key_cannot_be_checked_asks_first(client, store, sandbox):
    """Fail closed: the saved key's organisation is unknown, so the new key may be another's."""
    store.set(PROFILE, DEMO_KEY)
    sandbox.faults.update({"status": 429, "retry_after": "120"})
    assert client.check(DEMO_KEY).state is State.RATE_LIMITED  # the client now waits before asking about it
    sandbox.faults.reset()
    result = save_key(client, store, PROFILE, sandbox.generate_key())
    assert result.needs_confirmation, result.outcome
    assert "could not find out which organisation the saved key belongs to" in result.outcome.message
    assert store.get(PROFILE) == DEMO_KEY


def test_save_over_a_refused_key_replaces_it_without_asking(client, store, sandbox):
    """The usual reason to save: the saved key stopped working. Its organisation can't be told."""
    store.set(PROFILE, UNKNOWN_KEY)
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    result = save_key(client, store, PROFILE, other_key)
    assert result.saved and not result.needs_confirmation
    assert store.get(PROFILE) == other_key


def test_save_over_a_key_of_the_same_organisation_does_not_ask(client, store, sandbox):
    store.set(PROFILE, DEMO_KEY)
    new_key = sandbox.generate_key()
    result = save_key(client, store, PROFILE, new_key)
    assert result.saved
    assert store.get(PROFILE) == new_key
