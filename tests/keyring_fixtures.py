"""Pytest plugin: fixtures for tests that need the operating system's real Secret Service.

Load it from tests/conftest.py::

    pytest_plugins = ["tests.keyring_fixtures"]

A test that is marked ``@pytest.mark.real_keyring``, or that uses ``real_keyring``,
``keyring_lock`` or ``locked_keyring``, is skipped when no usable Secret Service is reachable
(no session bus, keyring chose another backend, default collection locked). With
``LSDESK_REQUIRE_REAL_KEYRING=1`` (set by .ci/run) it fails instead, so a CI whose bus did not
start cannot pass by skipping everything that touches the keyring.
"""

from __future__ import annotations

import functools
import gc
import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager, suppress

import keyring
import keyring.backends.SecretService
import pytest

try:  # the Secret Service's client libraries: on Linux only, where keyring brings them
    import secretstorage
    from jeepney import DBusAddress, DBusErrorResponse, new_method_call
    from jeepney.io.blocking import DBusConnection
    from secretstorage.exceptions import SecretStorageException
    from secretstorage.util import format_secret, open_session
except ImportError:  # Windows and macOS: the suite still collects; the real-keyring tests skip
    secretstorage = None
    SecretStorageException = DBusErrorResponse = OSError

REQUIRE_ENV = "LSDESK_REQUIRE_REAL_KEYRING"
PASSWORD_ENV = "CI_KEYRING_PASS"
MARKER = "real_keyring"
_KEYRING_FIXTURES = ("real_keyring", "keyring_lock", "locked_keyring")
_LOCK_FIXTURES = ("keyring_lock", "locked_keyring")

# keyring's Secret Service backend leaves its D-Bus connection open when it raises KeyringLocked
# (get_preferred_collection never closes it). The socket sits in a reference cycle, so its
# ResourceWarning, an error under `filterwarnings = ["error"]`, would fail whichever test happens
# to run when the garbage collector finds it. Tests that lock the keyring ignore exactly that
# warning and collect the garbage before they end.
_LEAKED_BUS_SOCKET = r"unclosed <socket\.socket .*family=1,"


# gnome-keyring answers "No collection with such alias" for a moment while it locks or unlocks the
# default collection under a heavy load (seen once in twelve full runs beside stress-ng): asked again
# a little later, it is there. Bounded: a collection that stays missing still fails the test.
ALIAS_TRIES = 40
ALIAS_RETRY_S = 0.05


def default_collection(connection: DBusConnection) -> secretstorage.Collection:
    """The Secret Service's default collection, looked up by its alias."""
    for _ in range(ALIAS_TRIES - 1):
        try:
            return secretstorage.get_collection_by_alias(connection, "default")
        except secretstorage.exceptions.ItemNotFoundException:
            time.sleep(ALIAS_RETRY_S)
    return secretstorage.get_collection_by_alias(connection, "default")  # the last try raises


def secret_service_problem() -> str | None:
    """Say why the real Secret Service cannot be used here, or return None when it can."""
    if secretstorage is None:
        return "secretstorage is not installed: this system has no Secret Service"
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)"
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a bad PYTHON_KEYRING_BACKEND raises anything from ImportError to RuntimeError
        return f"keyring could not pick a backend: {exc}"
    if not isinstance(backend, keyring.backends.SecretService.Keyring):
        # A stray keyringrc.cfg or PYTHON_KEYRING_BACKEND would make these tests pass without a keyring.
        return f"keyring chose {type(backend).__module__}.{type(backend).__qualname__}, not the Secret Service"
    try:
        with closing(secretstorage.dbus_init()) as connection:
            collection = default_collection(connection)
            if collection.is_locked():
                # Unlocking would need a password prompt: a hang on a desktop, KeyringLocked in CI.
                return f"the default keyring collection {collection.collection_path} is locked"
    except (SecretStorageException, DBusErrorResponse, OSError) as exc:
        return f"the Secret Service did not answer: {exc!r}"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip the current test, or fail it when the environment promises a real keyring."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the real Secret Service is not usable: {reason}", pytrace=False)
    pytest.skip(f"real Secret Service not usable: {reason}")


def require_secret_service() -> None:
    problem = secret_service_problem()
    if problem is not None:
        skip_or_fail(problem)


def _unlock_with_master_password(connection: DBusConnection, collection_path: str, password: bytes) -> None:
    # gnome-keyring's private API: unlocks without a prompt. The standard Unlock call would open
    # gcr-prompter, which has no display on the CI bus and is dismissed at once.
    secret = format_secret(open_session(connection), password, "text/plain")
    service = DBusAddress(
        "/org/freedesktop/secrets",
        bus_name="org.freedesktop.secrets",
        interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
    )
    connection.send_and_get_reply(
        new_method_call(service, "UnlockWithMasterPassword", "o(oayays)", (collection_path, secret))
    )


def default_collection_is_locked() -> bool:
    with closing(secretstorage.dbus_init()) as connection:
        return default_collection(connection).is_locked()


@contextmanager
def locked_default_collection(password: str) -> Iterator[str]:
    """Lock the default collection for the body, then unlock it with gnome-keyring's master password.

    Yields the collection's D-Bus path. The unlock runs however the body ends, and raises if the
    collection is still locked afterwards (a wrong password), since every later keyring test
    would otherwise fail with KeyringLocked for no visible reason.
    """
    with closing(secretstorage.dbus_init()) as connection:
        collection = default_collection(connection)
        collection_path = collection.collection_path
        collection.lock()  # the Secret Service Lock call needs no prompt
    try:
        if not default_collection_is_locked():
            raise AssertionError(f"{collection_path} did not lock")
        yield collection_path
    finally:
        with closing(secretstorage.dbus_init()) as connection:
            _unlock_with_master_password(connection, collection_path, password.encode())
            if secretstorage.Collection(connection, collection_path).is_locked():
                raise RuntimeError(
                    f"{collection_path} is still locked after UnlockWithMasterPassword; "
                    f"is {PASSWORD_ENV} the password gnome-keyring-daemon was started with?"
                )


def _items_of(connection: DBusConnection, backend: keyring.backends.SecretService.Keyring, service: str) -> list:
    """Every item of the default collection stored under `service` or one of its slots' `service:<slot>`."""
    attribute = backend.schemes[backend.scheme]["service"]
    collection = default_collection(connection)
    found = []
    for item in collection.get_all_items():
        name = item.get_attributes().get(attribute, "")
        if name == service or name.startswith(f"{service}:"):
            found.append(item)
    return found


def stored_entries(backend: keyring.backends.SecretService.Keyring, service: str) -> dict[tuple[str, str], str]:
    """(service name, user name) -> secret, for every entry of `service` and its slots."""
    schema = backend.schemes[backend.scheme]
    with closing(secretstorage.dbus_init()) as connection:
        return {
            (
                item.get_attributes()[schema["service"]],
                item.get_attributes()[schema["username"]],
            ): item.get_secret().decode()
            for item in _items_of(connection, backend, service)
        }


def _delete_entries(backend: keyring.backends.SecretService.Keyring, service: str) -> None:
    with closing(secretstorage.dbus_init()) as connection:
        for item in _items_of(connection, backend, service):
            item.delete()


def pytest_configure(config: pytest.Config) -> None:
    # Also declared in pyproject.toml; repeated so the plugin works under any ini (--strict-markers).
    config.addinivalue_line(
        "markers",
        f"{MARKER}: needs the operating system's Secret Service (skipped without one, a failure when {REQUIRE_ENV}=1)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that use the fixtures carry the marker too, so `-m real_keyring` selects all of them.
    for item in items:
        fixturenames = getattr(item, "fixturenames", ())
        if any(name in fixturenames for name in _KEYRING_FIXTURES):
            item.add_marker(MARKER)
        if any(name in fixturenames for name in _LOCK_FIXTURES):
            item.add_marker(pytest.mark.filterwarnings(f"ignore:{_LEAKED_BUS_SOCKET}:ResourceWarning"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(MARKER) is not None:
        require_secret_service()


def remove_every_slot(profile: str) -> None:
    """Delete a test profile's entries from the real keychain: its key and a rotation's spare copies."""
    from lsdesk.core.keystore import credential_service
    from lsdesk.core.rotation import backup_slot, pending_slot

    for slot in (profile, backup_slot(profile), pending_slot(profile)):
        with suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(credential_service(slot), slot)


@pytest.fixture
def keyring_service() -> str:
    """A service name no other test and no real application uses."""
    return f"lsdesk-test-{uuid.uuid4().hex}"


@pytest.fixture
def real_keyring(keyring_service: str) -> Iterator[keyring.backends.SecretService.Keyring]:
    """The real Secret Service keyring backend.

    Store entries under ``keyring_service``: every entry with that service name, or with a
    slot's service name ``<keyring_service>:<slot>``, is deleted after the test.
    """
    require_secret_service()
    backend = keyring.get_keyring()
    assert isinstance(backend, keyring.backends.SecretService.Keyring), backend
    yield backend
    _delete_entries(backend, keyring_service)


@pytest.fixture
def keyring_lock(
    real_keyring: keyring.backends.SecretService.Keyring,
) -> Iterator[Callable[[], AbstractContextManager[str]]]:
    """A context manager factory: ``with keyring_lock(): ...`` runs its body with the default
    collection locked, and unlocks it again with CI_KEYRING_PASS (exported by .ci/run) however
    the body ends."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        # Never lock a keyring this process could not unlock again (a developer's login keyring).
        skip_or_fail(f"{PASSWORD_ENV} is unset, so a locked collection could not be unlocked again")
    yield functools.partial(locked_default_collection, password)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _LEAKED_BUS_SOCKET, ResourceWarning)
        gc.collect()


@pytest.fixture
def locked_keyring(
    real_keyring: keyring.backends.SecretService.Keyring,
    keyring_lock: Callable[[], AbstractContextManager[str]],
) -> Iterator[keyring.backends.SecretService.Keyring]:
    """The real backend with its default collection locked for the duration of the test.

    Keyring calls then raise ``keyring.errors.KeyringLocked`` (within milliseconds: the bus has
    no display, so the unlock prompt is dismissed). Afterwards the collection is unlocked again,
    before ``real_keyring`` deletes the test's entries.
    """
    with keyring_lock():
        yield real_keyring


def secret_service_pid() -> int:
    """The pid of the process that owns org.freedesktop.secrets on this session bus.

    Asked of the bus itself, so it is right however the daemon was started;
    $CI_GKD_PID (set by .ci/run and devbus.env) must agree when it is set.
    """
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with closing(open_dbus_connection(bus="SESSION")) as connection:
        reply = connection.send_and_get_reply(message_bus.GetConnectionUnixProcessID("org.freedesktop.secrets"))
    pid = int(reply.body[0])
    announced = os.environ.get("CI_GKD_PID")
    if announced and int(announced) != pid:
        raise AssertionError(f"CI_GKD_PID={announced}, but the bus says the Secret Service is pid {pid}")
    return pid


@contextmanager
def hung_secret_service() -> Iterator[int]:
    """The Secret Service daemon stopped (SIGSTOP) for the body: every call to it hangs.

    It is always continued (SIGCONT) afterwards, however the body ends.
    """
    import signal

    pid = secret_service_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGCONT)
