"""The guided rotation in the window, driven as an admin would, against the sandbox."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from lsdesk.core.keystore import MemoryKeyStore, SystemKeyStore
from lsdesk.core.outcome import State
from lsdesk.core.rotation import ELSEWHERE, Step, backup_slot
from lsdesk.gui import clipboard
from lsdesk.gui.rotate_dialog import CLOSE_ANYWAY, COPY_AND_CLOSE, NOT_COPIED_TITLE, RotateDialog
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import NO_BROWSER_WARNINGS, WAIT_MS, answer_when_asked
from tests.flaky_keyring import FlakyBackend

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def store():
    keys = MemoryKeyStore()
    keys.set("default", DEMO_KEY)
    return keys


def result_lines(dialog) -> list[str]:
    """The rotation's result as the admin reads it, top to bottom."""
    labels = [label for label in dialog.result_list.findChildren(QLabel) if label.isVisible()]
    return [label.text() for label in sorted(labels, key=lambda label: label.y())]


def rotate_with(qtbot, dialog, key: str):
    dialog.key_field.line_edit.setText(key)
    with qtbot.waitSignal(dialog._host.rotated, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    # The operation ends just after its result: until then the buttons stay disabled, as an admin sees.
    qtbot.waitUntil(lambda: not dialog._host.busy, timeout=WAIT_MS)
    return done.args[0]


def test_rotation_with_the_old_key_revoked_ends_with_the_new_key_saved(open_window, store, journal, sandbox, qtbot):
    window = open_window()
    qtbot.mouseClick(window.rotate_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(RotateDialog)
    assert dialog.isVisible()
    new_key = sandbox.generate_key(revoke_previous=True)
    result = rotate_with(qtbot, dialog, new_key)
    assert result.rotated
    assert dialog.status.text() == "API key rotated."
    assert result_lines(dialog) == [
        f"Done: The new key is saved in {store.description}.",
        "The old key no longer works.",
        ELSEWHERE,
    ]
    assert dialog.revoke_button is None  # nothing to revoke
    assert store.get("default") == new_key
    assert store.get(backup_slot("default")) is None
    assert journal.read("default") is None
    assert window.badge.title() == "API key rotated"
    assert window.key_ending_label.text() == f"ends in {new_key[-4:]}"
    assert dialog.copy_button.isVisible()
    assert "Rotated: valid" in window.history_list.item(0).text()


def test_rotation_with_the_old_key_still_working_says_to_revoke_it(open_window, sandbox, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    rotate_with(qtbot, dialog, sandbox.generate_key())
    assert "The old key still works: revoke it" in result_lines(dialog)[1]
    assert dialog.revoke_button.isVisible()


def test_a_rejected_new_key_keeps_everything_as_it_was(open_window, store, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    result = rotate_with(qtbot, dialog, UNKNOWN_KEY)
    assert not result.rotated
    assert dialog.status.text().startswith("Problem: Lessonspace did not accept this key.")
    assert dialog.key_field.text() == UNKNOWN_KEY
    assert store.get("default") == DEMO_KEY
    assert window.badge.state is State.VALID


def test_malformed_input_is_explained_and_nothing_starts(open_window, sandbox, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    sent = sandbox.request_count
    dialog.key_field.line_edit.setText("not-a-key")
    qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    assert "doesn't look like a Lessonspace API key" in dialog.key_field.feedback.text()
    assert not window.host.busy
    assert sandbox.request_count == sent


def test_a_key_for_another_organisation_asks_first(open_window, store, sandbox, qtbot, monkeypatch):
    asked = answer_when_asked(qtbot, QMessageBox.StandardButton.Yes)
    window = open_window()
    dialog = window.open_rotation()
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    dialog.key_field.line_edit.setText(other_key)
    with qtbot.waitSignal(window.host.rotated, timeout=WAIT_MS, check_params_cb=lambda result: result.rotated):
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    assert "Other Academy (id 5151), not Demo Tutoring Co (id 4242)" in asked[0][0]
    assert store.get("default") == other_key
    assert window.organisation_label.text() == "Other Academy (id 5151)"
    # The old key is still Demo Tutoring Co's, and still works: the advice says whose it is.
    assert result_lines(dialog)[1] == (
        "The old key, for Demo Tutoring Co (id 4242), still works: "
        "revoke it in that organisation's Lessonspace dashboard (Settings > Developer)."
    )


def test_a_keychain_that_refuses_the_new_key_keeps_it_in_the_dialog_to_retry_or_copy(
    open_window, sandbox, qtbot, caplog
):
    """Before: the worker's results reached the host through a functools.partial, which
    PySide6 sometimes ran on the worker's thread; the operation then ended there, the
    dialog re-enabled Try again too late, and the retry was lost (1 run in 4)."""
    backend = FlakyBackend(fail_set_for=frozenset({"default"}))
    backend.values[("lsdesk:default", "default")] = DEMO_KEY
    window = open_window(key_store=SystemKeyStore(backend=backend))
    dialog = window.open_rotation()
    gui_thread = QThread.currentThread()
    ended_on_gui_thread = []
    window.host.operation_finished.connect(lambda: ended_on_gui_thread.append(QThread.currentThread() is gui_thread))
    new_key = sandbox.generate_key()
    with caplog.at_level(logging.WARNING):
        result = rotate_with(qtbot, dialog, new_key)
    assert "credential store save failed" in caplog.text
    assert not result.rotated
    assert "Copy the new key so you don't lose it" in dialog.status.text()
    assert dialog.key_field.text() == new_key
    assert dialog.copy_button.isVisible()
    assert dialog.rotate_button.text() == "&Try again"
    backend.fail_set_for = frozenset()
    assert rotate_with(qtbot, dialog, new_key).rotated
    assert backend.values[("lsdesk:default", "default")] == new_key
    assert ended_on_gui_thread == [True, True]


def test_copy_new_key_clears_the_clipboard_later_if_it_still_holds_the_key(open_window, sandbox, qtbot, monkeypatch):
    monkeypatch.setattr(clipboard, "CLEAR_AFTER_MS", 200)
    timer = NotingTimer
    monkeypatch.setattr(timer, "ran", [])
    monkeypatch.setattr(clipboard, "QTimer", timer)
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    rotate_with(qtbot, dialog, new_key)
    board = QGuiApplication.clipboard()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert board.text() == new_key
    qtbot.waitUntil(lambda: board.text() == "", timeout=WAIT_MS)

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    board.setText("something the user copied since")
    qtbot.waitUntil(lambda: len(timer.ran) == 2, timeout=WAIT_MS)  # the second copy's clearing has run
    assert board.text() == "something the user copied since"


class NotingTimer:
    """QTimer.singleShot as the clipboard module calls it, noting each call that has run."""

    ran: ClassVar[list[int]] = []

    @classmethod
    def singleShot(cls, ms, receiver, callback):  # noqa: N802 - Qt's name
        def run_and_note():
            callback()
            cls.ran.append(ms)

        QTimer.singleShot(ms, receiver, run_and_note)


def test_the_dialog_cannot_be_closed_while_the_rotation_runs(open_window, sandbox, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    sandbox.faults.delay = 0.5
    dialog.key_field.line_edit.setText(new_key)
    with qtbot.waitSignal(window.host.rotated, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
        dialog.reject()
        assert dialog.isVisible()
        assert not dialog.close_button.isEnabled()
    sandbox.faults.delay = 0
    answer_when_asked(qtbot, CLOSE_ANYWAY)  # the new key was not copied: lsdesk asks first
    # Closed, the window counts the lessons since the rotation: waited for, so that the window's
    # close does not find its worker still busy.
    with qtbot.waitSignal(window.host.operation_finished, timeout=WAIT_MS):
        dialog.reject()
        assert not dialog.isVisible()


def test_an_interrupted_rotation_is_finished_at_launch_and_the_user_is_told(open_window, store, journal, sandbox):
    new_key = sandbox.generate_key()
    journal.write("default", Step.STORING_NEW, old=DEMO_KEY, new=new_key)
    store.set(backup_slot("default"), DEMO_KEY)
    store.set("default", new_key)
    window = open_window()
    assert "lsdesk finished it" in window.message_bar.text()
    assert window.message_bar.isVisible()
    assert store.get(backup_slot("default")) is None
    assert window.key_ending_label.text() == f"ends in {new_key[-4:]}"


HTML_NAME = "<b>Acme</b> <img src=x>"


def test_an_organisation_name_with_html_is_shown_literally_in_the_window_dialog_and_question(
    open_window, store, sandbox, qtbot
):
    """Before: labels and the question used Qt.AutoText, so this name was drawn
    as bold text and an image (issue 9, item 19)."""
    sandbox.add_organisation(5151, HTML_NAME)
    window = open_window()
    dialog = window.open_rotation()
    asked = answer_when_asked(qtbot, QMessageBox.StandardButton.Yes)
    other_key = sandbox.generate_key(organisation_id=5151)
    dialog.key_field.line_edit.setText(other_key)
    with qtbot.waitSignal(window.host.rotated, timeout=WAIT_MS, check_params_cb=lambda result: result.rotated):
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    assert HTML_NAME in asked[0][0]
    assert asked[0][1] == Qt.TextFormat.PlainText
    assert window.organisation_label.text() == f"{HTML_NAME} (id 5151)"
    showing = [
        label for widget in (window, dialog) for label in widget.findChildren(QLabel) if HTML_NAME in label.text()
    ]
    assert window.organisation_label in showing
    for label in showing:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    # What is drawn: plain text is as wide as its characters, tags included (rich text would drop them).
    label = window.organisation_label
    assert label.sizeHint().width() >= label.fontMetrics().horizontalAdvance(label.text())


def test_a_scheduled_check_while_the_question_is_open_leaves_the_admins_yes_in_effect(
    open_window, store, sandbox, qtbot
):
    """Before: the watch's check started while "Switch organisations?" was open,
    took the worker, and the Yes that followed did nothing (trust item 21)."""
    window = open_window()
    window.watch._retry.setInterval(20)  # the put-off check, soon rather than in a minute
    dialog = window.open_rotation()
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    answered = []

    def tick_then_answer_yes() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, tick_then_answer_yes)
            return
        window.watch._timer.timeout.emit()  # the schedule fires while the admin reads the question
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
        answered.append(True)

    QTimer.singleShot(20, tick_then_answer_yes)
    dialog.key_field.line_edit.setText(other_key)
    with qtbot.waitSignal(window.host.rotated, timeout=WAIT_MS, check_params_cb=lambda result: result.rotated):
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    assert answered == [True]
    assert store.get("default") == other_key
    # The check the schedule asked for is not lost: it runs once the rotation is done. With the rotation's
    # checklist open, a scheduled check counts the lessons since the rotation too (which checks the key).
    with qtbot.waitSignal(window.host.lessons_counted, timeout=WAIT_MS) as counted:
        pass
    checked, _lessons = counted.args[0]
    assert checked.organisation.describe() == "Other Academy (id 5151)"


@pytest.mark.qt_log_ignore(*NO_BROWSER_WARNINGS)
def test_the_rotation_dialog_shows_the_address_when_no_browser_opens(open_window, sandbox, no_browser, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    qtbot.mouseClick(dialog.open_developer_button, Qt.MouseButton.LeftButton)
    assert dialog.developer_fallback.isVisible()
    assert dialog.developer_fallback.address.text().endswith("/settings/developer/")
    for label in dialog.findChildren(QLabel):  # the dialog grew: no text is cut
        if label.isVisible() and label.wordWrap():
            qtbot.waitUntil(lambda label=label: label.height() >= label.heightForWidth(label.width()), timeout=WAIT_MS)


def test_the_dialog_opens_with_focus_in_the_key_field_and_escape_gives_it_back(open_window, qtbot):
    window = open_window()
    window.activateWindow()
    window.rotate_button.setFocus()
    qtbot.keyClick(window.rotate_button, Qt.Key.Key_Space)  # opened from the keyboard
    dialog = window.findChild(RotateDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.key_field.line_edit, timeout=WAIT_MS)
    qtbot.keyClick(dialog.key_field.line_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.rotate_button, timeout=WAIT_MS)


# -- the result, and closing before the new key was copied --------------------------------------


def rotated_dialog(open_window, sandbox, qtbot):
    window = open_window()
    dialog = window.open_rotation()
    new_key = sandbox.generate_key()
    assert rotate_with(qtbot, dialog, new_key).rotated
    return dialog, new_key


def test_each_follow_up_has_its_own_button_and_copy_is_the_next_step(open_window, sandbox, qtbot):
    dialog, _ = rotated_dialog(open_window, sandbox, qtbot)
    rows = dialog.result_list.layout()
    buttons = [rows.itemAtPosition(row, 1).widget() for row in (1, 2)]
    assert buttons == [dialog.revoke_button, dialog.copy_button]
    assert dialog.revoke_button.text() == "Open Lessonspace &dashboard"
    assert dialog.copy_button.isVisible()
    assert not dialog.intro.isVisible()  # the instructions are done with
    assert dialog.focusWidget() is dialog.copy_button


def test_closing_before_the_new_key_was_copied_asks_and_copy_and_close_copies_it(open_window, sandbox, qtbot):
    dialog, new_key = rotated_dialog(open_window, sandbox, qtbot)
    asked = answer_when_asked(qtbot, COPY_AND_CLOSE)
    dialog.reject()
    assert asked and asked[0][0] == NOT_COPIED_TITLE
    assert not dialog.isVisible()
    assert QGuiApplication.clipboard().text() == new_key


def test_close_anyway_closes_without_copying(open_window, sandbox, qtbot):
    dialog, _ = rotated_dialog(open_window, sandbox, qtbot)
    QGuiApplication.clipboard().setText("what the admin had copied")
    answer_when_asked(qtbot, CLOSE_ANYWAY)
    dialog.reject()
    assert not dialog.isVisible()
    assert QGuiApplication.clipboard().text() == "what the admin had copied"


def test_cancelling_the_question_keeps_the_dialog_and_the_key(open_window, sandbox, qtbot):
    dialog, _ = rotated_dialog(open_window, sandbox, qtbot)
    answer_when_asked(qtbot, QMessageBox.StandardButton.Cancel)
    dialog.reject()
    assert dialog.isVisible()
    assert dialog.copy_button.isVisible()
    answer_when_asked(qtbot, CLOSE_ANYWAY)
    dialog.reject()


def test_once_copied_the_dialog_closes_without_asking_and_copy_again_says_it_once(open_window, sandbox, qtbot):
    dialog, new_key = rotated_dialog(open_window, sandbox, qtbot)
    before = result_lines(dialog)
    for _ in range(3):
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert result_lines(dialog) == before
    assert dialog.status.text() == "API key rotated."
    assert dialog.copy_note.text().count("on the clipboard") == 1
    assert QGuiApplication.clipboard().text() == new_key
    dialog.reject()  # no question: answering one here would hang the test
    assert not dialog.isVisible()


def test_a_key_the_keychain_refused_is_not_lost_by_closing_either(open_window, sandbox, qtbot, caplog):
    backend = FlakyBackend(fail_set_for=frozenset({"default"}))
    backend.values[("lsdesk:default", "default")] = DEMO_KEY
    window = open_window(key_store=SystemKeyStore(backend=backend))
    dialog = window.open_rotation()
    with caplog.at_level(logging.WARNING):
        assert not rotate_with(qtbot, dialog, sandbox.generate_key()).rotated
    asked = answer_when_asked(qtbot, QMessageBox.StandardButton.Cancel)
    dialog.reject()
    assert asked
    assert dialog.isVisible()
    answer_when_asked(qtbot, CLOSE_ANYWAY)
    dialog.reject()
