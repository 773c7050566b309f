"""A 429's Retry-After holds across processes (item 16 of issue 9).

`lsdesk check` run by a scheduler must not ask Lessonspace again before the wait it asked for is
over. Real child processes, the real Secret Service, and the sandbox on loopback counting requests.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import keyring
import pytest

from lsdesk.core.client import LessonspaceClient
from lsdesk.core.desk import KeyDesk
from lsdesk.core.history import History
from lsdesk.core.keystore import SERVICE_NAME, MemoryKeyStore
from lsdesk.core.outcome import State
from lsdesk.core.retry_after import RetryAfterMemory
from lsdesk.core.rotation import RotationJournal, backup_slot
from lsdesk.sandbox import DEMO_KEY


@pytest.fixture
def profile(real_keyring):
    """A profile of the real `lsdesk` keychain entry, holding the demo key, that only this test uses."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    keyring.set_password(SERVICE_NAME, name, DEMO_KEY)
    yield name
    for slot in (name, backup_slot(name)):
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE_NAME, slot)


def lsdesk_check(api_url: str, profile: str, state_home: Path) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "lsdesk", "check", "--json", "--api-url", api_url, "--profile", profile],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "XDG_STATE_HOME": str(state_home)},
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout.strip().splitlines()[-1])


def hello_requests(sandbox) -> int:
    return [path for _method, path, _auth in sandbox.request_log].count("/v2/hello/")


def test_repeated_check_processes_ask_once_within_retry_after(sandbox, profile, tmp_path):
    """Before: every run asked again (8 runs in 3 s sent 16 requests into Retry-After: 60)."""
    sandbox.faults.status = 429
    sandbox.faults.retry_after = "60"

    runs = [lsdesk_check(sandbox.api_url, profile, tmp_path / "state") for _ in range(4)]

    assert hello_requests(sandbox) == 1  # one check; its my-organisation/ went out beside it
    assert sandbox.request_count == 2
    for code, result in runs:
        assert (code, result["state"]) == (4, "rate_limited")
        assert 1 <= result["retry_after"] <= 60
        assert "seconds, then try again" in result["detail"]
    assert runs[0][1]["retry_after"] == 60
    assert runs[-1][1]["key_ending"] == DEMO_KEY[-4:]
    # Non-secret: the profile and when the wait ends.
    saved = json.loads((tmp_path / "state" / "lsdesk" / "rotation" / "retry-after" / f"{profile}.json").read_text())
    assert set(saved) == {"profile", "not_before"} and saved["profile"] == profile


def test_a_429_without_retry_after_is_not_remembered_and_says_null(sandbox, profile, tmp_path):
    sandbox.faults.status = 429
    first = lsdesk_check(sandbox.api_url, profile, tmp_path / "state")
    second = lsdesk_check(sandbox.api_url, profile, tmp_path / "state")
    assert first[1]["retry_after"] is None and second[1]["retry_after"] is None
    assert hello_requests(sandbox) == 2


def desk_for(api_url: str, folder: Path, store: MemoryKeyStore) -> tuple[LessonspaceClient, KeyDesk]:
    client = LessonspaceClient(api_url, timeout=5, min_check_interval=0)
    return client, KeyDesk(client, store, "default", journal=RotationJournal(folder), history=History(None))


def test_the_windows_checks_of_the_saved_key_respect_a_wait_another_process_saved(sandbox, tmp_path):
    # The window's worker builds its KeyDesk from the journal's folder, as here: a new client
    # (a new process) still waits.
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    sandbox.faults.status = 429
    sandbox.faults.retry_after = "30"
    client, desk = desk_for(sandbox.api_url, tmp_path / "rotation", store)
    with client:
        assert desk.check_stored().state is State.RATE_LIMITED
    sandbox.faults.reset()
    sent = sandbox.request_count

    client, desk = desk_for(sandbox.api_url, tmp_path / "rotation", store)
    with client:
        again = desk.check_stored()
    assert again.state is State.RATE_LIMITED
    assert 0 < again.retry_after <= 30
    assert sandbox.request_count == sent


@pytest.mark.parametrize(
    "content",
    [
        b"garbage{",
        b"[]",
        b'{"profile": "default", "not_before": "tomorrow"}',
        b'{"profile": "other", "not_before": "2999-01-01T00:00:00+00:00"}',
        b'{"profile": "default", "not_before": "2999-01-01T00:00:00+00:00"}',
    ],
    ids=["garbage", "list", "bad date", "another profile", "far future"],
)
def test_a_damaged_wait_file_is_ignored(sandbox, tmp_path, caplog, content):
    folder = tmp_path / "rotation" / "retry-after"
    folder.mkdir(parents=True)
    (folder / "default.json").write_bytes(content)
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    client, desk = desk_for(sandbox.api_url, tmp_path / "rotation", store)
    with caplog.at_level(logging.WARNING), client:
        assert desk.check_stored().state is State.VALID


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_a_fifo_in_place_of_the_wait_file_is_never_opened(sandbox, tmp_path, caplog):
    folder = tmp_path / "retry-after"
    folder.mkdir()
    os.mkfifo(folder / "default.json")
    with caplog.at_level(logging.WARNING):
        assert RetryAfterMemory(folder).remaining("default") is None


def test_the_wait_is_written_whole_and_leaves_no_temporary_file(tmp_path):
    memory = RetryAfterMemory(tmp_path / "retry-after")
    memory.remember("default", 60)
    memory.remember("default", 30)
    assert [path.name for path in (tmp_path / "retry-after").iterdir()] == ["default.json"]
    assert 25 < memory.remaining("default") <= 30
    assert memory.remaining("other") is None


@pytest.mark.parametrize("operation", ["save", "rotate"])
def test_a_new_key_saved_is_not_held_back_by_the_old_keys_wait(sandbox, tmp_path, operation):
    """Before: right after a new key was saved, a check answered "rate limited" from the
    wait Lessonspace had asked of the old key, and sent nothing."""
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    waits = RetryAfterMemory(tmp_path / "retry-after")
    with LessonspaceClient(sandbox.api_url, min_check_interval=0) as client:
        desk = KeyDesk(
            client,
            store,
            "default",
            journal=RotationJournal(tmp_path / "rotation"),
            history=History(tmp_path / "history.jsonl"),
            waits=waits,
        )
        current = desk.check_stored()
        waits.remember("default", 120)  # a 429 for the old key, remembered by another process
        new_key = sandbox.generate_key()
        if operation == "save":
            assert desk.save(new_key).saved
        else:
            assert desk.rotate(new_key, current=current).rotated
        assert waits.remaining("default") is None
        asked = hello_requests(sandbox)
        assert desk.check_stored().state is State.VALID
    assert hello_requests(sandbox) == asked + 1
    assert store.get("default") == new_key


def test_a_save_that_fails_keeps_the_wait(sandbox, tmp_path):
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    waits = RetryAfterMemory(tmp_path / "retry-after")
    waits.remember("default", 120)
    with LessonspaceClient(sandbox.api_url, min_check_interval=0) as client:
        desk = KeyDesk(
            client,
            store,
            "default",
            journal=RotationJournal(tmp_path / "rotation"),
            history=History(tmp_path / "history.jsonl"),
            waits=waits,
        )
        assert not desk.save("11111111-2222-4333-8444-555555555555").saved  # Lessonspace refuses it
    assert waits.remaining("default") is not None
