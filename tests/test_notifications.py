"""A key that stops working reaches the admin as a desktop notification, through a real notification daemon.

dunst, a freedesktop notification service, runs on the tests' private session bus and on
pytest-xvfb's X screen; what it received is read back with its own control command, dunstctl.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time

import pytest

from lsdesk.core.outcome import State
from lsdesk.gui.app import add_tray
from lsdesk.gui.notifications import DesktopNotifications
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS

ALERT = "Demo Tutoring Co: the API key no longer works"

pytestmark = pytest.mark.skipif(
    shutil.which("dunst") is None and not os.environ.get("LSDESK_REQUIRE_REAL_KEYRING"),
    reason="needs dunst (installed by .ci/run)",
)


def dunstctl(*args: str) -> str:
    return subprocess.run(["dunstctl", *args], capture_output=True, text=True, timeout=10, check=True).stdout


def displayed() -> int:
    counts = dict(line.strip().split(": ") for line in dunstctl("count").splitlines() if ":" in line)
    return int(counts["Currently displayed"])


def received() -> list[dict]:
    """Every notification dunst showed, oldest first (closing them moves them to its history)."""
    dunstctl("close-all")
    history = json.loads(dunstctl("history"))["data"][0]
    return [{name: field["data"] for name, field in entry.items()} for entry in reversed(history)]


@pytest.fixture
def notification_daemon(tmp_path):
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail("the notification tests need pytest-xvfb's screen and the tests' session bus", pytrace=False)
    config = tmp_path / "dunstrc"
    config.write_text("[global]\n    history_length = 50\n", encoding="utf-8")
    daemon = subprocess.Popen(["dunst", "-config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):  # until it owns org.freedesktop.Notifications and answers
            if daemon.poll() is not None:
                pytest.fail(f"dunst ended: {daemon.stdout.read().decode(errors='replace')}", pytrace=False)
            if subprocess.run(["dunstctl", "count"], capture_output=True, timeout=10).returncode == 0:
                break
            time.sleep(0.05)
        yield daemon
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()


def revoke_and_watch(window, sandbox, qtbot) -> None:
    sandbox.revoke_key(DEMO_KEY)
    window.watch.set_interval_ms(50)
    with qtbot.waitSignal(window.watch.turned_invalid, timeout=WAIT_MS) as turned:
        pass
    window.watch.set_interval_ms(3_600_000)
    assert turned.args[0].state is State.REJECTED


@pytest.fixture
def store():
    from lsdesk.core.keystore import MemoryKeyStore

    keys = MemoryKeyStore()
    keys.set("default", DEMO_KEY)
    return keys


def test_a_revoked_key_is_a_notification_naming_the_organisation_that_opens_the_window(
    notification_daemon, open_window, settings, sandbox, qtbot, caplog
):
    window = open_window()
    add_tray(window, settings)
    assert window.tray is None  # the tests' screen has no tray: before, this reached nobody but the window
    window.hide()
    with caplog.at_level(logging.INFO, logger="lsdesk.gui.notifications"):
        revoke_and_watch(window, sandbox, qtbot)
        qtbot.waitUntil(lambda: displayed() == 1, timeout=WAIT_MS)
    assert not window.isVisible()  # told by the notification, not by a window jumping up
    dunstctl("action", "0")  # the admin clicks it
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
    (shown,) = received()
    assert shown["summary"] == ALERT
    assert shown["appname"] == "lsdesk"
    assert "Lessons may not launch" in shown["body"]
    assert shown["default_action_name"] == "default"  # clicking it opens lsdesk
    assert shown["timeout"] == 0  # stays until the admin has seen it
    assert shown["icon_path"].endswith("app.svg")
    assert DEMO_KEY not in json.dumps(shown) and DEMO_KEY not in caplog.text


@pytest.fixture
def notifications():
    notifier = DesktopNotifications()
    yield notifier
    notifier.close()


def test_a_second_alert_replaces_the_first_instead_of_piling_up(notification_daemon, notifications, qtbot):
    notifications.notify("first", "one")
    qtbot.waitUntil(lambda: notifications.shown_id != 0, timeout=WAIT_MS)
    first_id = notifications.shown_id
    notifications.notify(ALERT, "two")
    qtbot.waitUntil(lambda: "two" in json.dumps(received_without_closing()), timeout=WAIT_MS)
    assert notifications.shown_id == first_id
    assert displayed() == 1


def received_without_closing() -> list[dict]:
    """What dunst shows now, read by closing it (dunstctl lists only closed ones) and putting it back."""
    shown = received()
    if shown:
        dunstctl("history-pop")
    return shown


def test_server_text_in_a_notification_is_sent_as_it_is(notification_daemon, notifications, qtbot):
    notifications.notify("<b>Acme</b> & Co: the API key no longer works", "plain")
    qtbot.waitUntil(lambda: notifications.shown_id != 0, timeout=WAIT_MS)
    assert received()[0]["summary"] == "<b>Acme</b> & Co: the API key no longer works"


def test_with_no_session_bus_and_no_tray_the_window_comes_forward(open_window, settings, sandbox, qtbot, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lsdesk-no-bus")
    window = open_window()
    add_tray(window, settings)
    window.hide()
    revoke_and_watch(window, sandbox, qtbot)
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)


def test_a_due_rotation_is_a_notification_at_most_once_a_day(
    notification_daemon, open_window, store, journal, settings, qtbot
):
    from datetime import UTC, datetime, timedelta

    from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
    from lsdesk.gui.alerts import LAST_REMINDED

    KeyDates(journal.folder.parent / KEY_DATES_FOLDER).saved(
        "default", DEMO_KEY[-4:], when=datetime.now(UTC) - timedelta(days=100)
    )
    window = open_window()
    add_tray(window, settings)  # the first check's answer is already in: it is due
    window.check()
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: displayed() == 1, timeout=WAIT_MS)
    (shown,) = received()
    assert shown["summary"] == "Demo Tutoring Co: time to rotate the API key"
    assert window.isVisible()  # a reminder never pulls the window forward by itself
    window.check()  # a second check within the day
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    assert displayed() == 0
    remembered = f"{LAST_REMINDED}/default"
    earlier = datetime.fromisoformat(settings.value(remembered)) - timedelta(hours=25)
    settings.setValue(remembered, earlier.isoformat())  # a day later
    window.check()
    qtbot.waitUntil(lambda: displayed() == 1, timeout=WAIT_MS)
