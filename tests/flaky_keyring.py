"""A keychain that misbehaves on purpose.

A test double, used only where no real credential store can be made to fail
on demand: a write refused, a value handed back different from the one
given, or an arbitrary error from the backend.
"""

from __future__ import annotations

import keyring.errors
from keyring.backend import KeyringBackend
from keyring.compat import properties


class FlakyBackend(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's classproperty passes the class
        # keyring registers every backend class it sees; a priority that
        # raises keeps this one out of its automatic choice.
        raise RuntimeError("a test double, only used when handed in directly")

    def __init__(
        self,
        *,
        fail_set: bool = False,
        fail_set_for: frozenset[str] = frozenset(),
        read_back: str | None = None,
        raise_on_use: Exception | None = None,
    ):
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}
        self.fail_set = fail_set
        self.fail_set_for = fail_set_for
        self.read_back = read_back
        self.raise_on_use = raise_on_use
        self.written: list[str] = []
        self.fail_deletes = False

    def get_password(self, service, username):
        if self.raise_on_use is not None:
            raise self.raise_on_use
        if self.read_back is not None and self.written:
            return self.read_back
        return self.values.get((service, username))

    def set_password(self, service, username, password):
        if self.raise_on_use is not None:
            raise self.raise_on_use
        if self.fail_set or username in self.fail_set_for:
            raise keyring.errors.PasswordSetError("write refused")
        self.written.append(password)
        self.values[(service, username)] = password

    def delete_password(self, service, username):
        if self.fail_deletes:
            raise keyring.errors.KeyringError("delete refused")
        if (service, username) not in self.values:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.values[(service, username)]
