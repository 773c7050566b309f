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
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.atspi.stack import HERE, SYSTEM_PYTHON, atspi_client_available, unexpected_qt_messages
from tests.atspi.stack import accessibility_bus as private_accessibility_bus

pytestmark = pytest.mark.skipif(
    not atspi_client_available() and not os.environ.get("LSDESK_REQUIRE_REAL_KEYRING"),
    reason="needs at-spi2-core, python3-gi and gir1.2-atspi-2.0 (installed by .ci/run)",
)


@pytest.fixture
def accessibility_bus():
    with private_accessibility_bus() as env:
        yield env


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
    assert unexpected_qt_messages(window_errors) == []
