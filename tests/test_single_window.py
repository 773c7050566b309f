"""One lsdesk window per profile: a second start brings the first window forward
and ends. Real processes of `lsdesk --sandbox`, on the test's screen."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from platformdirs import user_log_path

from lsdesk.gui.app import ENDED_BY_SIGTERM, FIRST_PAINT_REPORT
from lsdesk.gui.single_window import QtSingleWindow, UnixSingleWindow, server_name

HANG_GUARD_S = 45  # a guard against hanging, not a timing target
BROUGHT_FORWARD = "another start of lsdesk asked for this window; bringing it forward"


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """A state folder (so a log file) and a runtime folder (so a socket) of this
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


ASK = (
    "from PySide6.QtCore import QCoreApplication\n"
    "from lsdesk.gui import single_window\n"
    "app = QCoreApplication([])\n"
    "print(single_window.{kind}({name!r}).ask_running_to_show())\n"
)


# Windows keeps the named pipe of Qt's QtSingleWindow, which cannot run there in CI: on Linux, Qt's local socket is
# a Unix socket, so each kind is tested against the other, in both roles.
@pytest.mark.parametrize(
    ("listening", "asking"),
    [(UnixSingleWindow, UnixSingleWindow), (UnixSingleWindow, QtSingleWindow), (QtSingleWindow, UnixSingleWindow)],
    ids=["unix-unix", "unix-qt", "qt-unix"],
)
def test_a_later_start_is_answered_and_the_window_asked_for(qtbot, tmp_path, listening, asking):
    name = str(tmp_path / "lsdesk-test")
    first = listening(name)
    assert first.listen()
    asked = []
    first.show_requested.connect(lambda: asked.append(True))
    later = subprocess.Popen(  # a later start is a process of its own, as it is for real
        [sys.executable, "-c", ASK.format(kind=asking.__name__, name=name)], stdout=subprocess.PIPE, text=True
    )

    qtbot.waitUntil(lambda: later.poll() is not None, timeout=HANG_GUARD_S * 1000)

    assert later.communicate()[0].split() == ["True"]
    assert asked == [True]
    first.close()
    assert not Path(name).exists()


def test_nobody_listening_means_this_start_is_the_first(tmp_path):
    assert UnixSingleWindow(str(tmp_path / "lsdesk-nobody")).ask_running_to_show() is False


def test_the_socket_is_this_users_alone_and_a_stranger_gets_nothing(qtbot, tmp_path):
    name = str(tmp_path / "lsdesk-test")
    first = UnixSingleWindow(name)
    assert first.listen()
    asked = []
    first.show_requested.connect(lambda: asked.append(True))
    assert Path(name).stat().st_mode & 0o077 == 0

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stranger:
        stranger.settimeout(HANG_GUARD_S)
        stranger.connect(name)
        stranger.sendall(b"GET / HTTP/1.1\r\n\r\n")
        received = []
        reader = threading.Thread(target=lambda: received.append(stranger.recv(64)))
        reader.start()
        qtbot.waitUntil(lambda: bool(received), timeout=HANG_GUARD_S * 1000)
        reader.join()

    assert received == [b""]  # closed without an answer
    assert asked == []
    first.close()


def test_a_socket_file_left_behind_is_taken_over(qtbot, tmp_path):
    name = str(tmp_path / "lsdesk-test")
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(name)
    crashed.close()  # the file stays, nobody listens

    first = UnixSingleWindow(name)
    assert first.ask_running_to_show() is False
    assert first.listen()
    first.close()
