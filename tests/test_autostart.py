"""Start lsdesk when the admin signs in: each system's own entry, and `lsdesk --background`.

The Linux entry is written for real and checked with desktop-file-validate. macOS and Windows
cannot run here: their entries are checked by what lsdesk would write (a launchd plist, the
Run value's command line), and the Windows registry calls go to a stand-in of winreg that keeps
values per key as the real one does.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
import time

import pytest

from lsdesk.core import autostart
from lsdesk.core.autostart import BACKGROUND, LAUNCH_AGENT, RUN_KEY, RUN_VALUE, Autostart, lsdesk_command
from tests.test_single_window import BROUGHT_FORWARD, HANG_GUARD_S, log_file, own_folders, start_again, stop  # noqa: F401

COMMAND = ["/opt/lsdesk/lsdesk"]


@pytest.fixture
def linux(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return Autostart(COMMAND, platform="linux", home=tmp_path)


def test_the_linux_entry_is_a_valid_xdg_autostart_file_that_starts_lsdesk_in_the_background(linux, tmp_path):
    assert not linux.is_enabled()
    linux.enable()
    path = tmp_path / "config" / "autostart" / "lsdesk.desktop"
    assert linux.path() == path and linux.is_enabled()
    text = path.read_text(encoding="utf-8")
    assert "Exec=/opt/lsdesk/lsdesk --background\n" in text
    linux.disable()
    assert not path.exists() and not linux.is_enabled()
    linux.disable()  # turning it off twice is no error


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None and not os.environ.get("LSDESK_REQUIRE_REAL_KEYRING"),
    reason="needs desktop-file-utils (installed by .ci/run)",
)
def test_desktop_file_validate_finds_nothing_wrong_with_the_linux_entry(linux):
    linux.enable()
    checked = subprocess.run(["desktop-file-validate", str(linux.path())], capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and checked.stdout.strip() == "", checked.stdout


def test_an_exec_line_quotes_what_the_desktop_entry_specification_asks(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entry = Autostart(["/home/a b/lsdesk 100%", 'say "hi" $HOME'], platform="linux", home=tmp_path)
    exec_line = next(line for line in entry.content().splitlines() if line.startswith("Exec="))
    assert exec_line == 'Exec="/home/a b/lsdesk 100%%" "say \\\\"hi\\\\" \\\\$HOME" --background'


def test_the_macos_entry_is_a_launch_agent_that_runs_at_load(tmp_path):
    entry = Autostart(COMMAND, platform="darwin", home=tmp_path)
    assert entry.path() == tmp_path / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"
    agent = plistlib.loads(entry.content().encode())
    assert agent == {"Label": LAUNCH_AGENT, "ProgramArguments": [*COMMAND, BACKGROUND], "RunAtLoad": True}
    entry.enable()
    assert plistlib.loads(entry.path().read_bytes()) == agent and entry.is_enabled()
    entry.disable()
    assert not entry.is_enabled()


class Registry:
    """winreg's calls that lsdesk makes, over values kept per key: no Windows machine runs the tests."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1
    KEY_SET_VALUE = 2

    def __init__(self):
        self.keys: dict[str, dict[str, tuple[int, str]]] = {}

    def _values(self, root, path, create=False) -> dict:
        name = f"{root}\\{path}"
        if name not in self.keys:
            if not create:
                raise FileNotFoundError(2, "The system cannot find the file specified")
            self.keys[name] = {}
        return self.keys[name]

    def OpenKey(self, root, path, reserved=0, access=0):  # noqa: N802 - winreg's name
        return _Handle(self._values(root, path))

    def CreateKey(self, root, path):  # noqa: N802 - winreg's name
        return _Handle(self._values(root, path, create=True))

    def QueryValueEx(self, key, name):  # noqa: N802 - winreg's name
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        kind, value = key.values[name]
        return value, kind

    def SetValueEx(self, key, name, reserved, kind, value):  # noqa: N802 - winreg's name
        key.values[name] = (kind, value)

    def DeleteValue(self, key, name):  # noqa: N802 - winreg's name
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del key.values[name]


class _Handle:
    def __init__(self, values):
        self.values = values

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_windows_entry_is_the_per_user_run_value_with_a_quoted_command_line(monkeypatch):
    registry = Registry()
    monkeypatch.setitem(sys.modules, "winreg", registry)
    entry = Autostart([r"C:\Program Files\lsdesk\lsdesk.exe"], platform="win32")
    assert entry.path() is None
    assert entry.content() == r'"C:\Program Files\lsdesk\lsdesk.exe" --background'
    assert not entry.is_enabled()
    entry.enable()
    assert registry.keys[f"HKCU\\{RUN_KEY}"][RUN_VALUE] == (Registry.REG_SZ, entry.content())
    assert entry.is_enabled()
    entry.disable()
    assert not entry.is_enabled()
    entry.disable()


def test_the_command_is_this_lsdesk(monkeypatch):
    assert lsdesk_command() == [sys.executable, "-m", "lsdesk"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert lsdesk_command() == [sys.executable]


def test_settings_turns_starting_at_sign_in_on_and_off(open_window, tmp_path, qtbot):
    window = open_window()
    dialog = window.open_preferences()
    assert not dialog.start_at_sign_in.isChecked()
    dialog.start_at_sign_in.setChecked(True)
    dialog.accept()
    assert window.autostart.is_enabled()
    assert f"{BACKGROUND}\n" in window.autostart.path().read_text(encoding="utf-8")
    dialog = window.open_preferences()
    assert dialog.start_at_sign_in.isChecked()  # read from the entry itself
    dialog.start_at_sign_in.setChecked(False)
    dialog.accept()
    assert not window.autostart.is_enabled()


def test_background_starts_without_the_window_and_a_second_start_opens_it():
    """`lsdesk --background`, as the sign-in entry starts it: the watch runs, the window stays closed
    until lsdesk is started again."""
    first = subprocess.Popen(
        [sys.executable, "-m", "lsdesk", "--sandbox", "--background"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while "started in the background" not in (log_file().read_text() if log_file().exists() else ""):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "lsdesk did not start in the background"
            time.sleep(0.05)
        assert BROUGHT_FORWARD not in log_file().read_text()
        second = start_again()
        assert second.returncode == 0, second.stderr
        deadline = time.monotonic() + HANG_GUARD_S
        while BROUGHT_FORWARD not in log_file().read_text():
            assert time.monotonic() < deadline, "the background lsdesk never opened its window"
            time.sleep(0.05)
    finally:
        stop(first)


def test_autostart_writes_nothing_but_its_entry(linux, tmp_path):
    linux.enable()
    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file())
    assert [str(path) for path in written] == ["config/autostart/lsdesk.desktop"]
    assert autostart.RUN_VALUE == "lsdesk"
