"""The real accessibility stack for a test: a private session bus with
AT-SPI's own bus on it (at-spi-bus-launcher, which starts at-spi2-registryd),
and the helpers the tests that use it share."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
HERE = Path(__file__).parent
# Qt's bridge logs these whatever the key field does (measured with the old
# field too): libatspi 2.46 asks each application for its own bus address,
# which Qt does not implement; and a QLabel that is selectable by mouse
# (the badge's message, the field's feedback, the rotation status) sends
# text events although its accessible interface has no text interface.
KNOWN_QT_NOISE = ('does not implement "GetApplicationBusAddress"', "Received text event for invalid interface.")


def atspi_client_available() -> bool:
    if not (Path(SYSTEM_PYTHON).exists() and Path(BUS_LAUNCHER).exists()):
        return False
    probe = "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


def wait_for(predicate, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def unexpected_qt_messages(stderr: str, also_known: tuple[str, ...] = ()) -> list[str]:
    """What a window process wrote to its standard error, less the bridge's known noise."""
    known = KNOWN_QT_NOISE + also_known
    return [line for line in stderr.splitlines() if line.strip() and not any(noise in line for noise in known)]


@contextmanager
def accessibility_bus() -> Iterator[dict[str, str]]:
    """A private session bus with the accessibility bus launched on it; yields its environment."""
    folder = Path(tempfile.mkdtemp(prefix="lsdesk-atspi-"))
    address = f"unix:path={folder}/bus"
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}"])
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    env.pop("AT_SPI_BUS_ADDRESS", None)
    launcher = None
    try:
        wait_for(lambda: (folder / "bus").exists(), "the session bus")
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
        wait_for(lambda: b"true" in subprocess.run(name_check, env=env, capture_output=True).stdout, "org.a11y.Bus")
        yield env
    finally:
        for process in (launcher, bus):
            if process is not None:
                stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def stop(process: subprocess.Popen, grace: float = 5) -> None:
    """Terminate a process, kill it if it will not go, and close its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None and not pipe.closed:
            pipe.close()
