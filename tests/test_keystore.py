"""The key store: the real Secret Service, refusing insecure backends, and every failure in words."""

from __future__ import annotations

import logging
import subprocess
import sys

import keyring.errors
import pytest
from keyring.backends import SecretService, chainer, fail, null

from lsdesk.core.keystore import (
    KeyStoreError,
    SystemKeyStore,
    check_profile_name,
    credential_service,
    describe_backend,
    is_secure_backend,
)
from lsdesk.core.outcome import State
from lsdesk.core.store_words import WORDS
from lsdesk.core.usecases import check_stored_key, save_key
from lsdesk.sandbox import DEMO_KEY
from tests.flaky_keyring import FlakyBackend

PROFILE = "default"


class PlaintextKeyring(FlakyBackend):
    """Named like keyrings.alt's plain-file backend, which lsdesk must refuse."""


@pytest.mark.parametrize(
    "backend", [fail.Keyring(), null.Keyring(), PlaintextKeyring()], ids=["fail", "null", "plaintext"]
)
def test_insecure_backends_are_refused(backend, caplog):
    assert not is_secure_backend(backend)
    with pytest.raises(KeyStoreError) as refused, caplog.at_level(logging.WARNING):
        SystemKeyStore(backend=backend).set(PROFILE, DEMO_KEY)
    assert "refusing insecure keyring backend" in caplog.text
    assert refused.value.outcome.state is State.NO_STORAGE
    assert "no secure password storage" in refused.value.outcome.message


def test_a_chainer_with_nothing_in_it_is_refused(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert not is_secure_backend(chainer.ChainerBackend())


def test_with_several_stores_the_best_secure_one_is_used_alone(monkeypatch):
    secure = SecretService.Keyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextKeyring(), secure])
    monkeypatch.setattr(keyring, "get_keyring", chainer.ChainerBackend)
    assert SystemKeyStore().backend is secure


def test_the_secret_service_backend_counts_as_secure():
    backend = SecretService.Keyring()
    assert is_secure_backend(backend)
    assert describe_backend(backend) == "your desktop's keyring (Secret Service)"


@pytest.mark.parametrize(
    ("error", "title", "words"),
    [
        (keyring.errors.KeyringLocked("locked"), "Your keyring is locked", 'Unlock "Login" in Passwords and Keys'),
        (keyring.errors.NoKeyringError("none"), "No secure storage on this computer", "no secure password storage"),
        (keyring.errors.InitError("init"), "Can't open your keyring", "Sign out of your computer and back in"),
        (keyring.errors.PasswordSetError("set"), "Can't save to your keyring", "refused to store the key"),
        (keyring.errors.KeyringError("other"), "Problem with your keyring", "restart your computer"),
        (RuntimeError("dbus"), "Problem with your keyring", "restart your computer"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_every_keychain_failure_has_a_headline_and_a_next_step(error, title, words, client, caplog):
    store = SystemKeyStore(backend=FlakyBackend(raise_on_use=error))
    with caplog.at_level(logging.WARNING):
        result = check_stored_key(client, store, PROFILE)
        saved = save_key(client, store, PROFILE, DEMO_KEY)
    assert result.state is State.NO_STORAGE
    assert result.title == title
    assert words in result.message
    assert not saved.saved
    assert saved.outcome.title == title


def test_deleting_a_missing_key_is_not_an_error():
    SystemKeyStore(backend=FlakyBackend()).delete(PROFILE)


@pytest.mark.parametrize("name", ["", "a b", "../x", "x" * 65, "-leading"])
def test_profile_names_stay_plain(name):
    with pytest.raises(ValueError, match="letters, digits"):
        check_profile_name(name)


def test_real_keychain_round_trip(real_keyring, keyring_service):
    store = SystemKeyStore(service=keyring_service)
    assert store.get(PROFILE) is None
    store.set(PROFILE, DEMO_KEY)
    assert store.get(PROFILE) == DEMO_KEY
    store.delete(PROFILE)
    store.delete(PROFILE)
    assert store.get(PROFILE) is None


def test_real_keychain_save_is_seen_by_another_process(real_keyring, keyring_service, client):
    store = SystemKeyStore(service=keyring_service)
    assert save_key(client, store, PROFILE, DEMO_KEY).saved
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring; "
            f"print(keyring.get_password({credential_service(PROFILE, keyring_service)!r}, {PROFILE!r}))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert read.stdout.strip() == DEMO_KEY


def test_locked_keychain_says_unlock_and_loses_nothing(
    real_keyring, keyring_service, keyring_lock, client, sandbox, caplog
):
    store = SystemKeyStore(service=keyring_service)
    store.set(PROFILE, DEMO_KEY)
    with keyring_lock(), caplog.at_level(logging.WARNING):
        checked = check_stored_key(client, store, PROFILE)
        saved = save_key(client, store, PROFILE, sandbox.generate_key())
    assert checked.state is State.NO_STORAGE
    assert checked.title == "Your keyring is locked"
    assert checked.message == WORDS.unlock
    assert not saved.saved
    assert saved.outcome.title == "Your keyring is locked"
    assert store.get(PROFILE) == DEMO_KEY
