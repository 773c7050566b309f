"""Windows Credential Manager keeps no stale copy of a key, and keeps keys on this computer only.

keyring's real Windows backend (`WinVaultKeyring`) runs over an in-memory
stand-in for the Windows credential API (tests/windows_credentials.py says
why and how faithful it is). On the code before one-entry-per-slot, a full
rotation left two credentials: the new key under "lsdesk" and the old one
under "default@lsdesk", both roaming (CRED_PERSIST_ENTERPRISE).
"""

from __future__ import annotations

import pytest
from keyring.backends.Windows import WinVaultKeyring

from lsdesk.core.keystore import SystemKeyStore
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.core.rotation import RotationJournal, backup_slot, pending_slot, recover_rotation, rotate_key
from lsdesk.core.usecases import save_key
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME
from tests.windows_credentials import CRED_PERSIST_LOCAL_MACHINE, windows_vault  # noqa: F401 - a fixture

PROFILE = "default"
VALID_BEFORE = outcome(
    State.VALID,
    "Checked before the new key was generated.",
    organisation=Organisation(DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME),
)


def lsdesk_on_windows() -> SystemKeyStore:
    return SystemKeyStore(backend=WinVaultKeyring())


def old_lsdesk_rotation(backend: WinVaultKeyring, old: str, new: str) -> None:
    """What lsdesk before this change did to the keychain in a rotation: every slot under service "lsdesk"."""
    backend.set_password("lsdesk", PROFILE, old)  # the save before it
    backend.set_password("lsdesk", pending_slot(PROFILE), new)
    backend.set_password("lsdesk", backup_slot(PROFILE), old)
    backend.set_password("lsdesk", PROFILE, new)
    backend.delete_password("lsdesk", backup_slot(PROFILE))
    backend.delete_password("lsdesk", pending_slot(PROFILE))


def test_a_full_rotation_leaves_one_credential_holding_the_new_key_kept_on_this_computer(
    windows_vault, client, sandbox, tmp_path
):
    store = lsdesk_on_windows()
    assert save_key(client, store, PROFILE, DEMO_KEY).saved
    new_key = sandbox.generate_key(revoke_previous=True)

    result = rotate_key(client, store, PROFILE, new_key, RotationJournal(tmp_path), current=VALID_BEFORE)

    assert result.rotated, result.outcome
    assert windows_vault.secrets() == {"lsdesk:default": new_key}
    (entry,) = windows_vault.entries.values()
    assert entry["Persist"] == CRED_PERSIST_LOCAL_MACHINE
    assert entry["UserName"] == PROFILE
    assert store.get(PROFILE) == new_key


def test_overwriting_a_key_replaces_it_in_place(windows_vault):
    store = lsdesk_on_windows()
    store.set(PROFILE, DEMO_KEY)
    store.set(PROFILE, "11111111-2222-4333-8444-555555555555")
    assert windows_vault.secrets() == {"lsdesk:default": "11111111-2222-4333-8444-555555555555"}


def test_a_key_saved_the_old_way_is_moved_and_the_stale_copy_is_removed(windows_vault, sandbox):
    new_key = sandbox.generate_key(revoke_previous=False)
    old_lsdesk_rotation(WinVaultKeyring(), DEMO_KEY, new_key)
    # The fault itself, with keyring's real backend: the old key stayed behind.
    assert windows_vault.secrets() == {"lsdesk": new_key, "default@lsdesk": DEMO_KEY}

    assert lsdesk_on_windows().get(PROFILE) == new_key

    assert windows_vault.secrets() == {"lsdesk:default": new_key}
    assert [entry["Persist"] for entry in windows_vault.entries.values()] == [CRED_PERSIST_LOCAL_MACHINE]


def test_a_rotation_interrupted_under_the_old_layout_is_recovered_and_leaves_one_credential(
    windows_vault, client, sandbox, tmp_path
):
    """Killed after the backup was written, before the new key reached the main slot (old layout)."""
    new_key = sandbox.generate_key(revoke_previous=True)
    old = WinVaultKeyring()
    old.set_password("lsdesk", PROFILE, DEMO_KEY)
    old.set_password("lsdesk", pending_slot(PROFILE), new_key)
    old.set_password("lsdesk", backup_slot(PROFILE), DEMO_KEY)
    journal = RotationJournal(tmp_path)
    from lsdesk.core.rotation import Step

    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=new_key)

    notice = recover_rotation(client, lsdesk_on_windows(), PROFILE, journal)

    assert notice is not None
    assert windows_vault.secrets() == {"lsdesk:default": new_key}


@pytest.mark.parametrize("slot", [PROFILE, pending_slot(PROFILE), backup_slot(PROFILE)])
def test_deleting_a_slot_removes_its_old_layout_entry_too(windows_vault, slot):
    WinVaultKeyring().set_password("lsdesk", slot, DEMO_KEY)
    lsdesk_on_windows().delete(slot)
    assert windows_vault.secrets() == {}
