"""One vocabulary for the credential store: the operating system's own words, in every sentence about it."""

from __future__ import annotations

import logging

import pytest
from keyring.backends import fail

from lsdesk.core.keystore import KEYRING_STOPPED_MESSAGE, KEYRING_WAITING_TITLE, NO_SECURE_STORAGE, SystemKeyStore
from lsdesk.core.store_words import LINUX, MACOS, WINDOWS, WORDS, store_words
from lsdesk.sandbox import DEMO_KEY


@pytest.mark.parametrize(
    ("platform", "words"), [("win32", WINDOWS), ("darwin", MACOS), ("linux", LINUX), ("freebsd14", LINUX)]
)
def test_each_system_gets_its_own_words(platform, words):
    assert store_words(platform) is words


def test_the_names_are_the_systems_own():
    assert WINDOWS.name == "Windows Credential Manager"
    assert MACOS.name == "your macOS Keychain"
    assert LINUX.name == "your desktop's keyring (GNOME Keyring or KDE Wallet)"
    assert [words.locked_title() for words in (WINDOWS, MACOS, LINUX)] == [
        "Your Credential Manager is locked",
        "Your Keychain is locked",
        "Your keyring is locked",
    ]


def test_on_linux_no_storage_says_why_and_how_to_fix_it_on_gnome_and_kde():
    assert "No keyring service is running in this desktop session" in LINUX.missing
    assert "KDE Wallet" in LINUX.missing and "GNOME Keyring" in LINUX.missing
    assert 'Unlock "Login" in Passwords and Keys' in LINUX.unlock
    assert "keychain" not in (LINUX.unlock + LINUX.missing).lower()


def test_every_sentence_about_the_store_uses_this_systems_words():
    assert WORDS is store_words()
    assert f"Waiting for your {WORDS.short}" == KEYRING_WAITING_TITLE
    assert WORDS.unlock in KEYRING_STOPPED_MESSAGE
    assert NO_SECURE_STORAGE.endswith(WORDS.missing)


def test_no_secure_storage_in_the_window_says_why(open_window, caplog):
    with caplog.at_level(logging.WARNING):
        window = open_window(key_store=SystemKeyStore(backend=fail.Keyring()))
    assert window.badge.message() == NO_SECURE_STORAGE
    assert window.badge.icon_name() == "no-storage.svg"  # an open padlock: nothing to unlock


def test_a_locked_keyring_shows_a_closed_padlock_and_how_to_unlock_it(
    open_window, real_keyring, keyring_service, keyring_lock, caplog
):
    store = SystemKeyStore(service=keyring_service)
    store.set("default", DEMO_KEY)
    with keyring_lock(), caplog.at_level(logging.WARNING):
        window = open_window(key_store=store)
    assert window.badge.title() == "Your keyring is locked"
    assert window.badge.message() == WORDS.unlock
    assert window.badge.icon_name() == "locked.svg"
