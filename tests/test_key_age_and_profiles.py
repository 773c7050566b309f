"""Keys that never silently get old, and every profile from the command line.

The key's age comes from a record lsdesk writes when it saves or rotates a key
(lsdesk/core/key_dates.py); `lsdesk profiles` and `lsdesk check --all` are run as
real processes against the sandbox and the real keyring.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates, describe_age, rotation_due_in
from lsdesk.core.outcome import Organisation
from lsdesk.sandbox import DEMO_KEY
from tests.keyring_fixtures import remove_every_slot
from tests.test_cli import last_json, run

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DEMO = Organisation(4242, "Demo Tutoring Co")


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("age", "every", "words"),
    [
        (0, 90, "Saved today"),
        (1, 90, "Saved yesterday"),
        (75, 90, "Saved 75 days ago"),  # more than 14 days before the date: no reminder yet
        (81, 90, "Saved 81 days ago: rotation due in 9 days"),
        (89, 90, "Saved 89 days ago: rotation due in 1 day"),
        (100, 90, "Saved 100 days ago: rotation due now"),
        (400, 0, "Saved 400 days ago"),  # a policy of never: never reminded
    ],
)
def test_the_age_is_said_in_words_with_the_reminder_from_two_weeks_before(age, every, words):
    assert describe_age(days_ago(age), every, NOW) == words


def test_an_unknown_age_is_said_and_never_guessed():
    assert describe_age(None, 90, NOW) == "Age unknown (saved before lsdesk noted it)"
    assert rotation_due_in(None, 90, NOW) is None


def test_a_record_is_believed_only_for_the_key_it_was_written_for(tmp_path):
    dates = KeyDates(tmp_path)
    dates.saved("default", "6e80", when=days_ago(10), organisation=DEMO)
    assert dates.saved_at("default", "6e80") == days_ago(10)
    assert dates.organisation("default", "6e80") == DEMO
    assert dates.saved_at("default", "5555") is None  # another key: its age is unknown
    assert dates.saved_at("other", "6e80") is None
    assert DEMO_KEY not in (tmp_path / "default.json").read_text()


@pytest.mark.parametrize("damage", [b"not json", b"[1, 2]", b'{"key_ending": "6e80", "saved_at": "yesterday"}'])
def test_a_damaged_record_is_an_unknown_age_and_a_warning(tmp_path, caplog, damage):
    (tmp_path / "default.json").write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        assert KeyDates(tmp_path).saved_at("default", "6e80") is None
    if damage != b"[1, 2]":
        assert "ignored an unreadable key date" in caplog.text


def test_a_fifo_in_place_of_a_record_is_never_waited_on(tmp_path, caplog):
    os.mkfifo(tmp_path / "default.json")
    with caplog.at_level(logging.WARNING):
        assert KeyDates(tmp_path).saved_at("default", "6e80") is None


# -- the command line, for real -------------------------------------------------------------------


@pytest.fixture
def own_state(tmp_path, monkeypatch):
    """A state folder of this test's own: its profiles' records, and nobody else's."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state / "lsdesk"


@pytest.fixture
def two_profiles(real_keyring, own_state):
    names = [f"test-{uuid.uuid4().hex[:10]}" for _ in range(2)]
    yield names
    for name in names:
        remove_every_slot(name)


def cli(sandbox, *args: str, stdin: str = ""):
    return run(*args, "--api-url", sandbox.api_url, stdin=stdin, env={"XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]})


def test_profiles_lists_each_saved_profile_with_its_age_without_asking_lessonspace(sandbox, two_profiles):
    first, second = two_profiles
    for name in two_profiles:
        assert cli(sandbox, "save", "--profile", name, stdin=DEMO_KEY).returncode == 0
    asked = sandbox.request_count
    listed = cli(sandbox, "profiles", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["profile"]: row for row in last_json(listed)["profiles"]}
    assert {first, second} <= rows.keys()
    for name in two_profiles:
        assert rows[name]["key_ending"] == DEMO_KEY[-4:]
        assert rows[name]["organisation"] == {"id": 4242, "name": "Demo Tutoring Co"}
        assert rows[name]["key_age_days"] == 0 and rows[name]["rotation_due"] is False
        assert "state" not in rows[name]  # nothing was asked
    assert sandbox.request_count == asked
    plain = cli(sandbox, "profiles").stdout
    assert f"{first}: key ending {DEMO_KEY[-4:]}, Demo Tutoring Co (id 4242), saved today\n" in plain
    assert DEMO_KEY not in listed.stdout + plain


def test_a_key_saved_100_days_ago_is_due_for_rotation_but_never_an_error(sandbox, two_profiles, own_state):
    name = two_profiles[0]
    assert cli(sandbox, "save", "--profile", name, stdin=DEMO_KEY).returncode == 0
    KeyDates(own_state / KEY_DATES_FOLDER).saved(name, DEMO_KEY[-4:], when=datetime.now(UTC) - timedelta(days=100))
    checked = cli(sandbox, "check", "--json", "--profile", name)
    assert checked.returncode == 0  # a reminder, not a failure
    answer = last_json(checked)
    assert answer["key_age_days"] == 100 and answer["rotation_due"] is True
    plain = cli(sandbox, "check", "--profile", name)
    assert plain.stdout.rstrip().endswith("Saved 100 days ago: rotation due now.")


def test_check_all_checks_every_profile_and_exits_with_the_worst(sandbox, two_profiles):
    good, revoked = two_profiles
    bad_key = sandbox.generate_key(revoke_previous=False)
    assert cli(sandbox, "save", "--profile", good, stdin=DEMO_KEY).returncode == 0
    assert cli(sandbox, "save", "--profile", revoked, stdin=bad_key).returncode == 0
    sandbox.revoke_key(bad_key)
    result = cli(sandbox, "check", "--all", "--json")
    assert result.returncode == 1  # rejected, the worst of them
    answer = last_json(result)
    states = {row["profile"]: row["state"] for row in answer["profiles"]}
    assert states[good] == "valid" and states[revoked] == "rejected"
    assert answer["state"] == "rejected"
    plain = cli(sandbox, "check", "--all")
    assert any(line.startswith(f"{revoked}: ") and "did not accept" in line for line in plain.stdout.splitlines())
    assert DEMO_KEY not in result.stdout + plain.stdout and bad_key not in result.stdout + plain.stdout


def test_check_all_and_key_stdin_together_is_a_usage_error(sandbox):
    result = cli(sandbox, "check", "--all", "--key-stdin", stdin=DEMO_KEY)
    assert result.returncode == 2
    assert "not both" in result.stdout


# -- the window -----------------------------------------------------------------------------------


def test_the_window_shows_the_key_age_and_the_reminder(open_window, store, journal):
    store.set("default", DEMO_KEY)
    KeyDates(journal.folder.parent / KEY_DATES_FOLDER).saved(
        "default", DEMO_KEY[-4:], when=datetime.now(UTC) - timedelta(days=100)
    )
    window = open_window()
    assert window.key_age_label.text() == "Saved 100 days ago: rotation due now"


def test_a_save_in_the_window_starts_the_age_and_the_policy_follows_settings(open_window, qtbot):
    from tests.conftest import type_and_save

    window = open_window()
    assert window.key_age_label.text() == "Unknown"  # nothing saved yet
    type_and_save(qtbot, window, DEMO_KEY)
    assert window.key_age_label.text() == "Saved today"
    dialog = window.open_preferences()
    dialog.rotation.setCurrentIndex(dialog.rotation.findData(0))
    dialog.accept()
    assert window.key_age_label.text() == "Saved today"
    assert window.model.key.key_saved_at is not None


# -- the rotation reminder ------------------------------------------------------------------------


def save_days_ago(journal, days: int) -> None:
    KeyDates(journal.folder.parent / KEY_DATES_FOLDER).saved(
        "default", DEMO_KEY[-4:], when=datetime.now(UTC) - timedelta(days=days)
    )


def test_a_due_rotation_shows_a_reminder_with_rotate_now(open_window, store, journal, qtbot):
    from lsdesk.gui.rotate_dialog import RotateDialog

    store.set("default", DEMO_KEY)
    save_days_ago(journal, 100)
    window = open_window()
    assert window.reminder_label.isVisible()
    assert window.reminder_label.text().startswith("This key is 100 days old")
    assert window.rotate_now_button.isVisible() and window.rotate_now_button.isEnabled()
    window.rotate_now_button.click()
    dialog = window.findChild(RotateDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


@pytest.mark.parametrize(("days", "key"), [(10, DEMO_KEY), (100, "11111111-2222-4333-8444-555555555555")])
def test_no_reminder_before_the_date_or_while_the_key_does_not_work(open_window, store, journal, days, key):
    """A rotation needs a valid key: an invalid one is told by the badge, not by a reminder."""
    store.set("default", key)
    KeyDates(journal.folder.parent / KEY_DATES_FOLDER).saved(
        "default", key[-4:], when=datetime.now(UTC) - timedelta(days=days)
    )
    window = open_window()
    assert not window.reminder_label.isVisible() and not window.rotate_now_button.isVisible()
