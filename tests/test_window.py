"""The settings window, driven as a user would, against the sandbox over loopback."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

import pytest
from keyring.backends import fail
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QContextMenuEvent, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QMessageBox, QWidget

from lsdesk.core.keystore import SystemKeyStore
from lsdesk.core.outcome import State
from lsdesk.core.status import Tone
from lsdesk.gui.badge import CHECKING_TITLE
from lsdesk.gui.browser_fallback import COPIED, NO_BROWSER
from lsdesk.gui.window import WINDOW_TITLE
from lsdesk.gui.worker import READING_SHUTDOWN_WAIT_MS, SHUTDOWN_WAIT_MS, unfinished_threads
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import NO_BROWSER_WARNINGS, WAIT_MS, answer_when_asked, type_and_save

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"


def test_window_is_titled_like_the_lessonspace_settings_page(open_window):
    assert open_window().windowTitle() == WINDOW_TITLE


def test_valid_stored_key_shows_valid_with_organisation_and_key_ending(open_window, store):
    store.set("default", DEMO_KEY)
    window = open_window()
    assert window.badge.state is State.VALID
    assert window.badge.title() == "Valid API key (no changes required)"
    assert window.organisation_label.text() == "Demo Tutoring Co (id 4242)"
    assert window.key_ending_label.text() == "ends in 6e80"
    assert window.rotate_button.isEnabled()


def test_rejected_stored_key_shows_invalid_and_rotate_is_off(open_window, store):
    store.set("default", UNKNOWN_KEY)
    window = open_window()
    assert window.badge.title() == "Invalid API key (new API key required)"
    assert "Invalid token." in window.badge.message()
    assert not window.rotate_button.isEnabled()


@pytest.mark.parametrize(
    ("fault", "title"),
    [
        ({"drop_connection": True}, "Can't reach Lessonspace"),
        ({"status": 429}, "Lessonspace is busy, try again shortly"),
        ({"status": 503}, "Lessonspace had a problem"),
        ({"html_page": True}, "Unexpected reply from Lessonspace"),
        ({"wrong_shape": True}, "Unexpected reply from Lessonspace"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_network_and_server_problems_get_their_own_badge_never_invalid(
    open_window, store, sandbox, fault, title, caplog
):
    store.set("default", DEMO_KEY)
    sandbox.faults.update(fault)
    with caplog.at_level(logging.WARNING):  # an answer that is not Lessonspace's is logged
        window = open_window()
    assert window.badge.title() == title
    assert window.badge.state is not State.REJECTED
    assert not window.rotate_button.isEnabled()
    assert "didn't answer" in window.last_checked_label.text()


def test_nothing_saved_shows_no_api_key_saved(open_window):
    window = open_window()
    assert window.badge.title() == "No API key saved"
    assert window.key_ending_label.text() == "None saved"


def test_no_secure_storage_is_said_plainly(open_window, caplog):
    with caplog.at_level(logging.WARNING):
        window = open_window(key_store=SystemKeyStore(backend=fail.Keyring()))
    assert "refusing insecure keyring backend" in caplog.text
    assert window.badge.title() == "No secure storage on this computer"
    assert "no secure password storage" in window.badge.message()


def test_checking_is_shown_and_buttons_are_off_while_a_check_runs(open_window, store, sandbox, qtbot):
    store.set("default", DEMO_KEY)
    sandbox.faults.delay = 1.0
    window = open_window(wait=False)
    assert window.badge.title() == CHECKING_TITLE
    for button in (window.save_button, window.check_button, window.rotate_button):
        assert not button.isEnabled()
    assert window.key_field.line_edit.isReadOnly()
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        pass
    assert window.save_button.isEnabled() and window.check_button.isEnabled() and window.rotate_button.isEnabled()


def test_check_again_asks_lessonspace_again(open_window, store, sandbox, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    sandbox.revoke_key(DEMO_KEY)
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    assert window.badge.state is State.REJECTED


def test_saving_a_working_key_stores_it_and_clears_the_field(open_window, store, sandbox, qtbot):
    store.set("default", UNKNOWN_KEY)
    window = open_window()
    new_key = sandbox.generate_key()
    type_and_save(qtbot, window, new_key)
    assert store.get("default") == new_key
    assert window.key_field.text() == ""
    assert window.badge.state is State.VALID
    assert window.key_ending_label.text() == f"ends in {new_key[-4:]}"
    assert "Saved in" in window.message_bar.text()
    assert window.message_bar.tone is Tone.DONE


def test_enter_in_the_key_field_saves(open_window, store, sandbox, qtbot):
    window = open_window()
    qtbot.keyClicks(window.key_field.line_edit, DEMO_KEY)
    with qtbot.waitSignal(window.host.saved, timeout=WAIT_MS):
        qtbot.keyClick(window.key_field.line_edit, Qt.Key.Key_Return)
    assert store.get("default") == DEMO_KEY


def test_saving_another_organisations_key_asks_and_yes_saves_it(open_window, store, sandbox, qtbot):
    """Before: Save switched organisations without asking."""
    store.set("default", DEMO_KEY)
    window = open_window()
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    asked = answer_when_asked(qtbot, QMessageBox.StandardButton.Yes)
    qtbot.keyClicks(window.key_field.line_edit, other_key)
    with qtbot.waitSignal(window.host.saved, timeout=WAIT_MS, check_params_cb=lambda result: result.saved):
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert "Other Academy (id 5151), not Demo Tutoring Co (id 4242)" in asked[0][0]
    assert store.get("default") == other_key
    assert window.organisation_label.text() == "Other Academy (id 5151)"
    assert window.key_field.text() == ""


def test_saving_another_organisations_key_asks_and_no_keeps_everything(open_window, store, sandbox, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    asked = answer_when_asked(qtbot, QMessageBox.StandardButton.No)
    type_and_save(qtbot, window, other_key)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=WAIT_MS)  # asked once the save has ended
    assert not window.host.busy  # no second save was started
    assert store.get("default") == DEMO_KEY
    assert window.key_field.text() == other_key  # nothing the admin pasted is lost
    assert "Nothing was changed." in window.message_bar.text()
    assert window.organisation_label.text() == "Demo Tutoring Co (id 4242)"


def test_saving_a_rejected_key_keeps_the_old_key_and_the_typed_text(open_window, store, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    type_and_save(qtbot, window, UNKNOWN_KEY)
    assert store.get("default") == DEMO_KEY
    assert window.key_field.text() == UNKNOWN_KEY
    assert "Lessonspace did not accept this key." in window.message_bar.text()
    assert window.message_bar.tone is Tone.PROBLEM
    assert window.badge.state is State.VALID  # the stored key is still the valid one
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    # Before: "Saved a new key: rejected by Lessonspace", for a key that was never saved.
    assert window.history_list.item(0).text().endswith("Save refused by Lessonspace, key ending 5555")


def test_the_history_lists_more_than_a_screenful_and_wraps_long_entries(open_window, store, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    for _ in range(7):
        with qtbot.waitSignal(window.host.operation_finished, timeout=WAIT_MS):
            qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    assert window.history_list.count() == 8  # the first check and seven more: older ones a scroll away
    assert all(window.history_list.item(row).text().endswith("Checked: valid, key ending 6e80") for row in range(8))
    assert window.history_list.wordWrap()
    assert window.history_list.verticalScrollBar().maximum() > 0


def test_malformed_input_is_explained_inline_and_nothing_is_sent(open_window, sandbox, qtbot):
    window = open_window()
    sent = sandbox.request_count
    qtbot.keyClicks(window.key_field.line_edit, "not a key")
    qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    assert window.key_field.feedback.text() == (
        "Problem: The key contains spaces or line breaks. Copy it again from Lessonspace without them."
    )
    assert not window.host.busy
    assert sandbox.request_count == sent
    qtbot.keyClicks(window.key_field.line_edit, "x")
    assert window.key_field.feedback.isHidden()  # editing clears the old complaint


def test_key_field_is_masked_until_show_is_pressed(open_window, qtbot):
    window = open_window()
    field = window.key_field
    assert field.line_edit.echoMode() is QLineEdit.EchoMode.Password
    qtbot.mouseClick(field.toggle, Qt.MouseButton.LeftButton)
    assert field.line_edit.echoMode() is QLineEdit.EchoMode.Normal
    assert field.toggle.text() == "&Hide"
    qtbot.mouseClick(field.toggle, Qt.MouseButton.LeftButton)
    assert field.line_edit.echoMode() is QLineEdit.EchoMode.Password


def test_controls_carry_object_names_accessible_names_and_a_buddy_label(open_window):
    window = open_window()
    for name in ("statusBadge", "apiKeyField", "saveButton", "checkButton", "rotateButton"):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QLineEdit):
        assert widget.accessibleName(), widget.objectName()
    buddies = [label for label in window.findChildren(QLabel) if label.buddy() is window.key_field.line_edit]
    assert [label.text() for label in buddies] == ["API &key"]


def test_last_known_status_is_shown_as_remembered_while_the_launch_check_runs(
    open_window, store, sandbox, journal, qtbot
):
    store.set("default", DEMO_KEY)
    open_window().close()
    sandbox.faults.delay = 1.0
    window = open_window(wait=False)
    assert window.badge.title() == "Last known: Valid API key (no changes required)"
    assert window.badge.muted  # not drawn as a live answer
    assert "Checking with Lessonspace now" in window.badge.message()
    assert window.organisation_label.text() == "Demo Tutoring Co (id 4242)"
    assert not window.rotate_button.isEnabled()  # offered only once Lessonspace answers again
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        pass
    assert window.badge.title() == "Valid API key (no changes required)"
    assert not window.badge.muted
    remembered = (journal.folder.parent / "status" / "default.json").read_text(encoding="utf-8")
    assert DEMO_KEY not in remembered
    assert DEMO_KEY[-4:] in remembered


def test_closing_during_a_hung_request_returns_at_once_and_ignores_the_late_answer(
    open_window, store, sandbox, qtbot, caplog
):
    store.set("default", DEMO_KEY)
    sandbox.faults.delay = 30
    window = open_window(wait=False)
    results = []
    window.host.checked.connect(results.append)
    qtbot.waitUntil(lambda: sandbox.request_count >= 1, timeout=WAIT_MS)  # the request is in flight
    with caplog.at_level(logging.WARNING):
        window.close()
    # A check only reads: quitting waits for it briefly. (Logged, not timed: tests assert no durations.)
    assert f"worker still busy after {READING_SHUTDOWN_WAIT_MS} ms at shutdown; abandoning its request" in caplog.text
    (abandoned,) = unfinished_threads()
    sandbox.stop()  # the hung request now ends
    assert abandoned.wait(3 * WAIT_MS)  # a bound on a hang: under a heavy load the cut request ends slowly
    qtbot.wait(50)
    assert results == []


def test_closing_during_a_hung_save_gives_the_save_the_longer_wait(open_window, store, sandbox, qtbot, caplog):
    store.set("default", DEMO_KEY)
    window = open_window()
    new_key = sandbox.generate_key()
    sandbox.faults.delay = 30
    window.key_field.line_edit.setText(new_key)
    before = sandbox.request_count
    window.save()
    qtbot.waitUntil(lambda: sandbox.request_count > before, timeout=WAIT_MS)  # the new key's check is in flight
    with caplog.at_level(logging.WARNING):
        window.close()
    assert f"worker still busy after {SHUTDOWN_WAIT_MS} ms at shutdown; abandoning its request" in caplog.text
    assert store.get("default") == DEMO_KEY  # the working key stays: the new one was never confirmed
    (abandoned,) = unfinished_threads()
    sandbox.stop()
    assert abandoned.wait(3 * WAIT_MS)


CLOSE_ON_SIGNAL = """
import signal, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.gui.app import create_window, exec_until_closed

app = QApplication(sys.argv[:1])
store = MemoryKeyStore()
store.set("default", sys.argv[2])
window = create_window(sys.argv[1], store=store)
signal.signal(signal.SIGUSR1, lambda *_: window.close())
tick = QTimer(interval=20)  # gives Python a moment to run its signal handler
tick.timeout.connect(lambda: None)
tick.start()
sys.exit(exec_until_closed(app, window))
"""


def test_the_app_exits_when_closed_during_a_hung_request(sandbox, tmp_path):
    sandbox.faults.delay = 120
    process = subprocess.Popen([sys.executable, "-c", CLOSE_ON_SIGNAL, sandbox.api_url, DEMO_KEY])
    try:
        deadline = time.monotonic() + 60
        while sandbox.request_count == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sandbox.request_count >= 1, "the window never asked Lessonspace"
        process.send_signal(signal.SIGUSR1)
        # A hang guard, not a timing target: the request itself would hang for 120 s.
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()


class Browser(QObject):
    """Stands in for the web browser: Qt hands it the addresses it opens."""

    def __init__(self):
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.mark.qt_log_ignore(*NO_BROWSER_WARNINGS)
def test_without_a_browser_the_developer_settings_address_is_shown_to_select_or_copy(
    open_window, sandbox, no_browser, qtbot
):
    """Before: the button did nothing at all when no browser could be opened (status-model issue, item 6)."""
    window = open_window()
    fallback = window.developer_fallback
    assert not fallback.isVisible()
    qtbot.mouseClick(window.open_developer_button, Qt.MouseButton.LeftButton)
    assert fallback.isVisible()
    assert fallback.sentence.text() == NO_BROWSER
    page = sandbox.api_url.removesuffix("v2/") + "settings/developer/"
    assert fallback.address.text() == page
    assert fallback.address.textFormat() == Qt.TextFormat.PlainText
    selectable = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert fallback.address.textInteractionFlags() & selectable == selectable
    qtbot.mouseClick(fallback.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == page
    assert fallback.sentence.text() == COPIED

    browser = Browser()  # a browser after all: the page opens and the address goes away
    QDesktopServices.setUrlHandler("http", browser, "open")
    try:
        qtbot.mouseClick(window.open_developer_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert browser.opened == [page]
    assert not fallback.isVisible()


def test_the_key_fields_menu_offers_only_paste_and_clear(open_window, sandbox, qtbot):
    """Before: no menu at all; Qt's own would offer Copy and Select All once the key is shown."""
    window = open_window()
    field = window.key_field
    field.toggle.setChecked(True)  # even with the key shown: nothing that copies it
    field.line_edit.setText(UNKNOWN_KEY)
    QGuiApplication.clipboard().clear()
    seen = []

    def read_and_close_the_menu() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(20, read_and_close_the_menu)
            return
        seen.append([(action.text(), action.isEnabled()) for action in menu.actions()])
        menu.close()

    QTimer.singleShot(20, read_and_close_the_menu)
    where = field.line_edit.rect().center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where, field.line_edit.mapToGlobal(where))
    QApplication.sendEvent(field.line_edit, event)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    assert seen == [[("&Paste", False), ("C&lear", True)]]  # nothing copied yet: nothing to paste


def test_paste_and_clear_from_the_menu_work_on_the_hidden_key(open_window, sandbox, qtbot):
    window = open_window()
    field = window.key_field
    QGuiApplication.clipboard().setText(DEMO_KEY)
    menu = field.context_menu()
    menu.actions()[0].trigger()
    assert field.text() == DEMO_KEY
    assert field.line_edit.displayText() != DEMO_KEY  # still hidden
    field.context_menu().actions()[1].trigger()
    assert field.text() == ""
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    field.toggle.setChecked(True)
    assert field.text() == ""  # the cleared key is not one undo away
    QGuiApplication.clipboard().clear()


def test_a_key_refused_access_says_a_new_key_may_not_help(open_window, store, sandbox):
    store.set("default", DEMO_KEY)
    sandbox.disable_key(DEMO_KEY)
    window = open_window()
    assert window.badge.state is State.REJECTED
    assert window.badge.title() == "API access refused (check your plan)"
    assert "a new key will not help" in window.badge.message()


def test_copy_saved_key_asks_first_then_copies_and_clears_later(open_window, store, qtbot, monkeypatch):
    from PySide6.QtGui import QGuiApplication

    from lsdesk.gui import clipboard

    monkeypatch.setattr(clipboard, "CLEAR_AFTER_MS", 300)
    store.set("default", DEMO_KEY)
    window = open_window()
    board = QGuiApplication.clipboard()
    board.setText("what the admin had")
    asked = answer_when_asked(qtbot, QMessageBox.StandardButton.No)
    qtbot.mouseClick(window.copy_saved_button, Qt.MouseButton.LeftButton)
    assert asked and "Anyone who sees your clipboard" in asked[0][0]
    assert board.text() == "what the admin had"  # No: nothing read, nothing copied
    answer_when_asked(qtbot, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.host.key_read, timeout=WAIT_MS):
        qtbot.mouseClick(window.copy_saved_button, Qt.MouseButton.LeftButton)
    assert board.text() == DEMO_KEY
    assert "Copied the saved key" in window.message_bar.text()
    assert DEMO_KEY not in window.message_bar.text() and DEMO_KEY not in window.badge.message()
    qtbot.waitUntil(lambda: board.text() == "", timeout=WAIT_MS)


def test_copy_saved_key_is_off_without_a_saved_key(open_window):
    window = open_window()
    assert not window.copy_saved_button.isEnabled()
    assert window.copy_saved_button.accessibleName() == "Copy saved key..."
