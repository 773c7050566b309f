"""Where the API key lives: the operating system's credential store.

`SystemKeyStore` goes through `keyring` (Windows Credential Manager, the macOS
Keychain, the Secret Service on Linux) and refuses to work with a backend
that is not secure: it never falls back to a plain file. Every failure of
the store becomes a `KeyStoreError` carrying an `Outcome` in plain words.
`MemoryKeyStore` is the sandbox's store: nothing it holds outlives the process.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from lsdesk.core.outcome import Outcome, State, outcome

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring itself is imported where it is used: finding a backend imports a
# great deal, and that belongs on the worker thread, not in start-up.

log = logging.getLogger(__name__)

SERVICE_NAME = "lsdesk"
_PROFILE_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

NO_SECURE_STORAGE = (
    "This computer has no secure password storage lsdesk can use. On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, then try again."
)


class KeyStoreError(Exception):
    """The credential store failed. `outcome` says what the user should do."""

    def __init__(self, result: Outcome):
        super().__init__(result.title)
        self.outcome = result


class KeyStore(Protocol):
    """Holds one API key per profile."""

    description: str

    def get(self, profile: str) -> str | None: ...

    def set(self, profile: str, key: str) -> None: ...

    def delete(self, profile: str) -> None: ...


def check_profile_name(profile: str) -> str:
    """Profile names become credential-store entries; keep them plain."""
    if not _PROFILE_SHAPE.fullmatch(profile):
        raise ValueError(
            "A profile name uses only letters, digits, dots, dashes and underscores (at most 64)."
        )
    return profile


class SystemKeyStore:
    """The operating system's credential store, through `keyring`."""

    def __init__(self, service: str = SERVICE_NAME, backend: KeyringBackend | None = None):
        self._service = service
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            self._backend = _preferred_backend(keyring.get_keyring())
        return self._backend

    @property
    def description(self) -> str:
        return describe_backend(self.backend)

    def get(self, profile: str) -> str | None:
        backend = self._secure_backend()
        with _translated_errors("read"):
            return backend.get_password(self._service, profile)

    def set(self, profile: str, key: str) -> None:
        backend = self._secure_backend()
        with _translated_errors("save"):
            backend.set_password(self._service, profile, key)

    def delete(self, profile: str) -> None:
        from keyring.errors import PasswordDeleteError

        backend = self._secure_backend()
        with _translated_errors("delete"):
            try:
                backend.delete_password(self._service, profile)
            except PasswordDeleteError:
                pass  # already gone is what delete asked for

    def _secure_backend(self) -> KeyringBackend:
        try:
            backend = self.backend
        except Exception as error:  # noqa: BLE001 - a broken keyring config must not crash lsdesk
            log.warning("could not load a keyring backend: %s", type(error).__name__)
            raise KeyStoreError(outcome(State.NO_STORAGE, NO_SECURE_STORAGE)) from None
        if not is_secure_backend(backend):
            log.warning("refusing insecure keyring backend %s", _backend_name(backend))
            raise KeyStoreError(outcome(State.NO_STORAGE, NO_SECURE_STORAGE))
        return backend


class MemoryKeyStore:
    """Keys kept in this process only: the sandbox's store."""

    description = "memory only (sandbox: nothing is saved)"

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, profile: str) -> str | None:
        with self._lock:
            return self._keys.get(profile)

    def set(self, profile: str, key: str) -> None:
        with self._lock:
            self._keys[profile] = key

    def delete(self, profile: str) -> None:
        with self._lock:
            self._keys.pop(profile, None)


def is_secure_backend(backend: KeyringBackend) -> bool:
    """False for keyring's fail and null backends, an empty chainer, and any
    backend that keeps secrets in a plain file."""
    children = getattr(backend, "backends", None)
    if children is not None:  # the chainer: secure only if some backend in it is
        return any(is_secure_backend(child) for child in children)
    name = _backend_name(backend)
    if name in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):
        return False
    return "plaintext" not in name.lower() and "uncrypted" not in name.lower()


def _preferred_backend(backend: KeyringBackend) -> KeyringBackend:
    """With several stores available keyring offers a chainer, which reads
    from all of them; lsdesk uses the best secure one alone, so a key is
    never read from a plain file that happens to be in the chain."""
    children = getattr(backend, "backends", None)
    if children is None:
        return backend
    secure = [child for child in children if is_secure_backend(child)]
    return secure[0] if secure else backend


def describe_backend(backend: KeyringBackend) -> str:
    """Where the key is kept, in words a user recognises."""
    name = _backend_name(backend)
    for marker, words in (
        ("SecretService", "your desktop keyring (Secret Service)"),
        ("macOS", "the macOS Keychain"),
        ("Windows", "Windows Credential Manager"),
        ("kwallet", "KDE Wallet"),
        ("chainer", "your computer's credential store"),
    ):
        if marker.lower() in name.lower():
            return words
    return f"your computer's credential store ({name})"


def _backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


@contextmanager
def _translated_errors(action: str) -> Iterator[None]:
    """Turns keyring's exceptions into a KeyStoreError with words for people.

    Only the exception's class is logged: a backend's message could quote
    what was being stored.
    """
    try:
        yield
    except Exception as error:
        log.warning("credential store %s failed: %s", action, type(error).__name__)
        raise KeyStoreError(_store_failure(error, action)) from error


def _store_failure(error: Exception, action: str) -> Outcome:
    from keyring import errors

    if isinstance(error, errors.KeyringLocked):
        return outcome(
            State.NO_STORAGE,
            "Unlock your keychain, then try again.",
            title="Your keychain is locked",
        )
    if isinstance(error, errors.NoKeyringError):
        return outcome(State.NO_STORAGE, NO_SECURE_STORAGE)
    if isinstance(error, errors.InitError):
        return outcome(
            State.NO_STORAGE,
            "Your keychain could not be opened. Sign out of your computer and back in, then try again.",
            title="Can't open your keychain",
        )
    if isinstance(error, errors.PasswordSetError):
        return outcome(
            State.NO_STORAGE,
            "Your keychain refused to store the key. Unlock your keychain, then try again.",
            title="Can't save to your keychain",
        )
    return outcome(
        State.NO_STORAGE,
        f"Something went wrong while lsdesk tried to {action} the key in your keychain. "
        "Try again; if it keeps happening, restart your computer.",
        title="Problem with your keychain",
    )
