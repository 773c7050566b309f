"""A rotation killed at every step, then the next launch: a working key is always kept.

A real child process rotates against the sandbox with the real Secret
Service and is killed (SIGKILL) right before or right after each change to
the credential store. Then the real `lsdesk check` runs, as the next launch
would, and must finish or roll back the rotation and say so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import keyring
import keyring.errors
import pytest

from lsdesk.core.keystore import credential_service
from lsdesk.core.paths import state_dir
from lsdesk.core.places import CHECKLISTS_FOLDER, Checklists
from lsdesk.core.rotation import RotationJournal, backup_slot, pending_slot
from lsdesk.sandbox import DEMO_KEY
from tests.keyring_fixtures import remove_every_slot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

DIE_AT = """
import os, signal, sys
from pathlib import Path
from lsdesk.core.client import LessonspaceClient
from lsdesk.core.keystore import SystemKeyStore
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.core.paths import state_dir
from lsdesk.core.desk import KeyDesk
from lsdesk.core.rotation import backup_slot, pending_slot
from lsdesk.sandbox import DEMO_ORGANISATION_ID

api_url, profile, new_key, operation, slot_kind, moment = sys.argv[1:]
# As in the window: the saved key was found valid before the new key was made
# (making it may have revoked the old one at once).
offered = outcome(
    State.VALID, "Checked before the new key was generated.", organisation=Organisation(DEMO_ORGANISATION_ID)
)
slot = {"main": profile, "backup": backup_slot(profile), "pending": pending_slot(profile)}[slot_kind]


class DyingStore(SystemKeyStore):
    # The real keychain, and a real death at one chosen moment.
    def set(self, name, key):
        self._die_if("set", name, "before")
        super().set(name, key)
        self._die_if("set", name, "after")

    def delete(self, name):
        self._die_if("delete", name, "before")
        super().delete(name)
        self._die_if("delete", name, "after")

    def _die_if(self, done, name, when):
        if (done, name, when) == (operation, slot, moment):
            os.kill(os.getpid(), signal.SIGKILL)


with LessonspaceClient(api_url) as client:
    # As the window and the command line rotate: through the desk, which writes the checklist first.
    KeyDesk.in_user_folders(client, DyingStore(), profile).rotate(new_key, current=offered)
print("the rotation finished without being killed")
"""

CRASH_POINTS = [
    ("set", "pending", "before"),
    ("set", "pending", "after"),
    ("set", "backup", "before"),
    ("set", "backup", "after"),
    ("set", "main", "before"),
    ("set", "main", "after"),
    ("delete", "backup", "before"),
    ("delete", "backup", "after"),
    ("delete", "pending", "before"),
    ("delete", "pending", "after"),
]
# From this point on the new key is in the keychain, so it must be the one kept.
NEW_KEY_SAVED_FROM = CRASH_POINTS.index(("set", "pending", "after"))
# From this point on the journal says the rotation is only removing its spare copies.
TIDYING_UP_FROM = CRASH_POINTS.index(("delete", "backup", "before"))


@pytest.fixture
def profile(real_keyring):
    name = f"crash-{uuid.uuid4().hex[:12]}"
    keyring.set_password(credential_service(name), name, DEMO_KEY)
    yield name
    remove_every_slot(name)
    RotationJournal(state_dir() / "rotation").clear(name)
    Checklists(state_dir() / CHECKLISTS_FOLDER).forget(name)


@pytest.mark.parametrize("point", CRASH_POINTS, ids=lambda point: "-".join(point))
@pytest.mark.parametrize("revoke_previous", [False, True], ids=["old-key-still-works", "old-key-revoked"])
def test_a_rotation_killed_at_any_step_is_recovered_at_the_next_launch(sandbox, profile, point, revoke_previous):
    new_key = sandbox.generate_key(revoke_previous=revoke_previous)
    killed = subprocess.run(
        [sys.executable, "-c", DIE_AT, sandbox.api_url, profile, new_key, *point],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr

    journal = RotationJournal(state_dir() / "rotation")
    assert journal.read(profile) is not None  # the crash left its trace
    stored = {
        keyring.get_password(credential_service(slot), slot)
        for slot in (profile, backup_slot(profile), pending_slot(profile))
    }
    if CRASH_POINTS.index(point) >= NEW_KEY_SAVED_FROM:
        assert new_key in stored  # the new key is in the keychain even now
    else:
        assert DEMO_KEY in stored  # the old key still is

    launch = subprocess.run(
        [sys.executable, "-m", "lsdesk", "check", "--json", "--api-url", sandbox.api_url, "--profile", profile],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    if CRASH_POINTS.index(point) >= TIDYING_UP_FROM:
        # The new key was saved and read back: the rotation completed, and
        # removing its spare copies is done without an "interrupted" notice.
        assert "interrupted" not in launch.stderr
    else:
        assert "key rotation was interrupted" in launch.stderr
    kept = keyring.get_password(credential_service(profile), profile)
    if CRASH_POINTS.index(point) >= NEW_KEY_SAVED_FROM:
        assert kept == new_key  # the rotation was finished
        assert launch.returncode == 0
        assert json.loads(launch.stdout.splitlines()[-1])["state"] == "valid"
    else:
        assert kept == DEMO_KEY  # rolled back: the new key had not reached the keychain
        assert launch.returncode == (1 if revoke_previous else 0)
    assert keyring.get_password(credential_service(backup_slot(profile)), backup_slot(profile)) is None
    assert keyring.get_password(credential_service(pending_slot(profile)), pending_slot(profile)) is None
    assert journal.read(profile) is None
    # The checklist of the places to update was written before the crash: it counts once the rotation is finished.
    checklist = Checklists(state_dir() / CHECKLISTS_FOLDER).of(profile)
    assert checklist is not None and checklist.key_ending == new_key[-4:]
    assert checklist.counts_for(kept[-4:]) is (CRASH_POINTS.index(point) >= NEW_KEY_SAVED_FROM)
