"""The history file: newest first, bounded, tolerant of damage, never a key."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from lsdesk.core import history as history_module
from lsdesk.core.history import History, HistoryEntry
from lsdesk.core.outcome import Organisation, Outcome, State, outcome
from lsdesk.sandbox import DEMO_KEY

START = datetime(2026, 11, 1, tzinfo=UTC)


def result(state: State, minutes: int, ending: str | None = "6e80") -> Outcome:
    return outcome(
        state,
        "words",
        organisation=Organisation(4242, "Demo") if state is State.VALID else None,
        key_ending=ending,
        checked_at=START + timedelta(minutes=minutes),
    )


def test_recent_entries_come_newest_first_with_what_was_done(tmp_path):
    history = History(tmp_path / "history.jsonl")
    history.record("check", "default", result(State.VALID, 1))
    history.record("save", "default", result(State.REJECTED, 2, ending="5555"))
    history.record("rotate", "default", result(State.VALID, 3, ending="abcd"))
    entries = history.recent(10)
    assert [entry.action for entry in entries] == ["rotate", "save", "check"]
    assert entries[0].key_ending == "abcd" and entries[0].organisation_id == 4242
    assert entries[1].state == "rejected" and entries[1].organisation_id is None
    assert entries[2].at == START + timedelta(minutes=1)


def test_entries_are_kept_per_profile(tmp_path):
    history = History(tmp_path / "history.jsonl")
    history.record("check", "default", result(State.VALID, 1))
    history.record("check", "second", result(State.OFFLINE, 2))
    assert [entry.state for entry in history.recent(10, profile="second")] == ["offline"]
    assert len(history.recent(10)) == 2


def test_a_missing_file_is_an_empty_history(tmp_path):
    assert History(tmp_path / "none" / "history.jsonl").recent(5) == []


def test_damaged_lines_are_skipped(tmp_path, caplog):
    caplog.set_level(logging.WARNING)  # the skipped lines are logged
    path = tmp_path / "history.jsonl"
    history = History(path)
    history.record("check", "default", result(State.VALID, 1))
    with open(path, "a", encoding="utf-8") as file:
        file.write("{not json\n")
        file.write(json.dumps({"at": "yesterday", "action": "check", "state": "valid"}) + "\n")
        file.write(json.dumps({"at": START.isoformat(), "action": "check", "state": "exploded"}) + "\n")
    history.record("save", "default", result(State.VALID, 2))
    assert [entry.action for entry in history.recent(10)] == ["save", "check"]


def test_the_file_is_trimmed_so_it_cannot_grow_without_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(history_module, "MAX_BYTES", 20_000)
    monkeypatch.setattr(history_module, "KEEP_AFTER_TRIM", 50)
    path = tmp_path / "history.jsonl"
    history = History(path)
    for minute in range(400):
        history.record("check", "default", result(State.VALID, minute))
    assert path.stat().st_size <= 20_000
    assert history.recent(1)[0].at == START + timedelta(minutes=399)


def test_only_the_tail_of_a_huge_history_is_read(tmp_path):
    path = tmp_path / "history.jsonl"
    line = json.dumps(
        {
            "at": START.isoformat(),
            "action": "check",
            "state": "valid",
            "organisation_id": 1,
            "key_ending": "0000",
            "profile": "default",
        }
    )
    path.write_text((line + "\n") * 100_000, encoding="utf-8")
    history = History(path)
    history.record("rotate", "default", result(State.VALID, 5))
    entries = history.recent(8)
    assert len(entries) == 8
    assert entries[0].action == "rotate"


def test_history_never_holds_a_key(tmp_path):
    path = tmp_path / "history.jsonl"
    History(path).record("save", "default", result(State.VALID, 1, ending=DEMO_KEY[-4:]))
    assert DEMO_KEY not in path.read_text()


def test_without_a_file_the_history_lives_in_memory():
    history = History(None)
    history.record("check", "default", result(State.VALID, 1))
    assert [entry.action for entry in history.recent(5)] == ["check"]


@pytest.mark.parametrize(
    ("action", "state", "said"),
    [
        ("check", "valid", "Checked: valid, key ending 5555"),
        ("check", "rate_limited", "Checked: Lessonspace was busy, key ending 5555"),
        ("save", "valid", "Saved a new key: valid, key ending 5555"),
        ("save", "rejected", "Save refused by Lessonspace, key ending 5555"),
        ("save", "no_storage", "Not saved: keyring problem, key ending 5555"),
        ("save", "offline", "Not saved: couldn't reach Lessonspace, key ending 5555"),
        ("save", "bad_input", "Not saved: nothing was changed, key ending 5555"),
        ("rotate", "valid", "Rotated: valid, key ending 5555"),
        ("rotate", "rejected", "Rotation refused by Lessonspace, key ending 5555"),
        ("forget", "not_set", "Removed the saved key, key ending 5555"),
        ("forget", "no_storage", "Not removed: keyring problem, key ending 5555"),
    ],
)
def test_each_entry_says_what_really_happened(action, state, said):
    from lsdesk.core.history import describe

    entry = HistoryEntry(datetime.now(UTC), action, state, 4242, "5555", "default")
    assert describe(entry).endswith(f"  {said}")
