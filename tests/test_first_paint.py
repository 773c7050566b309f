"""Slow work waits for the window's first paint, but never forever, and never after a close."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from lsdesk.gui import first_paint
from lsdesk.gui.first_paint import NOT_PAINTED_AFTER_MS, after_first_paint

WAIT_MS = 5_000


def test_the_work_runs_once_the_window_has_painted_not_before(qtbot, monkeypatch):
    monkeypatch.setattr(first_paint, "NOT_PAINTED_AFTER_MS", 60_000)  # only the paint can start it
    window = QWidget()
    QLabel("lsdesk", window)
    qtbot.addWidget(window)
    ran = []
    after_first_paint(window, lambda: ran.append(window.isVisible()))
    assert ran == []
    window.show()
    qtbot.waitUntil(lambda: ran == [True], timeout=WAIT_MS)
    window.update()
    qtbot.wait(50)
    assert ran == [True]  # once only, however often the window repaints


def test_a_window_that_is_never_drawn_still_gets_its_work_done(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    ran = []
    after_first_paint(window, lambda: ran.append(True))
    qtbot.waitUntil(lambda: ran == [True], timeout=WAIT_MS)


def test_a_window_closed_before_it_was_drawn_wants_nothing_more(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    ran = []
    after_first_paint(window, lambda: ran.append(True))
    window.close()
    qtbot.wait(NOT_PAINTED_AFTER_MS + 200)
    assert ran == []
