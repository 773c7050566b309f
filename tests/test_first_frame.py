"""The window's first frame: drawn at once, with none of lsdesk's slower modules, at the size the window
last had, saying that the key is being checked; then filled in with the whole window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel

from lsdesk.core.settings_file import IniSettings
from lsdesk.gui.first_frame import CHECKING_MESSAGE, CHECKING_TITLE, SANDBOX_BANNER, FirstFrame
from lsdesk.gui.window import FIRST_FRAME_LINES, FITTED_SIZE, TITLE_BAR_ALLOWANCE, SettingsWindow, remembered_size
from tests.conftest import WAIT_MS

HANG_GUARD_S = 60  # a guard against hanging, not a timing target
# What the first frame must be drawn without: the command line's parser and core, the window's own widgets,
# the worker, the status model and the sandbox. Each is imported once that frame is on screen.
AFTER_THE_FIRST_FRAME = (
    "lsdesk.cli",
    "lsdesk.core.outcome",
    "lsdesk.core.status",
    "lsdesk.core.keystore",
    "lsdesk.core.history",
    "lsdesk.gui.badge",
    "lsdesk.gui.key_field",
    "lsdesk.gui.history_view",
    "lsdesk.gui.worker",
    "lsdesk.gui.tray",
    "lsdesk.sandbox",
)


def labels(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]


def test_the_first_frame_says_the_key_is_being_checked_and_nothing_else(qtbot):
    window = SettingsWindow("default", sandbox=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.filled
    assert isinstance(window.centralWidget(), FirstFrame)
    assert labels(window) == [SANDBOX_BANNER, "", CHECKING_TITLE, CHECKING_MESSAGE]  # the "" is the badge's icon
    window.close()  # closed before it was filled: nothing to stop, and no error


def test_the_filled_window_takes_the_first_frames_place_and_keeps_its_size(
    qtbot, sandbox, store, settings, journal, history
):
    from lsdesk.gui.app import create_window

    settings.setValue(FITTED_SIZE, "600x500")  # within the smallest test screen
    settings.sync()
    window = SettingsWindow("default", fitted_size=remembered_size(IniSettings(Path(settings.fileName()))))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.size() == QSize(600, 500)  # the first frame is drawn at the size the window last had
    first_frame = window.centralWidget()
    with qtbot.waitSignal(window.filled_in, timeout=WAIT_MS):
        create_window(sandbox.api_url, store=store, settings=settings, journal=journal, history=history, window=window)
    assert window.filled
    finished = []  # the first check starts once the filled window has been drawn
    window.host.operation_finished.connect(lambda: finished.append(True))
    assert window.centralWidget() is not first_frame
    qtbot.waitUntil(lambda: not window.findChildren(FirstFrame), timeout=WAIT_MS)  # Qt deletes it soon after
    assert window.badge.isVisible() and window.key_field.isVisible()
    qtbot.waitUntil(lambda: finished == [True], timeout=WAIT_MS)
    # The window fitted itself to its content, and that size is its next first frame's.
    assert remembered_size(settings) == window.size()
    window.quit()


@pytest.mark.parametrize("value", ["", "600", "600x", "x700", "-600x700", "600x700x1", "wide x tall", "@Size(1 2)"])
def test_a_remembered_size_that_is_not_one_is_left_alone(tmp_path, value):
    section, key = FITTED_SIZE.split("/")
    damaged = tmp_path / "lsdesk.ini"
    damaged.write_text(f"[{section}]\n{key}={value}\n", encoding="utf-8")
    assert remembered_size(IniSettings(damaged)) is None


def test_a_missing_remembered_size_gives_a_first_frame_about_as_tall_as_the_window(qtbot):
    window = SettingsWindow("default")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # No size remembered: a height of FIRST_FRAME_LINES lines of text, within the screen.
    room = window.screen().availableSize().height() - TITLE_BAR_ALLOWANCE
    assert window.height() >= min(window.fontMetrics().lineSpacing() * FIRST_FRAME_LINES, room)
    assert window.width() >= 560
    window.close()


def first_and_filled(environment: dict[str, str]) -> tuple[dict, dict]:
    """What `lsdesk --sandbox` showed at its window's first paint, and once that window was filled in."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.first_frame_probe"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        env={**os.environ, **environment},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["first_paint"], report["filled"]


def test_the_first_frame_is_drawn_before_lsdesks_slower_modules_are_imported(tmp_path):
    environment = {name: str(tmp_path / name) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")}
    first, filled = first_and_filled(environment)
    assert not first["filled"]
    assert [module for module in AFTER_THE_FIRST_FRAME if module in first["modules"]] == []
    assert first["labels"] == [SANDBOX_BANNER, "", CHECKING_TITLE, CHECKING_MESSAGE]
    assert filled["filled"]
    assert [module for module in AFTER_THE_FIRST_FRAME if module not in filled["modules"]] == ["lsdesk.cli"]
    # The next start draws its first frame at the size the window fitted itself to: nothing moves when it fills.
    again_first, again_filled = first_and_filled(environment)
    assert again_first["size"] == filled["size"] == again_filled["size"]


def test_an_address_lsdesk_refuses_closes_the_first_frame_and_says_why(tmp_path):
    environment = {name: str(tmp_path / name) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.refused_start_probe", "--api-url", "http://api.thelessonspace.com/v2/"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        env={**os.environ, **environment},
    )
    assert result.returncode == 2, result.stderr
    (box,) = json.loads(result.stdout.strip().splitlines()[-1])["boxes"]
    sentence = result.stderr.strip().splitlines()[-1]
    assert box == {"text": sentence, "window_visible": False}  # no "Checking..." behind "lsdesk can't start"
    assert "https" in sentence
