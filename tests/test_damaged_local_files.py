"""Damaged local files never stop lsdesk: the history, the settings file and the rotation journal.

Each test puts a real damaged file (or a FIFO, or a symbolic link) where lsdesk
looks, and checks that lsdesk reads what it can, logs the rest by kind only,
and keeps working: the history still records, the window still opens.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QSettings

from lsdesk.core.history import History
from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.core.outcome import State, outcome
from lsdesk.core.preferences import DEFAULT_WATCH_MINUTES, WATCH_CHOICES_MINUTES, Preferences
from lsdesk.core.rotation import FINISHED, RotationJournal, Step, backup_slot, pending_slot, recover_rotation
from lsdesk.sandbox import DEMO_KEY

PROFILE = "default"
HANG_BOUND_S = 30  # only a bound on a hang; nothing asserts on time
GOOD_LINE = json.dumps(
    {
        "at": "2026-11-01T10:00:00+00:00",
        "action": "check",
        "state": "valid",
        "organisation_id": 4242,
        "key_ending": "6e80",
        "profile": "default",
    }
)


def a_result():
    return outcome(State.VALID, "words", key_ending="6e80", checked_at=datetime(2026, 11, 2, tzinfo=UTC))


def finishes(work) -> list:
    """Run `work` on a thread; fail (instead of hanging the suite) if it blocks."""
    answer: list = []
    thread = threading.Thread(target=lambda: answer.append(work()), daemon=True)
    thread.start()
    thread.join(HANG_BOUND_S)
    assert not thread.is_alive(), "lsdesk blocked on a file of its own"
    return answer[0]


# -- the history -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"\x00\xff\xfe garbage \x80\n", id="garbage bytes"),
        pytest.param(b"[" * 50_000 + b"\n", id="deeply nested"),  # RecursionError before
        pytest.param(
            json.dumps({"at": "9999-12-31T23:59:59-14:00", "action": "check", "state": "valid"}).encode() + b"\n",
            id="date past the end of time",
        ),  # OverflowError before
        pytest.param(
            json.dumps({"at": "0001-01-01T00:00:00+14:00", "action": "check", "state": "valid"}).encode() + b"\n",
            id="date before the start of time",
        ),
        pytest.param(
            json.dumps({"at": "2026-11-01T10:00:00+00:00", "action": "x" * 40_000, "state": "valid"}).encode() + b"\n",
            id="huge line",
        ),
        pytest.param(
            json.dumps(
                {"at": "2026-11-01T10:00:00+00:00", "action": ["check"], "state": "valid", "profile": {"a": 1}}
            ).encode()
            + b"\n",
            id="wrong types",
        ),
    ],
)
def test_a_damaged_history_line_is_skipped_and_the_rest_still_shows(tmp_path, caplog, damage):
    path = tmp_path / "history.jsonl"
    path.write_bytes(GOOD_LINE.encode() + b"\n" + damage)
    history = History(path)
    with caplog.at_level(logging.WARNING):
        entries = history.recent(5)
    assert [entry.action for entry in entries] == ["check"]
    assert [record.getMessage() for record in caplog.records] == ["skipped 1 damaged lines of the history"]
    entry = entries[0]
    assert entry.at.tzinfo is not None and entry.at.astimezone()  # the window can show its date
    history.record("save", "default", a_result())
    assert [entry.action for entry in history.recent(5)] == ["save", "check"]


def test_a_fifo_in_place_of_the_history_is_never_waited_on(tmp_path, caplog):
    """Before: open() of a FIFO blocked until some other process opened its other end."""
    path = tmp_path / "history.jsonl"
    os.mkfifo(path)
    history = History(path)
    with caplog.at_level(logging.WARNING):
        assert finishes(lambda: history.recent(5)) == []
        finishes(lambda: history.record("check", "default", a_result()))
    assert any("not a regular file" in record.getMessage() for record in caplog.records)
    assert any("could not write the history" in record.getMessage() for record in caplog.records)


def test_a_symbolic_link_in_place_of_the_history_is_not_followed(tmp_path, caplog):
    """lsdesk's choice, as the README says: a link is treated as damage, neither read nor
    written through, so the history can't be pointed at another file to append to."""
    target = tmp_path / "elsewhere.jsonl"
    target.write_text(GOOD_LINE + "\n", encoding="utf-8")
    path = tmp_path / "history.jsonl"
    path.symlink_to(target)
    history = History(path)
    with caplog.at_level(logging.WARNING):
        assert history.recent(5) == []
        history.record("save", "default", a_result())
    assert target.read_text(encoding="utf-8") == GOOD_LINE + "\n"
    assert any("symbolic link" in record.getMessage() for record in caplog.records)


def test_a_folder_in_place_of_the_history_is_logged_not_fatal(tmp_path, caplog):
    path = tmp_path / "history.jsonl"
    path.mkdir()
    with caplog.at_level(logging.WARNING):
        assert History(path).recent(5) == []
        History(path).record("check", "default", a_result())
    assert caplog.records


# -- the settings file -------------------------------------------------------------------------


def damaged_settings(tmp_path, body: str) -> QSettings:
    path = tmp_path / "lsdesk.ini"
    path.write_text("[preferences]\n" + body, encoding="utf-8")
    return QSettings(str(path), QSettings.Format.IniFormat)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("watch_minutes=40000\n", Preferences(watch_minutes=1440)),
        ("watch_minutes=-5\n", Preferences(watch_minutes=15)),
        ("watch_minutes=45\n", Preferences(watch_minutes=30)),
        ("watch_minutes=99999999999999999999999\n", Preferences(watch_minutes=1440)),
        ("watch_minutes=six hours\n", Preferences(watch_minutes=DEFAULT_WATCH_MINUTES)),
        ("watch_minutes=1, 2\n", Preferences(watch_minutes=DEFAULT_WATCH_MINUTES)),
        ("keep_in_tray=banana\n", Preferences(keep_in_tray=True)),
        ("keep_in_tray=1, 2\n", Preferences(keep_in_tray=True)),
        ("api_url=https://a.example/v2/, https://b.example/v2/\n", Preferences(api_url="")),
    ],
)
def test_a_setting_of_the_wrong_type_or_range_is_repaired_and_logged(tmp_path, caplog, body, expected):
    with caplog.at_level(logging.WARNING):
        loaded = Preferences.load(damaged_settings(tmp_path, body))
    assert loaded == expected
    assert loaded.watch_minutes in WATCH_CHOICES_MINUTES
    assert len(caplog.records) == 1
    assert "preferences/" in caplog.records[0].getMessage()


def test_good_settings_load_without_a_word(tmp_path, caplog):
    settings = damaged_settings(tmp_path, "watch_minutes=60\nkeep_in_tray=false\napi_url=https://a.example/v2/\n")
    with caplog.at_level(logging.WARNING):
        assert Preferences.load(settings) == Preferences("https://a.example/v2/", 60, False)
    assert caplog.records == []


def test_the_window_opens_on_a_damaged_settings_file_and_history(tmp_path, qtbot, sandbox, caplog, journal):
    """Before: `api_url` as a list became the address "['https://a…', …]" and create_window
    refused to start; out-of-range minutes ran the watch at 40000 minutes."""
    from lsdesk.core.keystore import MemoryKeyStore
    from lsdesk.gui.app import create_window

    settings = damaged_settings(
        tmp_path, "watch_minutes=40000\nkeep_in_tray=banana\napi_url=https://a.example/v2/, https://b.example/v2/\n"
    )
    history_path = tmp_path / "history.jsonl"
    history_path.write_bytes(b"[" * 50_000 + b"\n" + GOOD_LINE.encode() + b"\n")
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    os.environ.pop("LSDESK_API_URL", None)
    with caplog.at_level(logging.WARNING):
        window = create_window(
            sandbox.api_url, store=store, settings=settings, journal=journal, history=History(history_path)
        )
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.host.operation_finished, timeout=10_000):
            pass
    try:
        assert window.watch._timer.interval() == 1440 * 60_000  # no public getter; the timer is the truth
        assert DEMO_KEY not in caplog.text
    finally:
        window.quit()


# -- the rotation journal ----------------------------------------------------------------------


@pytest.fixture
def saved():
    """The keychain (in memory: the damage here is to lsdesk's files) with a working key saved."""
    store = MemoryKeyStore()
    store.set(PROFILE, DEMO_KEY)
    return store


def journal_path(journal: RotationJournal):
    journal.folder.mkdir(parents=True, exist_ok=True)
    return journal.folder / f"{PROFILE}.json"


def assert_only(store, key: str) -> None:
    assert (store.get(PROFILE), store.get(backup_slot(PROFILE)), store.get(pending_slot(PROFILE))) == (key, None, None)


def test_a_fifo_in_place_of_the_journal_is_never_waited_on_and_is_removed(journal, saved, client, caplog):
    """Before: open() of the FIFO blocked until another process wrote to it, so lsdesk never started."""
    os.mkfifo(journal_path(journal))
    with caplog.at_level(logging.WARNING):
        assert finishes(lambda: journal.read(PROFILE)) == {"profile": PROFILE, "step": "unknown"}
        assert finishes(lambda: recover_rotation(client, saved, PROFILE, journal)) is None
    assert "NotAPlainFile" in caplog.text
    assert not journal_path(journal).exists()  # repaired: nothing was interrupted
    assert_only(saved, DEMO_KEY)


def test_a_symbolic_link_in_place_of_the_journal_is_not_followed(journal, tmp_path, caplog):
    """Before: the link was followed, and another file's contents steered recovery."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"profile": PROFILE, "step": Step.CLEANING_UP.value}), encoding="utf-8")
    journal_path(journal).symlink_to(elsewhere)
    with caplog.at_level(logging.WARNING):
        assert journal.read(PROFILE) == {"profile": PROFILE, "step": "unknown"}
    assert "rotation journal of profile default is unreadable" in caplog.text
    journal.clear(PROFILE)
    assert not journal_path(journal).is_symlink()
    assert elsewhere.exists()  # the link went, not what it pointed at


def test_a_folder_in_place_of_the_journal_does_not_stop_recovery_from_the_slots(
    journal, saved, client, sandbox, caplog
):
    """Before: removing the journal raised IsADirectoryError out of the recovery, which then
    said nothing of the rotation it had just finished."""
    new_key = sandbox.generate_key()
    saved.set(backup_slot(PROFILE), DEMO_KEY)
    saved.set(pending_slot(PROFILE), new_key)
    (journal_path(journal) / "something").mkdir(parents=True)
    with caplog.at_level(logging.WARNING):
        assert finishes(lambda: recover_rotation(client, saved, PROFILE, journal)) == FINISHED
    assert_only(saved, new_key)
    assert "could not remove the rotation journal" in caplog.text
    assert new_key not in caplog.text and DEMO_KEY not in caplog.text


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"[" * 3_000, id="deeply nested"),  # RecursionError escaped the recovery before
        pytest.param(b"{" + b" " * 5_000_000 + b"}", id="huge"),
        pytest.param(b"\x00\xff garbage", id="garbage bytes"),
    ],
)
def test_a_damaged_journal_is_read_as_unreadable_and_recovery_uses_the_slots(
    journal, saved, client, sandbox, damage, caplog
):
    new_key = sandbox.generate_key()
    saved.set(pending_slot(PROFILE), new_key)
    journal_path(journal).write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        assert journal.read(PROFILE) == {"profile": PROFILE, "step": "unknown"}
        assert recover_rotation(client, saved, PROFILE, journal) == FINISHED
    assert "the rotation journal of profile default is" in caplog.text  # damaged, or unreadable
    assert_only(saved, new_key)
    assert journal.read(PROFILE) is None


def test_a_journal_dated_in_the_future_is_recovered_as_any_other(journal, saved, client, sandbox):
    """`updated_at` is for people reading the file; nothing in lsdesk trusts it."""
    new_key = sandbox.generate_key()
    journal.write(PROFILE, Step.STORING_NEW, old=DEMO_KEY, new=new_key)
    record = journal.read(PROFILE)
    journal_path(journal).write_text(
        json.dumps({**record, "updated_at": "9999-12-31T23:59:59+00:00"}), encoding="utf-8"
    )
    saved.set(backup_slot(PROFILE), DEMO_KEY)
    saved.set(pending_slot(PROFILE), new_key)
    assert recover_rotation(client, saved, PROFILE, journal) == FINISHED
    assert_only(saved, new_key)
