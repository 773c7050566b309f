"""One writer per profile: a save and a rotation of the same key never interleave.

Real processes throughout: a second process holds the lock, and a real
`lsdesk rotate`-like child is paused (SIGSTOP) half-way through its swap, on
the real Secret Service, while the real `lsdesk save` runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import keyring
import keyring.errors
import pytest

from lsdesk.core.keystore import credential_service
from lsdesk.core.paths import state_dir
from lsdesk.core.profile_lock import BUSY_MESSAGE, ProfileLock
from lsdesk.core.rotation import RotationJournal
from lsdesk.sandbox import DEMO_KEY
from tests.keyring_fixtures import remove_every_slot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP and /proc are POSIX/Linux")

CHILD_DEADLINE_S = 60  # only a bound on a hung child; no test asserts on time

HOLD_LOCK = """
import sys
from pathlib import Path
from lsdesk.core.profile_lock import ProfileLock

lock = ProfileLock(Path(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
sys.stdin.readline()  # until the test says so
lock.release()
print("released", flush=True)
"""

# A rotation that stops itself (SIGSTOP) right before it writes the new key into the
# keychain: it holds the profile's lock, with the old key still saved.
PAUSE_IN_ROTATION = """
import os, signal, sys
from lsdesk.core.client import LessonspaceClient
from lsdesk.core.keystore import SystemKeyStore
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.core.paths import state_dir
from lsdesk.core.rotation import RotationJournal, pending_slot, rotate_key
from lsdesk.sandbox import DEMO_ORGANISATION_ID

api_url, profile, new_key = sys.argv[1:]


class PausingStore(SystemKeyStore):
    def set(self, name, key):
        if name == pending_slot(profile):
            os.kill(os.getpid(), signal.SIGSTOP)
        super().set(name, key)


with LessonspaceClient(api_url, min_check_interval=0) as client:
    result = rotate_key(
        client, PausingStore(), profile, new_key, RotationJournal(state_dir() / "rotation"),
        current=outcome(State.VALID, "Checked.", organisation=Organisation(DEMO_ORGANISATION_ID)),
    )
print("rotated" if result.rotated else result.outcome.message, flush=True)
"""


# -- ProfileLock.acquire(wait_seconds) --------------------------------------------------------------


@pytest.fixture
def holder(tmp_path):
    """Another process that holds the lock at tmp_path/p.lock until told to let go."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "p.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline() == "held\n"
    yield child
    if child.poll() is None:
        child.kill()
    child.communicate(timeout=CHILD_DEADLINE_S)


def let_go(child: subprocess.Popen) -> None:
    child.stdin.write("\n")
    child.stdin.flush()


def test_a_lock_released_while_waiting_is_taken(tmp_path, holder):
    lock = ProfileLock(tmp_path / "p.lock")
    assert not ProfileLock(tmp_path / "p.lock").acquire()  # held right now
    # The holder lets go a moment after the wait began; the wait outlasts any slowness.
    threading.Timer(0.3, let_go, args=(holder,)).start()
    try:
        assert lock.acquire(wait_seconds=CHILD_DEADLINE_S)
        assert holder.stdout.readline() == "released\n"  # it was the holder's release that let it in
    finally:
        lock.release()


def test_a_lock_held_throughout_the_wait_is_not_taken(tmp_path, holder):
    lock = ProfileLock(tmp_path / "p.lock")
    assert not lock.acquire(wait_seconds=0.3)
    let_go(holder)
    assert holder.stdout.readline() == "released\n"
    assert lock.acquire()
    lock.release()


# -- lsdesk save while a rotation runs -----------------------------------------------------------


@pytest.fixture
def profile(real_keyring):
    name = f"writers-{uuid.uuid4().hex[:12]}"
    keyring.set_password(credential_service(name), name, DEMO_KEY)
    yield name
    remove_every_slot(name)
    RotationJournal(state_dir() / "rotation").clear(name)


@pytest.fixture
def paused_rotation(sandbox, profile):
    """A real rotation to a new key, stopped while it holds the profile's lock; yields (child, new key)."""
    new_key = sandbox.generate_key()
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSE_IN_ROTATION, sandbox.api_url, profile, new_key],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status = os.waitpid(child.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), "the rotation ended before it reached the keychain"
    yield child, new_key
    if child.poll() is None:
        child.kill()
        child.communicate(timeout=CHILD_DEADLINE_S)


def start_save(sandbox, profile: str, key: str) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-m", "lsdesk", "save", "--json", "--api-url", sandbox.api_url, "--profile", profile],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdin.write(key)
    child.stdin.close()
    child.stdin = None  # communicate() would flush it
    return child


def finish_rotation(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGCONT)
    out, err = child.communicate(timeout=CHILD_DEADLINE_S)
    assert child.returncode == 0, err
    assert out == "rotated\n"


def saved_key(profile: str) -> str | None:
    return keyring.get_password(credential_service(profile), profile)


def has_open(pid: int, path: Path) -> bool:
    """True if process `pid` has `path` open (Linux's /proc)."""
    try:
        return any(os.readlink(entry) == str(path) for entry in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # the process ended, or a descriptor closed while looked at
        return False


def test_a_save_during_a_rotation_is_refused_and_the_rotation_finishes(sandbox, profile, paused_rotation):
    """Before: the save stored its key and printed "saved": true, then the rotation
    overwrote it: the saved key was stored nowhere."""
    rotation, rotated_key = paused_rotation
    save = start_save(sandbox, profile, sandbox.generate_key())
    out, err = save.communicate(timeout=CHILD_DEADLINE_S)  # the rotation stays paused throughout
    assert save.returncode == 2, err
    document = json.loads(out.splitlines()[-1])
    assert document["saved"] is False
    assert BUSY_MESSAGE in document["detail"]
    assert saved_key(profile) == DEMO_KEY  # the rotation's old key, untouched

    finish_rotation(rotation)
    assert saved_key(profile) == rotated_key


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="looks in /proc")
def test_a_save_that_waits_for_a_rotation_saves_after_it(sandbox, profile, paused_rotation):
    """The save is let wait on the profile's lock (its descriptor on the lock file is
    seen in /proc), then the rotation goes on. The save's "saved": true must be the
    final word: its key is the one stored."""
    rotation, rotated_key = paused_rotation
    new_key = sandbox.generate_key()
    save = start_save(sandbox, profile, new_key)
    lock_file = state_dir() / "rotation" / f"{profile}.lock"
    while not has_open(save.pid, lock_file):
        assert save.poll() is None, save.communicate()
        threading.Event().wait(0.02)
    finish_rotation(rotation)
    out, err = save.communicate(timeout=CHILD_DEADLINE_S)
    document = json.loads(out.splitlines()[-1])
    if save.returncode == 0:
        assert document["saved"] is True
        assert saved_key(profile) == new_key
    else:  # the rotation outlasted the save's wait, on a very slow machine: refused, and said so
        assert save.returncode == 2, err
        assert BUSY_MESSAGE in document["detail"]
        assert saved_key(profile) == rotated_key
