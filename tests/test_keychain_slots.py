"""Every slot is an entry of its own in the real Secret Service, and a rotation leaves no extra entry.

The README promises that the extra slots a rotation uses exist only for a
moment. These tests list everything stored under the test's service name in
the real GNOME Keyring, so a stray entry of any name would show.
"""

from __future__ import annotations

import pytest

from lsdesk.core.keystore import SystemKeyStore, credential_service
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.core.rotation import RotationJournal, rotate_key
from lsdesk.core.usecases import save_key
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID
from tests.keyring_fixtures import stored_entries

PROFILE = "default"


@pytest.mark.parametrize("revoke_previous", [False, True], ids=["old-key-still-works", "old-key-revoked"])
def test_a_rotation_leaves_exactly_one_entry_holding_the_new_key(
    real_keyring, keyring_service, client, sandbox, tmp_path, revoke_previous
):
    store = SystemKeyStore(service=keyring_service)
    assert save_key(client, store, PROFILE, DEMO_KEY).saved
    new_key = sandbox.generate_key(revoke_previous=revoke_previous)

    result = rotate_key(
        client,
        store,
        PROFILE,
        new_key,
        RotationJournal(tmp_path),
        current=outcome(State.VALID, "Checked.", organisation=Organisation(DEMO_ORGANISATION_ID)),
    )

    assert result.rotated, result.outcome
    assert stored_entries(real_keyring, keyring_service) == {
        (credential_service(PROFILE, keyring_service), PROFILE): new_key
    }


def test_a_key_saved_under_the_old_shared_service_name_is_moved_to_its_own_entry(real_keyring, keyring_service):
    real_keyring.set_password(keyring_service, PROFILE, DEMO_KEY)  # how lsdesk saved it before

    assert SystemKeyStore(service=keyring_service).get(PROFILE) == DEMO_KEY

    assert stored_entries(real_keyring, keyring_service) == {
        (credential_service(PROFILE, keyring_service), PROFILE): DEMO_KEY
    }
