"""Preferences live in the core: the window writes them with QSettings, the command line reads the same file without Qt.

Before: the API address chosen in the window's Settings was ignored by `lsdesk check`, which asked
Lessonspace itself instead, so a scheduled check and the window could disagree about the same key.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from lsdesk.core.api_url import FROM_SETTINGS
from lsdesk.core.preferences import API_URL, DEFAULT_WATCH_MINUTES, Preferences
from lsdesk.core.settings_file import MAX_SETTINGS_BYTES, SANDBOX_SETTINGS, IniSettings, settings_path
from lsdesk.gui.app import settings_for
from lsdesk.gui.preferences import PreferencesDialog
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS


def run_check(config_home, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    environment.pop("LSDESK_API_URL", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lsdesk", "check", "--key-stdin", "--json", *options],
        input=DEMO_KEY,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )


def save_in_settings(config_home, monkeypatch, api_url: str) -> None:
    """As the window's Settings dialog saves it: Preferences.save on the window's own QSettings."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    settings = settings_for()
    Preferences(api_url=api_url, watch_minutes=60, keep_in_tray=False).save(settings)
    assert settings.fileName() == str(settings_path())
    assert settings_path().is_file()


def closed_port_url() -> str:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{placeholder.getsockname()[1]}/v2/"


def test_the_window_and_the_command_line_use_one_settings_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert settings_for().fileName() == str(tmp_path / "lsdesk" / "lsdesk.ini")
    assert settings_for(SANDBOX_SETTINGS).fileName() == str(tmp_path / "lsdesk" / "lsdesk-sandbox.ini")


def test_lsdesk_check_uses_the_api_address_saved_in_settings(sandbox, tmp_path, monkeypatch):
    save_in_settings(tmp_path, monkeypatch, sandbox.api_url)
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "valid"
    assert sandbox.request_count >= 1


@pytest.mark.parametrize("how", ["--api-url", "LSDESK_API_URL"])
def test_the_option_and_the_environment_win_over_settings(sandbox, tmp_path, monkeypatch, how):
    save_in_settings(tmp_path, monkeypatch, closed_port_url())
    if how == "--api-url":
        result = run_check(tmp_path, "--api-url", sandbox.api_url)
    else:
        result = run_check(tmp_path, env={"LSDESK_API_URL": sandbox.api_url})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "valid"


def test_an_unusable_address_in_settings_is_named_as_coming_from_settings(tmp_path, monkeypatch):
    save_in_settings(tmp_path, monkeypatch, "http://lessonspace.example/v2/")
    result = run_check(tmp_path)
    assert result.returncode == 2
    answer = json.loads(result.stdout)
    assert answer["state"] == "bad_input"
    assert "https://" in answer["detail"]
    assert FROM_SETTINGS in answer["detail"]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "https://api.thelessonspace.com/v2/",
        'a, b; c=d "quoted" é %x @at the start',
        "@starts with an at",
        "  spaced  ",
        "tab\tand\nnew line and back\\slash",
    ],
)
def test_what_qsettings_writes_the_core_reads_back_the_same(tmp_path, text):
    path = tmp_path / "lsdesk.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue(API_URL, text)
    settings.setValue("preferences/watch_minutes", 180)
    settings.sync()
    read = IniSettings(path)
    assert read.value(API_URL) == text
    assert Preferences.load(read) == Preferences.load(settings)


def test_a_list_where_an_address_belongs_is_ignored_and_logged(tmp_path, caplog):
    path = tmp_path / "lsdesk.ini"
    path.write_text("[preferences]\napi_url=one, two\nwatch_minutes=@Variant(\\0\\0\\0\\x7f)\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        preferences = Preferences.load(IniSettings(path))
    assert preferences == Preferences(api_url="", watch_minutes=DEFAULT_WATCH_MINUTES)
    assert "ignored the setting preferences/api_url: not a piece of text" in caplog.text


@pytest.mark.parametrize("damage", ["fifo", "symlink", "folder", "huge", "garbage"])
def test_a_damaged_settings_file_reads_as_no_preferences_and_never_blocks(tmp_path, caplog, damage):
    path = tmp_path / "lsdesk.ini"
    if damage == "fifo":
        os.mkfifo(path)  # opened without waiting: nobody will ever write to it
    elif damage == "symlink":
        (tmp_path / "elsewhere.ini").write_text("[preferences]\napi_url=https://elsewhere.example/\n")
        path.symlink_to(tmp_path / "elsewhere.ini")
    elif damage == "folder":
        path.mkdir()
    elif damage == "huge":
        path.write_bytes(b"[preferences]\napi_url=https://big.example/\n" + b";" * MAX_SETTINGS_BYTES)
    else:
        path.write_bytes(bytes(range(256)) * 64)
    with caplog.at_level(logging.WARNING):
        preferences = Preferences.load(IniSettings(path))
    assert preferences == Preferences()
    if damage != "garbage":  # garbage is read, and holds no setting lsdesk knows
        assert "ignored the settings file" in caplog.text


def test_no_settings_file_is_no_preferences_and_no_warning(tmp_path):
    assert Preferences.load(IniSettings(tmp_path / "absent.ini")) == Preferences()


# -- the language, chosen in Settings ---------------------------------------------------------------


def accept_settings(qtbot, window, dialog) -> None:
    """Press OK, as the admin does, and wait for the window to save what was chosen."""
    with qtbot.waitSignal(window.preferences_changed, timeout=WAIT_MS):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_settings_offers_the_system_s_language_then_each_language_in_its_own_words(qtbot):
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    choice = dialog.language
    assert choice.objectName() == "languageChoice"
    assert choice.accessibleName() == "Language"
    assert [choice.itemText(index) for index in range(choice.count())] == ["System", "English", "Français", "Español"]
    assert [choice.itemData(index) for index in range(choice.count())] == ["", "en", "fr", "es"]
    assert choice.currentText() == "System"  # nothing saved: the system's language
    assert dialog.language_note.isVisible()
    assert dialog.language_note.text() == "Takes effect the next time lsdesk opens."


@pytest.mark.parametrize(("saved", "shown"), [("fr", "Français"), ("es", "Español"), ("en", "English"), ("", "System")])
def test_settings_shows_the_saved_language(open_window, settings, qtbot, saved, shown):
    Preferences(language=saved).save(settings)
    window = open_window()
    dialog = window.open_preferences()
    assert dialog.language.currentText() == shown
    assert dialog.preferences().language == saved  # left as it is, the saved language is kept
    dialog.reject()


def test_choosing_espanol_and_accepting_saves_es(open_window, settings, qtbot):
    window = open_window()
    dialog = window.open_preferences()
    dialog.language.setCurrentIndex(dialog.language.findText("Español"))
    accept_settings(qtbot, window, dialog)
    assert Preferences.load(settings).language == "es"
    assert Preferences.load(IniSettings(Path(settings.fileName()))).language == "es"  # as the command line reads it
    assert window.open_preferences().language.currentText() == "Español"  # and Settings shows it next time


def test_choosing_system_saves_no_language(open_window, settings, qtbot):
    Preferences(language="fr").save(settings)
    window = open_window()
    dialog = window.open_preferences()
    dialog.language.setCurrentIndex(dialog.language.findText("System"))
    accept_settings(qtbot, window, dialog)
    assert Preferences.load(settings).language == ""
