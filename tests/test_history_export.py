"""`lsdesk history`: every organisation's history as lines, CSV or JSON, and never a key."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lsdesk.core.history import HISTORY_FILE, History
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.core.status import Tone
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


# The window's history: this organisation's or every organisation's, and Export... through the real save dialog.


def test_the_window_shows_this_organisations_history_or_everyones(open_window, store, history):
    store.set("default", DEMO_KEY)
    history.record("save", "branch", outcome(State.REJECTED, "", key_ending="5555"))
    window = open_window()
    lines = [window.history_list.item(row).text() for row in range(window.history_list.count())]
    assert lines and all("5555" not in line for line in lines)
    window.history_box.scope.setCurrentIndex(1)  # All organisations
    lines = [window.history_list.item(row).text() for row in range(window.history_list.count())]
    assert any(line.endswith("Save refused by Lessonspace, key ending 5555 (branch)") for line in lines)
    assert any(line.endswith("(default)") for line in lines)


def save_as_when_asked(qtbot, path) -> None:
    """Type `path` into the real save dialog's file name once it opens, as the admin would, and press Save."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QFileDialog):
            name = dialog.findChild(QLineEdit, "fileNameEdit")
            qtbot.keyClicks(name, str(path))
            qtbot.keyClick(name, Qt.Key.Key_Return)
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)


def test_export_writes_what_the_list_shows_as_csv_and_says_how_far_back(open_window, store, history, tmp_path, qtbot):
    # Qt's own dialog: the platform's (a portal, GTK) would be another process the test cannot answer.
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    store.set("default", DEMO_KEY)
    history.record("save", "branch", outcome(State.REJECTED, "", key_ending="5555"))
    window = open_window()
    window.history_box.scope.setCurrentIndex(1)
    target = tmp_path / "export"  # no suffix: lsdesk adds .csv
    save_as_when_asked(qtbot, target)
    window.history_box.export_button.click()
    written = tmp_path / "export.csv"
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8"))))
    assert {row["profile"] for row in rows} == {"default", "branch"}
    assert all(set(row) == {"time", "profile", "organisation_id", "action", "result", "key_ending"} for row in rows)
    assert DEMO_KEY not in written.read_text(encoding="utf-8")
    said = window.message_bar.text()
    assert said.startswith(f"History exported: {len(rows)} entries written to export.csv. The history reaches back to")
    assert window.message_bar.tone is Tone.DONE


def test_an_export_that_cannot_be_written_says_why_and_changes_nothing(open_window, store, tmp_path):
    store.set("default", DEMO_KEY)
    window = open_window()
    badge_before = window.badge.title()
    (tmp_path / "taken").mkdir()
    assert not window.history_box.export_to(str(tmp_path / "taken"))  # a folder where the file would go
    said = window.message_bar.text()
    assert said.startswith("History not exported: lsdesk needs") and said.endswith("Choose another place.")
    assert "it is a folder" in said and window.message_bar.tone is Tone.PROBLEM
    assert window.badge.title() == badge_before
