"""The window fits the screen: every control reachable on a small laptop, at 200 % and with a large system font.

Sizes are Qt's logical pixels: a 1600x1000 screen at 200 % gives a window 800x500 of them.
A taskbar or dock takes some of that; TASKBAR leaves room for one.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from lsdesk.gui.window import TITLE_BAR_ALLOWANCE
from lsdesk.sandbox import DEMO_KEY

TASKBAR = 48
SCREENS = {"1366x768 at 100 %": (1366, 768), "1600x1000 at 200 %": (800, 500)}
LONG_NAME = "The Extraordinarily Long-Named Northern Hemisphere Academy of Tutoring, Mentoring and Exam Preparation"


def system_font(qapp, points: int):
    """The desktop's font at `points`, for one test."""
    before = qapp.font()
    font = QFont(before)
    font.setPointSize(points)
    qapp.setFont(font)
    yield
    qapp.setFont(before)


@pytest.fixture
def large_system_font(qapp):
    yield from system_font(qapp, 16)


@pytest.fixture
def small_system_font(qapp):
    yield from system_font(qapp, 7)


def assert_minimum_fits(window, width: int, height: int) -> None:
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert minimum.width() <= width, f"at least {minimum.width()} px wide, the screen has {width}"
    assert minimum.height() <= height - TASKBAR, f"at least {minimum.height()} px tall, the screen has {height}"


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
def test_the_smallest_window_fits_the_screen(open_window, store, screen):
    store.set("default", DEMO_KEY)
    assert_minimum_fits(open_window(), *screen)


def test_with_a_16_pt_system_font_the_smallest_window_fits_a_small_laptop(open_window, store, large_system_font):
    store.set("default", DEMO_KEY)
    window = open_window()
    assert window.save_button.font().pointSize() == 16
    assert_minimum_fits(window, *SCREENS["1366x768 at 100 %"])


def test_a_window_taller_than_the_screen_opens_within_it_and_scrolls_to_every_control(
    open_window, store, large_system_font, qtbot
):
    """A 16 pt font makes the window taller than the tests' 800x600 screen."""
    store.set("default", DEMO_KEY)
    window = open_window()
    room = window.screen().availableGeometry()
    assert window.sizeHint().height() > room.height()  # it would not fit whole
    assert window.height() <= room.height()
    area = window.scroll_area
    assert area.verticalScrollBar().maximum() > 0
    # The badge and the window's own buttons stay in view, outside the scrolled part.
    for always in (window.badge, window.settings_button, window.forget_button):
        assert not area.widget().isAncestorOf(always)
    # Every control inside can be scrolled into view, as focus moving to it does.
    for control in [*area.widget().findChildren(QPushButton), window.key_field.line_edit, window.history_list]:
        if not control.isVisibleTo(window):
            continue
        area.ensureWidgetVisible(control)
        QApplication.processEvents()
        top_left = control.mapTo(area.viewport(), control.rect().topLeft())
        assert area.viewport().rect().contains(top_left), control.objectName()


def test_focus_moving_down_the_window_scrolls_the_focused_control_into_view(
    open_window, store, large_system_font, qtbot
):
    store.set("default", DEMO_KEY)
    window = open_window()
    area = window.scroll_area
    window.activateWindow()
    window.rotate_button.setFocus()
    assert area.verticalScrollBar().value() == 0
    qtbot.keyClick(window.rotate_button, Qt.Key.Key_Tab)  # on to "Open Lessonspace developer settings"
    qtbot.waitUntil(lambda: window.open_developer_button.hasFocus())
    qtbot.waitUntil(lambda: area.verticalScrollBar().value() > 0)
    corner = window.open_developer_button.mapTo(area.viewport(), window.open_developer_button.rect().bottomLeft())
    assert area.viewport().rect().contains(corner)


def test_a_long_organisation_name_is_shortened_on_screen_and_whole_in_its_tooltip(open_window, sandbox, qtbot):
    sandbox.add_organisation(777, LONG_NAME)
    key = sandbox.generate_key(organisation_id=777)
    window = open_window()
    window.key_field.line_edit.setText(key)
    with qtbot.waitSignal(window.host.saved, timeout=10_000):
        window.save_button.click()
    label = window.organisation_label
    assert LONG_NAME in label.text()
    assert label.toolTip() == label.text()
    assert label.accessibleDescription() == label.text()
    assert label.is_elided()
    assert label.width() < label.fontMetrics().horizontalAdvance(label.text())
    assert window.width() <= window.screen().availableGeometry().width()
    assert isinstance(label, QLabel)


def test_a_message_that_appears_makes_the_window_taller_by_as_much_where_the_screen_has_room(
    open_window, store, small_system_font, qtbot
):
    """Before: the window kept its height and the new message pushed the history behind a scroll bar."""
    store.set("default", DEMO_KEY)
    window = open_window()
    room = window.screen().availableGeometry().height() - TITLE_BAR_ALLOWANCE
    window.resize(window.width(), room - 150)  # the admin made it smaller: it has room to grow
    qtbot.waitUntil(lambda: window.height() == room - 150)
    before = window.height()
    window.key_field.line_edit.setText("11111111-2222-4333-8444-555555555555")  # a key Lessonspace refuses
    with qtbot.waitSignal(window.host.saved, timeout=10_000):
        window.save_button.click()
    qtbot.waitUntil(lambda: window.message_bar.isVisible())
    qtbot.waitUntil(lambda: window.height() > before)
    assert window.height() - before <= window.message_bar.height() + 2 * window.column.spacing()
    assert window.height() <= room


def test_in_a_very_wide_window_the_keys_buttons_stay_together(open_window, store, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    window.resize(1600, window.height())
    qtbot.waitUntil(lambda: window.width() >= 1500 or window.width() == window.screen().availableGeometry().width())
    QApplication.processEvents()
    gap = window.rotate_button.x() - (window.check_button.x() + window.check_button.width())
    assert gap <= 3 * window.column.spacing()
    assert window.save_button.x() < window.check_button.x() < window.rotate_button.x()
