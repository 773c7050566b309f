"""The checklist after a rotation, in the window: every place that holds the key, the new key copied for each,
kept through a restart, and the lessons since counted; the keys in the real Secret Service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from lsdesk.core.keystore import SystemKeyStore
from lsdesk.core.places import PLACES_FOLDER, Places, make_place
from lsdesk.gui import clipboard
from lsdesk.gui.places_view import CHECKLIST_WITHOUT_PLACES
from lsdesk.gui.rotate_dialog import CLOSE_ANYWAY
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS, answer_when_asked
from tests.test_rotate_dialog import rotate_with

PLACES = [make_place("teachworks", "democompany"), make_place("moodle", "moodle.democompany.example")]


@pytest.fixture
def store(real_keyring, keyring_service):
    keys = SystemKeyStore(service=keyring_service, backend=real_keyring)
    keys.set("default", DEMO_KEY)
    return keys


@pytest.fixture
def two_places(tmp_path):
    Places(tmp_path / PLACES_FOLDER).set("default", PLACES)  # beside the tests' lsdesk.ini


def rotate_and_close(window, sandbox, qtbot) -> str:
    """Rotate to a new key through the dialog, close it without copying, and wait for the lessons count."""
    new_key = sandbox.generate_key()
    dialog = window.open_rotation()
    assert rotate_with(qtbot, dialog, new_key).rotated
    answer_when_asked(qtbot, CLOSE_ANYWAY)
    with qtbot.waitSignal(window.host.lessons_counted, timeout=WAIT_MS):
        dialog.reject()
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    return new_key


def test_a_rotation_lists_each_place_and_copy_key_puts_the_new_key_on_the_clipboard_for_a_while(
    two_places, open_window, store, sandbox, qtbot, monkeypatch
):
    monkeypatch.setattr(clipboard, "CLEAR_AFTER_MS", 200)
    window = open_window()
    assert not window.places.box.isVisible()
    assert window.places.label.text() == "Teachworks, Moodle (Lessonspace plugin)"
    new_key = rotate_and_close(window, sandbox, qtbot)
    box = window.places.box
    assert box.isVisible() and list(box.rows) == ["Teachworks", "Moodle (Lessonspace plugin)"]
    assert window.places.label.text() == "2 places still to update"
    assert "No lessons have started since" in window.lessons_label.text()
    _tick, open_button, copy_button = box.rows["Teachworks"]
    assert open_button.isEnabled()
    board = QGuiApplication.clipboard()
    with qtbot.waitSignal(window.host.key_read, timeout=WAIT_MS):
        qtbot.mouseClick(copy_button, Qt.MouseButton.LeftButton)
    assert board.text() == new_key == store.get("default")
    assert new_key not in " ".join(label.text() for label in window.findChildren(type(window.places.label)))
    qtbot.waitUntil(lambda: board.text() == "", timeout=WAIT_MS)  # cleared


def test_the_checklist_survives_a_restart_and_ticking_every_place_clears_it(
    two_places, open_window, sandbox, qtbot, settings
):
    window = open_window()
    rotate_and_close(window, sandbox, qtbot)
    window.places.box.rows["Teachworks"][0].click()
    window.close()

    again = open_window()
    box = again.places.box
    assert box.isVisible() and box.rows["Teachworks"][0].isChecked()
    assert not box.rows["Moodle (Lessonspace plugin)"][0].isChecked()
    assert again.places.label.text() == "1 place still to update"
    box.rows["Moodle (Lessonspace plugin)"][0].click()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    assert again.places.label.text() == "Teachworks, Moodle (Lessonspace plugin)"


def test_lessons_since_the_rotation_are_0_then_2_once_two_lessons_start_with_the_new_key(
    two_places, open_window, sandbox, qtbot
):
    window = open_window()
    rotate_and_close(window, sandbox, qtbot)
    assert "No lessons have started since" in window.lessons_label.text()
    sandbox.start_lesson()
    sandbox.start_lesson()
    with qtbot.waitSignal(window.host.lessons_counted, timeout=WAIT_MS):
        assert window.places.scheduled_check()  # while places are left, a scheduled check counts them
    assert window.lessons_label.text().startswith("2 lessons have started since")


@pytest.mark.parametrize("fault", [{"sessions_status": 429}, {"sessions_wrong_shape": True}])
def test_a_busy_or_strange_sessions_answer_is_couldnt_tell_and_the_key_stays_valid(
    two_places, open_window, sandbox, qtbot, fault, caplog
):
    window = open_window()
    rotate_and_close(window, sandbox, qtbot)
    sandbox.faults.update(fault)
    with caplog.at_level("WARNING"), qtbot.waitSignal(window.host.lessons_counted, timeout=WAIT_MS):
        assert window.places.scheduled_check()
    assert window.lessons_label.text().startswith("lsdesk couldn't tell")
    assert window.badge.title() == "Valid API key (no changes required)"


def test_without_places_the_checklist_asks_where_the_key_is_used_and_dismiss_puts_it_away(open_window, sandbox, qtbot):
    window = open_window()
    rotate_and_close(window, sandbox, qtbot)
    box = window.places.box
    assert box.isVisible() and box.no_places.text() == CHECKLIST_WITHOUT_PLACES
    assert window.places.label.text() == "None set up yet"
    box.dismiss_button.click()
    assert not box.isVisible()
    assert not window.places.box.isVisible()


def test_places_are_set_up_in_their_dialog_with_a_clear_message_for_a_bad_address(open_window, tmp_path, qtbot):
    window = open_window()
    dialog = window.places.edit()
    form = dialog.form
    form.kind.setCurrentIndex(form.kind.findData("moodle"))
    form.given.setText("http://moodle.example.org")
    assert not dialog.add()
    assert dialog.problem.isVisible() and "https://" in dialog.problem.text()
    form.given.setText("moodle.example.org")
    assert dialog.add()
    assert not dialog.problem.isVisible() and dialog.list.count() == 1
    assert window.places.label.text() == "Moodle (Lessonspace plugin)"
    assert Places(tmp_path / PLACES_FOLDER).of("default")[0].given == "https://moodle.example.org"
    dialog.list.setCurrentRow(0)
    assert dialog.remove_selected()
    assert window.places.label.text() == "None set up yet"
    dialog.close()
