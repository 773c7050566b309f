"""`lsdesk history`: every organisation's history as lines, CSV or JSON, and never a key."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime

import pytest

from lsdesk.core.history import HISTORY_FILE, History
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.sandbox import DEMO_KEY
from tests.test_cli import run


@pytest.fixture
def history(tmp_path, monkeypatch):
    """A history of the test's own, in the data folder lsdesk reads; two profiles, one key never in it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    book = History(tmp_path / "data" / "lsdesk" / HISTORY_FILE)
    demo = Organisation(4242, "Demo Tutoring Co")
    book.record("check", "default", outcome(State.VALID, "", organisation=demo, key_ending=DEMO_KEY[-4:]))
    book.record("save", "branch", outcome(State.REJECTED, "", key_ending="5555"))
    book.record("rotate", "default", outcome(State.VALID, "", organisation=demo, key_ending="9999"))
    return book


def cli(*args: str):
    return run("history", *args, env={"XDG_DATA_HOME": os.environ["XDG_DATA_HOME"]})


def test_csv_has_one_row_per_entry_with_an_iso_time_and_never_a_key(history):
    result = cli("--all", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["profile"], row["action"], row["result"], row["key_ending"]) for row in rows] == [
        ("default", "check", "valid", DEMO_KEY[-4:]),
        ("branch", "save", "rejected", "5555"),
        ("default", "rotate", "valid", "9999"),
    ]
    assert rows[0]["organisation_id"] == "4242" and rows[1]["organisation_id"] == ""
    assert datetime.fromisoformat(rows[0]["time"]).utcoffset() is not None  # with its offset
    assert "The history reaches back to" in result.stderr
    assert DEMO_KEY not in result.stdout + result.stderr


def test_one_profile_by_default_and_the_newest_n_with_limit(history):
    lines = cli().stdout.splitlines()
    assert len(lines) == 2 and all("  default  " in line for line in lines)
    assert lines[-1].endswith("Rotated: valid, key ending 9999")
    newest = json.loads(cli("--all", "--json", "--limit", "1").stdout.splitlines()[-1])
    assert [entry["action"] for entry in newest["entries"]] == ["rotate"]
    assert newest["reaches_back_to"] == newest["entries"][0]["time"]


def test_the_words_are_the_windows(history):
    assert "Save refused by Lessonspace, key ending 5555" in cli("--profile", "branch").stdout


def test_an_empty_history_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "empty"))
    result = cli("--all")
    assert result.returncode == 0 and result.stdout == ""
    assert "holds nothing yet" in result.stderr


def test_a_bad_limit_is_a_usage_error(history):
    assert cli("--limit", "-3").returncode == 2
