"""The rotation journal is written durably: the old journal or the new one, never half, never a stray temp file.

A power cut cannot be made here, so the tests look at what a power cut
depends on, with real faults: a real file-size limit (RLIMIT_FSIZE) in a
child process, real folders in the way, and the system calls themselves as
strace records them (the rename, then an fsync of the folder).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys

import pytest

from lsdesk.core.rotation import RotationJournal, Step
from lsdesk.sandbox import DEMO_KEY

PROFILE = "default"
NEW_KEY = "11111111-2222-4333-8444-555555555555"
CHILD_DEADLINE_S = 60  # only a bound on a hung child; no test asserts on time


@pytest.fixture
def journal(tmp_path):
    return RotationJournal(tmp_path / "rotation")


def leftovers(journal: RotationJournal) -> list[str]:
    return sorted(name for name in os.listdir(journal.folder) if name.endswith(".tmp"))


def test_the_journal_is_readable_by_its_owner_only(journal):
    journal.write(PROFILE, Step.STAGING_NEW, old=DEMO_KEY, new=NEW_KEY)
    assert stat.S_IMODE(os.stat(journal.folder / f"{PROFILE}.json").st_mode) == 0o600


def test_stale_temporary_files_do_not_stop_the_journal_being_written(journal):
    """Before: the temporary file had one fixed name, so a folder left in its place
    (or any file lsdesk could not open there) stopped every rotation."""
    journal.folder.mkdir(parents=True)
    (journal.folder / f"{PROFILE}.tmp").mkdir()
    (journal.folder / f".{PROFILE}.leftover.tmp").write_bytes(b"\x00garbage")
    journal.write(PROFILE, Step.BACKING_UP, old=DEMO_KEY, new=NEW_KEY)
    assert journal.read(PROFILE)["step"] == Step.BACKING_UP.value


def test_a_rename_that_fails_leaves_no_temporary_file(journal):
    """A non-empty folder where the journal goes: the final rename fails."""
    (journal.folder / f"{PROFILE}.json" / "something").mkdir(parents=True)
    with pytest.raises(OSError):
        journal.write(PROFILE, Step.STAGING_NEW, old=DEMO_KEY, new=NEW_KEY)
    assert leftovers(journal) == []


WRITE_WITH_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from lsdesk.core.rotation import RotationJournal, Step

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))  # far less than one journal
try:
    RotationJournal(Path(sys.argv[1])).write(sys.argv[2], Step.STORING_NEW, old=sys.argv[3], new=sys.argv[4])
except OSError as error:
    print(type(error).__name__)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_that_runs_out_of_room_keeps_the_previous_journal_and_no_temporary_file(journal):
    journal.write(PROFILE, Step.STAGING_NEW, old=DEMO_KEY, new=NEW_KEY)
    before = (journal.folder / f"{PROFILE}.json").read_bytes()
    child = subprocess.run(
        [sys.executable, "-c", WRITE_WITH_A_FULL_DISK, str(journal.folder), PROFILE, DEMO_KEY, NEW_KEY],
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE_S,
    )
    assert child.stdout == "OSError\n", child.stderr
    assert (journal.folder / f"{PROFILE}.json").read_bytes() == before
    assert journal.read(PROFILE)["step"] == Step.STAGING_NEW.value
    assert leftovers(journal) == []


WRITE_ONCE = """
import sys
from pathlib import Path
from lsdesk.core.rotation import RotationJournal, Step

RotationJournal(Path(sys.argv[1])).write(sys.argv[2], Step.STORING_NEW, old=sys.argv[3], new=sys.argv[4])
"""


@pytest.mark.skipif(
    shutil.which("strace") is None and not os.environ.get("LSDESK_REQUIRE_REAL_KEYRING"),
    reason="needs strace (apt-get install strace; .ci/run installs it)",
)
def test_the_rename_is_made_durable_by_an_fsync_of_the_folder(journal):
    """Before: the file was fsynced but not its folder, so after a power cut the rename
    could be lost and recovery skipped."""
    journal.folder.mkdir(parents=True)
    folder = os.path.realpath(journal.folder)
    traced = subprocess.run(
        [
            "strace",
            "-f",
            "-y",
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2",
            sys.executable,
            "-c",
            WRITE_ONCE,
            folder,
            PROFILE,
            DEMO_KEY,
            NEW_KEY,
        ],
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE_S,
    )
    assert traced.returncode == 0, traced.stderr
    calls = [line for line in traced.stderr.splitlines() if re.search(r"\b(f(data)?sync|rename(at2?)?)\(", line)]
    journal_path = re.escape(f"{folder}/{PROFILE}.json")
    renamed = [index for index, line in enumerate(calls) if re.search(rf"rename.*{journal_path}\"", line)]
    assert len(renamed) == 1, calls
    before, after = calls[: renamed[0]], calls[renamed[0] + 1 :]
    assert any(re.search(rf"fsync\(\d+<{re.escape(folder)}/\.{PROFILE}\.[^>]*\.tmp>\)", line) for line in before), calls
    assert any(re.search(rf"fsync\(\d+<{re.escape(folder)}>\)", line) for line in after), calls
