"""Windows Credential Manager, as lsdesk needs it.

keyring's `WinVaultKeyring` simulates several user names per service: when
an entry exists under a service name, `set_password` first copies it to the
target `<user>@<service>`, then overwrites it. That copy is never removed
by a later write, so every overwrite of a key would leave the previous key
behind in Credential Manager. lsdesk gives every slot its own service name
(see keystore), so it needs none of that: `CredWrite` replaces a target in
place, in one call, and no moment exists at which the key is not stored.

Entries are kept on this computer only (`CRED_PERSIST_LOCAL_MACHINE`), not
the roaming `CRED_PERSIST_ENTERPRISE` keyring uses by default, which copies
credentials to every computer a domain user signs in to.

Importing this module is harmless on other systems: keyring's Windows
module loads without win32cred, and this class is only built on Windows.
"""

from __future__ import annotations

from keyring.backends.Windows import WinVaultKeyring

# wincred.h. pywin32-ctypes (keyring's first choice) has no name for it, so
# keyring's own "local machine" spelling would fail there.
CRED_PERSIST_LOCAL_MACHINE = 2


class LocalMachineVault(WinVaultKeyring):
    """keyring's Windows backend, writing each entry in place and for this computer only."""

    def __init__(self) -> None:
        super().__init__()
        self.persist = CRED_PERSIST_LOCAL_MACHINE

    def set_password(self, service: str, username: str, password: str) -> None:
        # keyring's own write, without its copy of the previous entry to "<user>@<service>".
        self._set_password(service, username, str(password))
