"""The key never reaches the accessibility bus (issue 11, item 1).

Through the real stack, as a screen reader meets the window: a private
session bus with AT-SPI's own bus (at-spi-bus-launcher, which starts
at-spi2-registryd), the window in its own process under pytest-xvfb's X
screen with Qt's AT-SPI bridge on, and a client in another process
(tests/atspi/listener.py) that records every event and everything it can
read of each object. The client uses libatspi through Debian's
gir1.2-atspi-2.0 under /usr/bin/python3: it is the library Orca itself
reads the bus with, so events are registered for and decoded exactly as
Orca gets them (a hand-written D-Bus client could differ from it).

Before the fix (a plain QLineEdit in password mode), each typed character,
the pasted key, the select-all + Backspace and the clearing after a save
arrived in object:text-changed events in clear.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
HERE = Path(__file__).parent / "atspi"
# Qt's bridge logs these whatever the key field does (measured with the old
# field too): libatspi 2.46 asks each application for its own bus address,
# which Qt does not implement; and a QLabel that is selectable by mouse
# (the badge's message, the field's feedback, the rotation status) sends
# text events although its accessible interface has no text interface.
KNOWN_QT_NOISE = ('does not implement "GetApplicationBusAddress"', "Received text event for invalid interface.")


def _atspi_client_available() -> bool:
    if not (Path(SYSTEM_PYTHON).exists() and Path(BUS_LAUNCHER).exists()):
        return False
    probe = "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not _atspi_client_available() and not os.environ.get("LSDESK_REQUIRE_REAL_KEYRING"),
    reason="needs at-spi2-core, python3-gi and gir1.2-atspi-2.0 (installed by .ci/run)",
)


def _wait_for(predicate, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def accessibility_bus():
    """A private session bus with the accessibility bus launched on it; yields its environment."""
    folder = Path(tempfile.mkdtemp(prefix="lsdesk-atspi-"))
    address = f"unix:path={folder}/bus"
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}"])
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    env.pop("AT_SPI_BUS_ADDRESS", None)
    launcher = None
    try:
        _wait_for(lambda: (folder / "bus").exists(), "the session bus")
        launcher = subprocess.Popen([BUS_LAUNCHER, "--launch-immediately"], env=env)
        name_check = [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.a11y.Bus",
        ]
        _wait_for(lambda: b"true" in subprocess.run(name_check, env=env, capture_output=True).stdout, "org.a11y.Bus")
        yield env
    finally:
        for process in (launcher, bus):
            if process is not None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _run_window_under_a_listener(env: dict[str, str], keys: list[str]) -> tuple[list[dict], str, str]:
    listener = subprocess.Popen(
        [SYSTEM_PYTHON, str(HERE / "listener.py")], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    window = None
    try:
        assert json.loads(listener.stdout.readline()) == {"ready": True}
        window_env = dict(env, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", PYTHONPATH=str(Path(__file__).parents[1]))
        window = subprocess.Popen(
            [sys.executable, str(HERE / "window.py"), *keys],
            env=window_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        acted = window.stdout.readline().strip()
        listener.stdin.write("dump\n")
        listener.stdin.flush()
        records = []
        for line in listener.stdout:
            record = json.loads(line)
            records.append(record)
            if record.get("done"):
                break
        window.stdin.write("quit\n")
        window.stdin.close()
        window_errors = window.stderr.read()
        window.wait(30)
        return records, acted, window_errors
    finally:
        for process in (window, listener):
            if process is None:
                continue
            if process.poll() is None:
                process.kill()
                process.wait()
            for pipe in (process.stdin, process.stdout, process.stderr):
                if pipe is not None and not pipe.closed:
                    pipe.close()


def test_typed_pasted_deleted_and_cleared_keys_never_reach_the_accessibility_bus(accessibility_bus):
    keys = [str(uuid.uuid4()) for _ in range(3)]
    records, acted, window_errors = _run_window_under_a_listener(accessibility_bus, keys)
    assert acted == "acted True", "the window did not save the pasted key"
    events = [record for record in records if "event" in record]
    text_events = [record for record in events if record["event"].startswith("object:text-changed")]
    nodes = [record["node"] for record in records if "node" in record]
    # The listener really heard the field being edited, and really read the window.
    assert len(text_events) >= 36 and any(node.get("name") == "API key" for node in nodes)
    # What a screen reader gets for the field: a password text of bullets.
    fields = [event["source"] for event in text_events]
    assert {field.get("role") for field in fields} == {"password text"}
    assert all(set(event["data"] or "") <= {"\u25cf"} for event in text_events)
    # Nowhere: no event, no name, description, text or value; not even a run of 8 of a key's characters.
    heard = json.dumps(records)
    for key in keys:
        for start in range(len(key) - 8):
            assert key[start : start + 8] not in heard, "a piece of the key reached the accessibility bus"
    noise = [
        line
        for line in window_errors.splitlines()
        if line.strip() and not any(known in line for known in KNOWN_QT_NOISE)
    ]
    assert noise == []
