"""An in-memory stand-in for the Windows credential API that keyring's Windows backend calls.

No Windows machine runs these tests, and Credential Manager exists only on
Windows, so keyring's real `WinVaultKeyring` is run over this instead of
`win32cred`/`pywintypes`. It copies what keyring sees from pywin32-ctypes
(keyring's first choice; pywin32 behaves the same for these calls):

- `CredRead(TargetName, Type, Flags=0)`, `CredWrite(Credential, Flags=0)`,
  `CredDelete(TargetName, Type, Flags=0)`, with keyring calling them by
  keyword or position as it does;
- `CredWrite` takes the fields Type, TargetName, Persist, UserName, Comment,
  CredentialBlob (anything else is a ValueError, as in pywin32-ctypes),
  stores the blob as UTF-16-LE without a terminator, and replaces an
  existing entry of the same target and type in place;
- `CredRead` returns a new dict of those six fields, the blob as bytes;
- target names are case-insensitive, as in Credential Manager;
- a missing target raises `pywintypes.error(1168, "CredRead" or "CredDelete",
  "Element not found.")`, the error keyring checks for "not found";
- a Persist outside CRED_PERSIST_SESSION..ENTERPRISE is refused with
  ERROR_INVALID_PARAMETER (87), as Windows refuses it.
"""

from __future__ import annotations

import types

import pytest

ERROR_NOT_FOUND = 1168
ERROR_INVALID_PARAMETER = 87
CRED_TYPE_GENERIC = 1
CRED_PERSIST_SESSION = 1
CRED_PERSIST_LOCAL_MACHINE = 2
CRED_PERSIST_ENTERPRISE = 3
_FIELDS = frozenset({"Type", "TargetName", "Persist", "UserName", "Comment", "CredentialBlob"})


class error(Exception):  # noqa: N801 - pywintypes' own name
    """pywintypes.error: (winerror, funcname, strerror)."""

    def __init__(self, *args):
        self.winerror = args[0] if len(args) > 0 else None
        self.funcname = args[1] if len(args) > 1 else None
        self.strerror = args[2] if len(args) > 2 else None
        super().__init__(*args)


class CredentialVault:
    """The credentials of one Windows user: target -> fields."""

    def __init__(self) -> None:
        self.entries: dict[tuple[int, str], dict] = {}

    def module(self) -> types.SimpleNamespace:
        """A `win32cred` module over this vault. Like pywin32-ctypes, it has no
        CRED_PERSIST_LOCAL_MACHINE name (only CRED_PERSIST_ENTERPRISE)."""
        return types.SimpleNamespace(
            CRED_TYPE_GENERIC=CRED_TYPE_GENERIC,
            CRED_PERSIST_ENTERPRISE=CRED_PERSIST_ENTERPRISE,
            CRED_PRESERVE_CREDENTIAL_BLOB=0,
            CredRead=self.CredRead,
            CredWrite=self.CredWrite,
            CredDelete=self.CredDelete,
        )

    def CredWrite(self, Credential, Flags=0):  # noqa: N802, N803 - the API's names
        unsupported = set(Credential) - _FIELDS
        if unsupported:
            raise ValueError(f"Unsupported keys: {unsupported}")
        if Flags != 0:
            raise ValueError("flag != 0 not yet supported")
        if Credential.get("Type") != CRED_TYPE_GENERIC or not Credential.get("TargetName"):
            raise error(ERROR_INVALID_PARAMETER, "CredWrite", "The parameter is incorrect.")
        if Credential.get("Persist") not in (CRED_PERSIST_SESSION, CRED_PERSIST_LOCAL_MACHINE, CRED_PERSIST_ENTERPRISE):
            raise error(ERROR_INVALID_PARAMETER, "CredWrite", "The parameter is incorrect.")
        blob = Credential.get("CredentialBlob", "")
        self.entries[self._key(Credential["Type"], Credential["TargetName"])] = {
            "Type": Credential["Type"],
            "TargetName": Credential["TargetName"],
            "Persist": Credential["Persist"],
            "UserName": Credential.get("UserName"),
            "Comment": Credential.get("Comment"),
            "CredentialBlob": blob.encode("utf-16-le"),
        }

    def CredRead(self, TargetName, Type, Flags=0):  # noqa: N802, N803
        if Type != CRED_TYPE_GENERIC:
            raise ValueError("Type != CRED_TYPE_GENERIC not yet supported")
        try:
            return dict(self.entries[self._key(Type, TargetName)])
        except KeyError:
            raise error(ERROR_NOT_FOUND, "CredRead", "Element not found.") from None

    def CredDelete(self, TargetName, Type, Flags=0):  # noqa: N802, N803
        if Type != CRED_TYPE_GENERIC:
            raise ValueError("Type != CRED_TYPE_GENERIC not yet supported.")
        if self.entries.pop(self._key(Type, TargetName), None) is None:
            raise error(ERROR_NOT_FOUND, "CredDelete", "Element not found.")

    def secrets(self) -> dict[str, str]:
        """Target name -> the key it holds."""
        return {entry["TargetName"]: entry["CredentialBlob"].decode("utf-16-le") for entry in self.entries.values()}

    @staticmethod
    def _key(kind: int, target: str) -> tuple[int, str]:
        return kind, target.casefold()


@pytest.fixture
def windows_vault(monkeypatch) -> CredentialVault:
    """keyring's real Windows backend module, wired to an empty in-memory vault."""
    from keyring.backends import Windows

    vault = CredentialVault()
    monkeypatch.setattr(Windows, "win32cred", vault.module(), raising=False)
    monkeypatch.setattr(Windows, "pywintypes", types.SimpleNamespace(error=error), raising=False)
    return vault
