"""Screen readers, keyboards, larger text and dark mode: the window works for everyone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAccessible, QFont, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.core.outcome import State
from lsdesk.core.status import Activity
from lsdesk.gui.theme import dark_palette, icon
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS

INTERACTIVE = {
    QAccessible.Role.PushButton,
    QAccessible.Role.EditableText,
    QAccessible.Role.CheckBox,
    QAccessible.Role.List,
}


@pytest.fixture
def store():
    keys = MemoryKeyStore()
    keys.set("default", DEMO_KEY)
    return keys


@pytest.fixture
def window(open_window):
    return open_window(banner=True)


def walk(node):
    yield node
    for index in range(node.childCount()):
        child = node.child(index)
        if child is not None:
            yield from walk(child)


def test_every_control_in_the_accessibility_tree_has_a_name_and_buttons_say_what_they_do(window):
    nodes = list(walk(QAccessible.queryAccessibleInterface(window)))
    interactive = [node for node in nodes if node.role() in INTERACTIVE]
    assert len(interactive) >= 7
    for node in interactive:
        assert node.text(QAccessible.Text.Name), node.role()
    described = {
        node.text(QAccessible.Text.Name): node.text(QAccessible.Text.Description)
        for node in interactive
        if node.role() == QAccessible.Role.PushButton and node.object().objectName().endswith("Button")
    }
    assert described["Save"] == "Check the new key with Lessonspace, then save it"
    assert all(described.values()), described
    names = [node.text(QAccessible.Text.Name) for node in nodes]
    assert "Valid API key (no changes required)" in names
    assert "API key" in names


def test_the_status_is_given_to_screen_readers_as_words(window, qtbot, sandbox):
    badge = QAccessible.queryAccessibleInterface(window.badge)
    assert badge.text(QAccessible.Text.Name) == "Valid API key (no changes required)"
    sandbox.revoke_key(DEMO_KEY)
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        window.check()
    assert badge.text(QAccessible.Text.Name) == "Invalid API key (new API key required)"
    assert "Paste a new API key" in badge.text(QAccessible.Text.Description)


def test_the_keyboard_reaches_every_control_in_the_documented_order(window, qtbot):
    window.key_field.line_edit.setFocus()
    order = [window.focusWidget()]
    for _ in range(13):
        # Sent to the focused control, as the keyboard would: the test needs no window manager.
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        order.append(window.focusWidget())
    assert order == [
        window.key_field.line_edit,
        window.key_field.toggle,
        window.save_button,
        window.check_button,
        window.rotate_button,
        window.open_developer_button,
        window.check_lessons_button,
        window.places.edit_button,
        window.history_box.scope,
        window.history_box.export_button,
        window.history_list,
        window.forget_button,
        window.copy_saved_button,
        window.settings_button,
    ]


def test_mnemonics_reach_the_key_field_and_the_buttons(window):
    assert window.save_button.text() == "&Save"
    assert window.check_button.text() == "&Check again"
    assert window.rotate_button.text() == "&Rotate API key..."  # it opens a dialog
    mnemonics = [
        text.split("&")[1][0].lower()
        for text in (
            window.save_button.text(),
            window.check_button.text(),
            window.rotate_button.text(),
            window.open_developer_button.text(),
            window.key_field.toggle.text(),
            "API &key",
        )
    ]
    assert len(set(mnemonics)) == len(mnemonics)  # no two controls share a letter


def test_text_follows_the_system_font_size(window, qtbot):
    app = QApplication.instance()
    original = app.font()
    before = window.badge.findChild(QLabel, "statusTitle").font().pointSizeF()
    bigger = QFont(original)
    bigger.setPointSizeF(original.pointSizeF() * 2)
    app.setFont(bigger)
    try:
        qtbot.waitUntil(
            lambda: window.badge.findChild(QLabel, "statusTitle").font().pointSizeF() > before * 1.5,
            timeout=WAIT_MS,
        )
    finally:
        app.setFont(original)


def test_badge_and_banner_follow_a_switch_to_dark_mode_and_back(window, qtbot):
    app = QApplication.instance()
    light = app.palette()
    assert window.badge.state is State.VALID
    assert "#1e8e3e" in window.badge.styleSheet()
    app.setPalette(dark_palette())
    try:
        qtbot.waitUntil(lambda: "#81c995" in window.badge.styleSheet(), timeout=WAIT_MS)
        banner = window.findChild(QLabel, "sandboxBanner")
        assert "#fdd663" in banner.styleSheet()
    finally:
        app.setPalette(light)
    qtbot.waitUntil(lambda: "#1e8e3e" in window.badge.styleSheet(), timeout=WAIT_MS)


def test_icons_are_sharp_at_200_percent(window):
    # At 200 % a 16-point icon needs 32 real pixels; a blurry icon would be scaled up from 16.
    eye = window.key_field.toggle.icon().pixmap(QSize(16, 16), 2.0)
    assert eye.width() == 32
    status = icon("valid.svg").pixmap(QSize(32, 32), 2.0)
    assert status.width() == 64
    assert not status.toImage().isNull()


def test_high_contrast_draws_the_badge_in_the_text_colour_without_a_tint(window, monkeypatch):
    from lsdesk.gui import theme

    # The platform decides the contrast preference; here it is said to be high.
    monkeypatch.setattr(theme, "high_contrast", lambda: True)
    window.badge.restyle()
    text = QApplication.palette().color(QPalette.ColorRole.WindowText).name()
    assert f"border: 2px solid {text}" in window.badge.styleSheet()
    assert "background-color: transparent" in window.badge.styleSheet()


def test_pressing_check_again_keeps_the_focus_off_other_buttons_and_gives_it_back(window, qtbot, sandbox):
    """Before: Check again, disabled while it ran, sent the focus on to Rotate, which Orca read out
    instead of the result."""
    window.activateWindow()
    window.check_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.check_button)
    sandbox.faults.delay = 0.3
    focus_while_checking = []  # after each change the window drew, while the check runs
    window.model.subscribe(
        lambda model: model.activity is not Activity.IDLE and focus_while_checking.append(QApplication.focusWidget())
    )
    with qtbot.waitSignal(window.host.operation_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.check_button, Qt.Key.Key_Space)
    assert focus_while_checking
    assert not any(isinstance(widget, QAbstractButton) for widget in focus_while_checking)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.check_button)
