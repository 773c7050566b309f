"""Preferences, the scheduled re-check, and the tray: lsdesk warns before lessons fail to launch."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from lsdesk.core.api_url import API_URL_ENV
from lsdesk.core.keystore import MemoryKeyStore
from lsdesk.core.outcome import State
from lsdesk.core.preferences import DEFAULT_WATCH_MINUTES, MIN_WATCH_MINUTES, Preferences
from lsdesk.gui.preferences import PreferencesDialog
from lsdesk.gui.tray import TrayIcon
from lsdesk.gui.window import NOT_NOW, START_AT_SIGN_IN, START_AT_SIGN_IN_TITLE
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS
from tests.reliability.loopback import RawServer


@pytest.fixture
def store():
    keys = MemoryKeyStore()
    keys.set("default", DEMO_KEY)
    return keys


def test_preferences_default_to_a_six_hourly_check_and_the_tray(settings):
    assert Preferences.load(settings) == Preferences(api_url="", watch_minutes=DEFAULT_WATCH_MINUTES, keep_in_tray=True)
    assert DEFAULT_WATCH_MINUTES == 6 * 60


def test_preferences_round_trip_and_never_check_more_often_than_every_15_minutes(settings, caplog):
    Preferences(api_url="https://example.org/v2/", watch_minutes=60, keep_in_tray=False).save(settings)
    assert Preferences.load(settings) == Preferences("https://example.org/v2/", 60, False)
    with caplog.at_level(logging.WARNING):  # each repaired value is logged
        settings.setValue("preferences/watch_minutes", 1)
        assert Preferences.load(settings).watch_minutes == MIN_WATCH_MINUTES == 15
        settings.setValue("preferences/watch_minutes", "garbage")
        assert Preferences.load(settings).watch_minutes == DEFAULT_WATCH_MINUTES


def test_the_dialog_refuses_an_address_that_would_leak_the_key(qtbot):
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    accepted = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.api_url.setText("http://lessonspace.example.org/v2/")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert accepted == []
    assert dialog.api_problem.text().startswith("Problem: lsdesk only sends your key over a secure https://")


@pytest.mark.parametrize("typed", ["https://[", "http://[::1", "https://a:99999/v2/"])
def test_the_dialog_explains_a_malformed_address_inline_instead_of_crashing(qtbot, typed):
    """Before: "https://[" raised ValueError out of accept(), a crash (issue 9, item 20)."""
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    accepted = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.api_url.setFocus()
    qtbot.keyClicks(dialog.api_url, typed)
    qtbot.keyClick(dialog.api_url, Qt.Key.Key_Return)
    assert accepted == []
    assert dialog.api_problem.isVisible()
    assert dialog.api_problem.text().startswith("Problem: The API address ")


def test_the_dialog_accepts_an_address_typed_without_https_and_keeps_it_with_https(qtbot, settings):
    """Before: "api.thelessonspace.com" was refused (status-model issue, item 8)."""
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.api_url.setFocus()
    qtbot.keyClicks(dialog.api_url, "api.thelessonspace.com/v2")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.api_url, Qt.Key.Key_Return)
    assert dialog.preferences().api_url == "https://api.thelessonspace.com/v2/"


@pytest.mark.parametrize("typed", ["http://lessonspace.example.org/v2/", "ftp://lessonspace.example.org/v2/"])
def test_the_dialog_grows_to_show_its_problem_message_in_full(qtbot, typed):
    """Before: the dialog kept its height and cut the wrapped message's second line (item 8)."""
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.api_url.setText(typed)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    problem = dialog.api_problem
    assert problem.isVisible()
    assert problem.heightForWidth(problem.width()) > problem.fontMetrics().height()  # it does wrap
    qtbot.waitUntil(lambda: problem.height() >= problem.heightForWidth(problem.width()), timeout=WAIT_MS)


def test_the_dialog_offers_no_interval_under_15_minutes(qtbot):
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    choices = [dialog.watch.itemData(index) for index in range(dialog.watch.count())]
    assert min(choices) == 15
    assert dialog.watch.currentData() == DEFAULT_WATCH_MINUTES


def test_saved_preferences_take_effect_in_the_window(open_window, sandbox, settings, qtbot):
    window = open_window()
    dialog = window.open_preferences()
    dialog.watch.setCurrentIndex(dialog.watch.findData(30))
    dialog.keep_in_tray.setChecked(False)
    with qtbot.waitSignal(window.preferences_changed, timeout=WAIT_MS):
        dialog.accept()
    assert Preferences.load(settings).watch_minutes == 30
    assert window.watch._timer.interval() == 30 * 60_000


def test_the_api_address_from_settings_is_used_when_no_option_or_variable_names_one(
    open_window, sandbox, settings, monkeypatch
):
    monkeypatch.delenv(API_URL_ENV, raising=False)
    Preferences(api_url=sandbox.api_url).save(settings)
    window = open_window(api_url=None)
    assert window.badge.state is State.VALID
    assert sandbox.request_count >= 1


def test_the_watch_notices_a_key_being_revoked(open_window, sandbox, qtbot):
    window = open_window()
    assert window.badge.state is State.VALID
    sandbox.revoke_key(DEMO_KEY)
    window.watch.set_interval_ms(50)
    with qtbot.waitSignal(window.watch.turned_invalid, timeout=WAIT_MS) as turned:
        pass
    assert turned.args[0].state is State.REJECTED
    # The 50 ms watch may already have begun its next check, and a running check shows "checking":
    # no further scheduled check, and the badge is read once the last one has ended.
    window.watch.set_interval_ms(3_600_000)
    qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    assert window.badge.state is State.REJECTED


def test_network_problems_never_count_as_the_key_turning_invalid(open_window, sandbox, qtbot):
    window = open_window()
    sandbox.faults.status = 503
    window.watch.set_interval_ms(50)
    failing = []
    window.host.checked.connect(lambda result: failing.append(result.state is State.SERVER_ERROR))
    with qtbot.assertNotEmitted(window.watch.turned_invalid):
        qtbot.waitUntil(lambda: failing.count(True) >= 2, timeout=WAIT_MS)


def test_the_tray_shows_the_state_and_its_warning_opens_the_window(open_window, sandbox, qtbot):
    window = open_window()
    tray = TrayIcon(window.model, open_window=window.bring_forward, check=window.check, quit_app=window.quit)
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        window.check()
    assert tray.toolTip() == "lsdesk: Valid API key (no changes required)"
    assert tray.state_line.text() == "Valid API key (no changes required)"  # the menu's first, disabled line
    assert not tray.state_line.isEnabled()
    window.hide()
    tray.messageClicked.emit()
    assert window.isVisible()


def test_closing_keeps_lsdesk_in_the_tray_until_quit(open_window, sandbox, qtbot):
    window = open_window()
    window.keep_in_tray = True
    window.close()
    assert not window.isVisible()
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        assert window.check()  # still watching from the tray
    window.quit()
    assert not window.isVisible()
    assert not window.host.running  # the worker thread has ended


def test_a_web_filters_block_page_never_counts_as_the_key_turning_invalid(open_window, qtbot, caplog):
    """Before: a 403 block page was `rejected`, and the watch raised the tray alarm for a working key."""
    block_page = b"<html><body>Blocked by your organisation's web filter</body></html>"
    blocked = (
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n"
        + f"Content-Length: {len(block_page)}\r\nConnection: close\r\n\r\n".encode()
        + block_page
    )
    with RawServer() as server, caplog.at_level(logging.WARNING):
        window = open_window(api_url=server.api_url)
        assert window.badge.state is State.VALID
        server.respond = lambda _request: blocked
        window.watch.set_interval_ms(50)
        seen = []
        window.host.checked.connect(lambda result: seen.append(result.state))
        with qtbot.assertNotEmitted(window.watch.turned_invalid):
            qtbot.waitUntil(lambda: seen.count(State.UNEXPECTED) >= 2, timeout=WAIT_MS)
        assert State.REJECTED not in seen
        # No further scheduled check, so the badge shows the last result, not "checking".
        window.watch.set_interval_ms(3_600_000)
        qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
        assert window.badge.state is State.UNEXPECTED


# -- the tray's icon, its one-time hint, and a desktop without a tray ------------------------------


def quadrant(image, right: bool, bottom: bool):
    half = image.width() // 2
    return image.copy(half if right else 0, half if bottom else 0, half, half)


def test_the_tray_icon_is_lsdesks_own_with_the_state_over_its_corner(open_window, sandbox, qtbot):
    from lsdesk.gui.theme import icon

    window = open_window()
    tray = TrayIcon(window.model, open_window=window.bring_forward, check=window.check, quit_app=window.quit)
    valid = tray.icon().pixmap(64, 64).toImage()
    sandbox.revoke_key(DEMO_KEY)
    with qtbot.waitSignal(window.host.checked, timeout=WAIT_MS):
        window.check()
    invalid = tray.icon().pixmap(64, 64).toImage()
    branding = icon("app.svg").pixmap(64, 64).toImage().convertToFormat(valid.format())
    assert quadrant(valid, right=False, bottom=False) == quadrant(branding, right=False, bottom=False)
    assert quadrant(invalid, right=False, bottom=False) == quadrant(branding, right=False, bottom=False)
    assert quadrant(valid, right=True, bottom=True) != quadrant(invalid, right=True, bottom=True)


@pytest.fixture
def own_autostart(tmp_path, monkeypatch):
    """The sign-in entry in this test's folder: one test's answer must not reach the next."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def window_with_a_tray(open_window):
    window = open_window()
    window.tray = TrayIcon(window.model, open_window=window.bring_forward, check=window.check, quit_app=window.quit)
    window.keep_in_tray = True
    return window


def questions_open(window) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def answer_the_offer(window, qtbot, button_text: str) -> None:
    """The question the first close to the tray asks, answered with the button `button_text`."""
    (offer,) = questions_open(window)
    assert offer.windowTitle() == START_AT_SIGN_IN_TITLE
    assert window.isVisible()  # the window waits for the answer
    assert offer.defaultButton().text() == NOT_NOW  # nothing starts at sign-in unless chosen
    (button,) = [button for button in offer.buttons() if button.text() == button_text]
    button.click()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_the_first_close_to_the_tray_says_lsdesk_is_still_running_once(
    open_window, settings, caplog, qtbot, own_autostart
):
    window = window_with_a_tray(open_window)
    with caplog.at_level(logging.INFO, logger="lsdesk.gui.tray"):
        window.close()
        answer_the_offer(window, qtbot, NOT_NOW)
        window.bring_forward()
        window.close()
    assert not window.isVisible() and questions_open(window) == []  # asked once only
    told = [record for record in caplog.records if "lsdesk is still running" in record.getMessage()]
    assert len(told) == 1
    assert settings.value("hints/told_still_running_in_tray") == "true"
    assert not window.autostart.is_enabled()


def test_the_first_close_to_the_tray_offers_to_start_lsdesk_at_sign_in(open_window, qtbot, own_autostart):
    window = window_with_a_tray(open_window)
    assert not window.autostart.is_enabled()
    window.close()
    answer_the_offer(window, qtbot, START_AT_SIGN_IN)
    assert window.autostart.is_enabled()
    assert window.autostart.path().read_text(encoding="utf-8").count("--background") == 1
    assert window.open_preferences().start_at_sign_in.isChecked()  # Settings tells the same


def test_the_offer_is_not_made_when_lsdesk_starts_at_sign_in_already(open_window, caplog, own_autostart):
    window = window_with_a_tray(open_window)
    window.autostart.enable()
    with caplog.at_level(logging.INFO, logger="lsdesk.gui.tray"):
        window.close()
    assert not window.isVisible() and questions_open(window) == []
    assert any("lsdesk is still running" in record.getMessage() for record in caplog.records)


def test_without_a_tray_keep_in_tray_is_explained_and_not_offered(open_window, qtbot):
    window = open_window()
    assert window.tray is None  # the tests' X screen has no tray
    dialog = window.open_preferences()
    assert not dialog.keep_in_tray.isEnabled()
    assert dialog.no_tray.isVisible()
    assert "no system tray" in dialog.no_tray.text()
    assert dialog.keep_in_tray.toolTip() == dialog.no_tray.text()
    dialog.reject()


def test_with_a_tray_keep_in_tray_is_offered(qtbot):
    dialog = PreferencesDialog(Preferences(), tray_available=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.keep_in_tray.isEnabled()
    assert not dialog.no_tray.isVisible()
