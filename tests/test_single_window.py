"""One lsdesk window per profile: a second start brings the first window forward
and ends. Real processes of `lsdesk --sandbox`, on the test's screen."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from platformdirs import user_log_path

from lsdesk.gui.app import ENDED_BY_SIGTERM, FIRST_PAINT_REPORT
from lsdesk.gui.single_window import server_name

HANG_GUARD_S = 45  # a guard against hanging, not a timing target
BROUGHT_FORWARD = "another start of lsdesk asked for this window; bringing it forward"


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """A state folder (so a socket name and log file) and a runtime folder of this
    test's own, shared by the processes it starts."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))


def start_lsdesk() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lsdesk", "--sandbox"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def start_again() -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lsdesk", "--sandbox"], capture_output=True, text=True, timeout=HANG_GUARD_S
    )


def log_file() -> Path:
    return user_log_path("lsdesk", appauthor=False) / "lsdesk.log"


def wait_until_drawn(process: subprocess.Popen) -> None:
    """lsdesk opens its log file once its window is drawn: it listens for other starts by then."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not log_file().exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the window was never drawn"
        time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.communicate()


def assert_brought_forward_quietly(second: subprocess.CompletedProcess) -> None:
    """The later start ended at once, said nothing, and the open window logged that it came forward."""
    assert second.returncode == 0
    assert second.stderr == ""
    assert BROUGHT_FORWARD in log_file().read_text(encoding="utf-8")


def test_a_second_start_brings_the_open_window_forward_and_ends_quietly():
    """Before: every start opened another window, with another tray icon (status-model issue, item 13)."""
    first = start_lsdesk()
    try:
        wait_until_drawn(first)
        assert_brought_forward_quietly(start_again())
        assert first.poll() is None  # the first window stays open
    finally:
        stop(first)


def test_a_socket_left_by_a_crashed_lsdesk_does_not_stop_the_next_start():
    crashed = start_lsdesk()
    wait_until_drawn(crashed)
    stop(crashed)  # SIGKILL: nothing is cleaned up
    assert Path(server_name("default", sandbox=True)).exists()  # the socket file is still there
    log_file().unlink()

    restarted = start_lsdesk()
    try:
        wait_until_drawn(restarted)
        assert_brought_forward_quietly(start_again())
    finally:
        stop(restarted)


def test_sigterm_ends_the_sandbox_window_as_quit_does_and_leaves_no_temporary_folder(tmp_path, monkeypatch):
    """Before: a signed-out desktop or a `kill` ended lsdesk where it stood, and each sandbox run left its
    temporary folder (the rotation journal, the keys' dates) behind. On the way, the window tells when it was
    first drawn to the file the benchmarks name."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    painted = tmp_path / "painted"  # the moment the benchmarks read from outside (tests/benchmarks/bundle.py)
    monkeypatch.setenv(FIRST_PAINT_REPORT, str(painted))
    started = time.monotonic()
    process = start_lsdesk()
    try:
        wait_until_drawn(process)
        deadline = time.monotonic() + HANG_GUARD_S
        while not painted.exists():
            assert time.monotonic() < deadline, "the first paint was never reported"
            time.sleep(0.05)
        assert started < float(painted.read_text(encoding="utf-8")) < time.monotonic()
        assert [path.name[:15] for path in scratch.iterdir()] == ["lsdesk-sandbox-"]
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=HANG_GUARD_S)
    finally:
        if process.poll() is None:
            stop(process)

    assert process.returncode == 0, err
    assert list(scratch.iterdir()) == []
    assert ENDED_BY_SIGTERM in log_file().read_text()
