"""The small things an admin notices: words after a change, buttons that keep still, icons that suit the scheme."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel

from lsdesk.core.usecases import SAVED_TITLE
from lsdesk.gui.screenshots import THEMES
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import type_and_save


def test_right_after_a_save_the_badge_does_not_say_no_changes_required(open_window, qtbot):
    window = open_window()
    type_and_save(qtbot, window, DEMO_KEY)
    assert window.badge.title() == SAVED_TITLE
    assert "no changes required" not in window.badge.title()
    assert window.badge.state.value == "valid"


def test_the_show_button_keeps_its_width_when_it_says_hide(open_window, qtbot):
    window = open_window()
    toggle = window.key_field.toggle
    before = toggle.width()
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert toggle.text() == "&Hide"
    assert toggle.width() == before
    assert toggle.minimumWidth() >= toggle.sizeHint().width()


@pytest.fixture(params=["light", "dark"])
def scheme(request, qapp):
    before = qapp.palette()
    qapp.setPalette(THEMES[request.param].palette())
    yield request.param
    qapp.setPalette(before)


def test_the_status_icon_follows_the_window_scheme(open_window, store, scheme):
    store.set("default", DEMO_KEY)
    window = open_window()
    icon = window.badge.findChild(QLabel, "statusIcon").pixmap().toImage()
    circle = QColor(icon.pixel(icon.width() // 8, icon.height() // 2))
    window_colour = QApplication.palette().window().color()
    assert circle.alpha() == 255
    if scheme == "dark":
        assert circle.lightness() > window_colour.lightness() + 80  # a light accent on a dark window
    else:
        assert circle.lightness() < window_colour.lightness() - 80
    assert icon.size() == QSize(32, 32) * window.badge.devicePixelRatioF()
