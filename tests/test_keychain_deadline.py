"""No keychain call can hang lsdesk: a deadline for the command line, Cancel in the window.

The hung keychain is the real GNOME Keyring stopped with SIGSTOP (see
keyring_fixtures.hung_secret_service; it is always continued). Before this
change `lsdesk check` waited for ever on a stopped daemon, and the window
said "Checking..." for ever with no way out.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import uuid

import pytest

from lsdesk.core.keychain_deadline import KeychainCancelled, KeychainLane, KeychainTimeout
from lsdesk.core.keystore import (
    KEYRING_STOPPED_TITLE,
    KEYRING_TIMEOUT_ENV,
    KEYRING_WAITING_TITLE,
    SystemKeyStore,
    keyring_timeout,
)
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS
from tests.keyring_fixtures import hung_secret_service

# Long enough that, in these tests, only Cancel or the daemon's return ends a wait.
NEVER_S = 300


# The lane, with real threads and a call that blocks until the test lets it go.


def test_a_call_that_does_not_answer_in_time_raises_and_the_one_behind_it_still_runs(caplog):
    lane = KeychainLane()
    release = threading.Event()
    ran = []
    with caplog.at_level(logging.WARNING), pytest.raises(KeychainTimeout):
        lane.run(release.wait, deadline_s=0.2, waiting_after_s=0.1)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    answered = threading.Thread(
        target=lambda: ran.append(lane.run(lambda: "second", deadline_s=NEVER_S, waiting_after_s=NEVER_S))
    )
    answered.start()
    release.set()  # the stuck call returns (its answer goes nowhere); the next call runs after it
    answered.join(WAIT_MS / 1000)
    assert ran == ["second"]


def test_a_cancelled_wait_ends_and_a_call_given_up_before_it_started_never_runs():
    lane = KeychainLane()
    release, cancel = threading.Event(), threading.Event()
    calls: list[str] = []
    stuck = threading.Thread(target=lambda: lane.run(release.wait, deadline_s=NEVER_S, waiting_after_s=0))
    stuck.start()
    waiting = threading.Event()
    errors: list[BaseException] = []

    def queued() -> None:
        try:
            lane.run(
                lambda: calls.append("queued"),
                deadline_s=NEVER_S,
                waiting_after_s=0,
                on_waiting=waiting.set,
                cancelled=cancel,
            )
        except KeychainCancelled as error:
            errors.append(error)

    behind = threading.Thread(target=queued)
    behind.start()
    assert waiting.wait(WAIT_MS / 1000)
    cancel.set()
    behind.join(WAIT_MS / 1000)
    assert len(errors) == 1
    release.set()
    stuck.join(WAIT_MS / 1000)
    assert lane.run(lambda: "after", deadline_s=NEVER_S, waiting_after_s=NEVER_S) == "after"
    assert calls == []  # given up on before it started: never run


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "99999"])
def test_a_bad_keyring_timeout_is_a_sentence(value):
    with pytest.raises(ValueError, match=KEYRING_TIMEOUT_ENV):
        keyring_timeout({KEYRING_TIMEOUT_ENV: value})
    assert keyring_timeout({}) == 30.0
    assert keyring_timeout({KEYRING_TIMEOUT_ENV: "2.5"}) == 2.5


# The real keyring, hung.


@pytest.mark.real_keyring
def test_the_command_line_gives_up_on_a_hung_keyring_with_a_sentence_and_exit_3(sandbox):
    profile = f"hung-{uuid.uuid4().hex[:12]}"
    with hung_secret_service():
        result = subprocess.run(
            [sys.executable, "-m", "lsdesk", "check", "--api-url", sandbox.api_url, "--profile", profile],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, KEYRING_TIMEOUT_ENV: "2"},
        )
    assert result.returncode == State.NO_STORAGE.exit_code == 3
    assert result.stdout.strip() == (
        "Your keyring did not answer within 2 seconds. "
        "Unlock your keyring if it asks for your password, then try again."
    )
    assert "Traceback" not in result.stderr  # only the log's line about it (issue 9, item 14, quiets that)


@pytest.mark.real_keyring
def test_a_bad_keyring_timeout_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "lsdesk", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, KEYRING_TIMEOUT_ENV: "soon"},
    )
    assert result.returncode == 2
    assert KEYRING_TIMEOUT_ENV in result.stdout and "Traceback" not in result.stderr


def test_the_window_waits_for_a_hung_keyring_says_so_cancels_and_then_checks_again(
    qtbot, open_window, real_keyring, keyring_service, tmp_path
):
    store = SystemKeyStore(service=keyring_service, timeout=NEVER_S, waiting_after=0.2)
    store.set("default", DEMO_KEY)
    window = open_window(key_store=store)
    assert window.badge.state is State.VALID
    results = []
    window.host.checked.connect(results.append)

    with hung_secret_service():
        with qtbot.waitSignal(window.host.keyring_waiting, timeout=WAIT_MS):
            window.check_button.click()
        assert window.badge.title() == KEYRING_WAITING_TITLE
        assert "Asking Lessonspace" not in window.badge.message()
        assert window.cancel_button.isVisible() and window.cancel_button.isEnabled()
        qtbot.waitUntil(lambda: window.height() >= window.minimumHeight(), timeout=WAIT_MS)  # laid out anew
        shot = os.environ.get("LSDESK_SHOT_DIR") or str(tmp_path)
        assert window.grab().save(os.path.join(shot, "waiting-for-keyring.png"))

        window.cancel_button.click()
        assert not window.host.busy
        assert window.check_button.isEnabled() and window.save_button.isEnabled()
        assert window.badge.title() == KEYRING_STOPPED_TITLE
        assert not window.cancel_button.isVisible()

        # The next check is not stuck behind the hung call: it starts, and waits in its turn.
        with qtbot.waitSignal(window.host.keyring_waiting, timeout=WAIT_MS):
            window.check_button.click()
        assert window.cancel_button.isVisible()
    # The daemon runs again: the cancelled call's late answer is dropped, the new check ends.
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    assert [result.state for result in results] == [State.VALID]
    assert window.badge.state is State.VALID
    assert window.key_ending_label.text() == f"ends in {DEMO_KEY[-4:]}"
    assert not window.cancel_button.isVisible()


def test_a_save_waiting_for_a_hung_keyring_can_be_cancelled_and_the_typed_key_stays(
    qtbot, open_window, real_keyring, keyring_service, sandbox
):
    from lsdesk.gui.window import SAVE_STOPPED_WAITING

    store = SystemKeyStore(service=keyring_service, timeout=NEVER_S, waiting_after=0.2)
    store.set("default", DEMO_KEY)
    window = open_window(key_store=store)
    new_key = sandbox.generate_key(revoke_previous=False)
    window.key_field.line_edit.setText(new_key)
    with hung_secret_service():
        with qtbot.waitSignal(window.host.keyring_waiting, timeout=WAIT_MS):
            window.save_button.click()
        assert window.cancel_button.isVisible()
        window.cancel_button.click()
        assert not window.host.busy and window.save_button.isEnabled()
        assert window.key_field.text() == new_key  # nothing typed is lost
        assert SAVE_STOPPED_WAITING in window.message_bar.text()
    # The daemon runs again: the cancelled save never reached the keychain's write.
    with qtbot.waitSignal(window.host.operation_finished, timeout=WAIT_MS):
        window.check_button.click()
    assert store.get("default") == DEMO_KEY


def test_a_rotation_waiting_for_a_hung_keyring_says_so_and_finishes_when_it_answers(
    qtbot, open_window, real_keyring, keyring_service, sandbox
):
    store = SystemKeyStore(service=keyring_service, timeout=NEVER_S, waiting_after=0.2)
    store.set("default", DEMO_KEY)
    window = open_window(key_store=store)
    dialog = window.open_rotation()
    new_key = sandbox.generate_key(revoke_previous=True)
    dialog.key_field.line_edit.setText(new_key)
    with hung_secret_service():
        with qtbot.waitSignal(window.host.keyring_waiting, timeout=WAIT_MS):
            dialog.rotate_button.click()
        # The dialog hears of it as a step of the rotation, emitted by the worker just after: wait for it.
        qtbot.waitUntil(lambda: dialog.status.text() == f"{KEYRING_WAITING_TITLE}...", timeout=WAIT_MS)
        done = qtbot.waitSignal(window.host.rotated, timeout=WAIT_MS)
    done.wait()
    assert done.args[0].rotated
    assert store.get("default") == new_key
