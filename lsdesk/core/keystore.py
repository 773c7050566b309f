"""Where the API key lives: the operating system's credential store.

`SystemKeyStore` goes through `keyring` (Windows Credential Manager, the macOS
Keychain, the Secret Service on Linux) and refuses to work with a backend
that is not secure: it never falls back to a plain file. Every failure of
the store becomes a `KeyStoreError` carrying an `Outcome` in plain words.
`MemoryKeyStore` is the sandbox's store: nothing it holds outlives the process.

Each slot (a profile's key, and the spare slots a rotation uses for a
moment) is an entry of its own, under the service name `lsdesk:<slot>`:
Windows Credential Manager keeps one entry per service name, so slots that
shared the service `lsdesk` overwrote each other there, and keyring moved the
old one aside to `<slot>@lsdesk`, where an old key stayed after a rotation.
Entries saved the old way are moved on first read.

Every call has a deadline (`timeout`), and a caller can ask to hear when the
keychain is slow and to stop waiting (`attended`): see keychain_deadline.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from lsdesk.core.keychain_deadline import KeychainCancelled, KeychainLane, KeychainTimeout
from lsdesk.core.language import _, ngettext
from lsdesk.core.outcome import Outcome, State, outcome
from lsdesk.core.store_words import WORDS

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring itself is imported where it is used: finding a backend imports a
# great deal, and that belongs on the worker thread, not in start-up.

log = logging.getLogger(__name__)

SERVICE_NAME = "lsdesk"
_PROFILE_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

T = TypeVar("T")

# How long one keychain call may take, unlock prompt included, before lsdesk gives up.
KEYRING_TIMEOUT_S = 30.0
KEYRING_TIMEOUT_ENV = "LSDESK_KEYRING_TIMEOUT"
# After this long a call counts as waiting (for an unlock prompt, say), and the caller hears of it.
WAITING_AFTER_S = 0.75

# Translators: {store} is the credential store's short name: "keyring" (Linux), "Keychain" (macOS) or
# "Credential Manager" (Windows).
KEYRING_WAITING_TITLE = _("Waiting for your {store}").format(store=WORDS.short)
# Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager");
# "Cancel" is the name of lsdesk's button that stops the wait.
KEYRING_WAITING_MESSAGE = _("If your computer asks for your {store}'s password, enter it; or press Cancel.").format(
    store=WORDS.short
)
# Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
KEYRING_STOPPED_TITLE = _("Stopped waiting for your {store}").format(store=WORDS.short)
# Translators: {how_to_unlock} is a sentence saying how to unlock the credential store on this system.
KEYRING_STOPPED_MESSAGE = _("Nothing was changed. {how_to_unlock}").format(how_to_unlock=WORDS.unlock)

# Translators: {why} is a sentence saying why no credential store could be used on this system, and what to do.
NO_SECURE_STORAGE = _("This computer has no secure password storage lsdesk can use. {why}").format(why=WORDS.missing)


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
        raise ValueError(_("A profile name uses only letters, digits, dots, dashes and underscores (at most 64)."))
    return profile


def credential_service(slot: str, service: str = SERVICE_NAME) -> str:
    """The service name a slot's entry is stored under: one entry per slot on every OS."""
    return f"{service}:{slot}"


def keyring_timeout(environ: dict[str, str] | os._Environ = os.environ) -> float:
    """Seconds a keychain call may take: $LSDESK_KEYRING_TIMEOUT, or 30.

    Raises ValueError with a sentence for a value that is not a positive number.
    """
    raw = environ.get(KEYRING_TIMEOUT_ENV, "").strip()
    if not raw:
        return KEYRING_TIMEOUT_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 3600:
        raise ValueError(
            # Translators: {variable} is the environment variable's name, LSDESK_KEYRING_TIMEOUT.
            _("{variable} must be a number of seconds between 0 and 3600, such as 30.").format(
                variable=KEYRING_TIMEOUT_ENV
            )
        )
    return seconds


@dataclass(frozen=True)
class Attention:
    """What one caller wants while a keychain call is slow: to hear of it, and a way to stop waiting."""

    waiting: Callable[[], None] = lambda: None
    answered: Callable[[], None] = lambda: None
    cancelled: threading.Event | None = None


class SystemKeyStore:
    """The operating system's credential store, through `keyring`.

    `timeout`: seconds one call may take before it fails with a sentence
    (an unlock prompt counts as waiting). `waiting_after`: seconds after
    which the caller's `Attention.waiting` is called.
    """

    def __init__(
        self,
        service: str = SERVICE_NAME,
        backend: KeyringBackend | None = None,
        *,
        timeout: float = KEYRING_TIMEOUT_S,
        waiting_after: float = WAITING_AFTER_S,
    ):
        self._service = service
        self._backend = _adapted(backend) if backend is not None else None
        self._timeout = timeout
        self._waiting_after = waiting_after
        self._lane = KeychainLane()
        self._attention = threading.local()

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            self._backend = _adapted(_preferred_backend(keyring.get_keyring()))
        return self._backend

    @property
    def description(self) -> str:
        return describe_backend(self.backend)

    @contextmanager
    def attended(self, attention: Attention) -> Iterator[None]:
        """Calls made by this thread in the body report to `attention`."""
        previous = getattr(self._attention, "current", None)
        self._attention.current = attention
        try:
            yield
        finally:
            self._attention.current = previous

    def get(self, profile: str) -> str | None:
        key = self._call(
            "read", lambda backend: backend.get_password(credential_service(profile, self._service), profile)
        )
        if key is None:
            key = self._adopt_legacy_entry(profile)
        return key

    def set(self, profile: str, key: str) -> None:
        self._call(
            "save", lambda backend: backend.set_password(credential_service(profile, self._service), profile, key)
        )
        self._delete_legacy_entry(profile)

    def delete(self, profile: str) -> None:
        self._call("delete", lambda backend: _delete(backend, credential_service(profile, self._service), profile))
        self._delete_legacy_entry(profile)

    def _adopt_legacy_entry(self, slot: str) -> str | None:
        """Move a key saved the old way (service `lsdesk`, user name = slot) to its own entry.

        The old entry is deleted only once the new one reads back the same
        key, so a failure half-way leaves the key in one place or both.
        """
        key = self._call("read", lambda backend: backend.get_password(self._service, slot))
        if key is None:
            return None
        target = credential_service(slot, self._service)
        try:
            self._call("save", lambda backend: backend.set_password(target, slot, key))
            moved = self._call("read", lambda backend: backend.get_password(target, slot)) == key
        except KeyStoreError:
            moved = False  # the key was read all the same; moving it is tried again at the next read
        if moved:
            self._delete_legacy_entry(slot)
            log.info("moved the keychain entry of %s to its own service name", slot)
        else:
            log.warning("the keychain did not keep the moved entry of %s; the old entry stays", slot)
        return key

    def _delete_legacy_entry(self, slot: str) -> None:
        """Remove a slot's entry of the old layout, if any; on Windows also keyring's "<slot>@lsdesk" copy.

        A failure here leaves an entry that the next write or delete removes;
        it does not undo what the caller asked for, which has been done.
        """
        try:
            self._call("delete", lambda backend: _delete(backend, self._service, slot))
        except KeyStoreError:
            log.warning("could not remove the old keychain entry of %s; lsdesk will try again", slot)

    def _call(self, action: str, operation: Callable[[KeyringBackend], T]) -> T:
        """Run `operation` on the keychain's lane, within the deadline."""
        attention = getattr(self._attention, "current", None) or Attention()

        def call() -> T:
            backend = self._secure_backend()
            with _translated_errors(action):
                return operation(backend)

        try:
            return self._lane.run(
                call,
                deadline_s=self._timeout,
                waiting_after_s=self._waiting_after,
                on_waiting=attention.waiting,
                on_answered=attention.answered,
                cancelled=attention.cancelled,
            )
        except KeychainTimeout:
            # A fraction of a second counts as many, as English has it ("0.5 seconds").
            count = int(self._timeout) if float(self._timeout).is_integer() else 2
            raise KeyStoreError(
                outcome(
                    State.NO_STORAGE,
                    ngettext(
                        # Translators: {store} is the credential store's short name ("keyring", "Keychain",
                        # "Credential Manager"), {seconds} a number of seconds such as 30.
                        "Your {store} did not answer within {seconds} second. "
                        "Unlock your {store} if it asks for your password, then try again.",
                        "Your {store} did not answer within {seconds} seconds. "
                        "Unlock your {store} if it asks for your password, then try again.",
                        count,
                    ).format(store=WORDS.short, seconds=f"{self._timeout:g}"),
                    # Translators: {store} is the credential store's short name ("keyring", "Keychain",
                    # "Credential Manager").
                    title=_("Your {store} did not answer").format(store=WORDS.short),
                )
            ) from None
        except KeychainCancelled:
            raise KeyStoreError(
                outcome(State.NO_STORAGE, KEYRING_STOPPED_MESSAGE, title=KEYRING_STOPPED_TITLE)
            ) from None

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

    # Translators: where the sandbox keeps a key, after "Saved in".
    description = _("memory only (sandbox: nothing is saved)")

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


def _delete(backend: KeyringBackend, service: str, username: str) -> None:
    from keyring.errors import PasswordDeleteError

    try:
        backend.delete_password(service, username)
    except PasswordDeleteError:
        pass  # already gone is what delete asked for


def _adapted(backend: KeyringBackend) -> KeyringBackend:
    """keyring's Windows backend, made to keep one entry per slot, on this computer only."""
    if _backend_name(backend) == "keyring.backends.Windows.WinVaultKeyring":
        from lsdesk.core.windows_vault import LocalMachineVault

        return LocalMachineVault()
    return backend


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
        # Translators: where the key is kept on Linux, after "Saved in"; Secret Service is the standard's name.
        ("SecretService", _("your desktop's keyring (Secret Service)")),
        # Translators: where the key is kept on macOS, after "Saved in".
        ("macOS", _("your macOS Keychain")),
        # Translators: where the key is kept on Windows, after "Saved in".
        ("Windows", _("Windows Credential Manager")),
        # Translators: where the key is kept on KDE Plasma, after "Saved in".
        ("kwallet", _("KDE Wallet")),
        # Translators: where the key is kept, after "Saved in", when lsdesk cannot name the store.
        ("chainer", _("your computer's credential store")),
    ):
        if marker.lower() in name.lower():
            return words
    # Translators: where the key is kept, after "Saved in"; {backend} is a technical name, such as
    # keyring.backends.libsecret.Keyring.
    return _("your computer's credential store ({backend})").format(backend=name)


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

    store = WORDS.short
    if isinstance(error, errors.KeyringLocked):
        return outcome(State.NO_STORAGE, WORDS.unlock, title=WORDS.locked_title())
    if isinstance(error, errors.NoKeyringError):
        return outcome(State.NO_STORAGE, NO_SECURE_STORAGE)
    if isinstance(error, errors.InitError):
        return outcome(
            State.NO_STORAGE,
            # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
            _("Your {store} could not be opened. Sign out of your computer and back in, then try again.").format(
                store=store
            ),
            # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
            title=_("Can't open your {store}").format(store=store),
        )
    if isinstance(error, errors.PasswordSetError):
        return outcome(
            State.NO_STORAGE,
            # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential
            # Manager"), {how_to_unlock} a sentence saying how to unlock it.
            _("Your {store} refused to store the key. {how_to_unlock}").format(store=store, how_to_unlock=WORDS.unlock),
            # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
            title=_("Can't save to your {store}").format(store=store),
        )
    went_wrong = {
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        "read": _("Something went wrong while lsdesk tried to read the key in your {store}."),
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        "save": _("Something went wrong while lsdesk tried to save the key in your {store}."),
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        "delete": _("Something went wrong while lsdesk tried to delete the key in your {store}."),
    }.get(
        action,
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        _("Something went wrong while lsdesk used the key in your {store}."),
    )
    return outcome(
        State.NO_STORAGE,
        went_wrong.format(store=store) + " " + _("Try again; if it keeps happening, restart your computer."),
        # Translators: {store} is the credential store's short name ("keyring", "Keychain", "Credential Manager").
        title=_("Problem with your {store}").format(store=store),
    )
