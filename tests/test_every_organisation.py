"""Every organisation checked while the window shows one: four profiles on the loopback sandbox (valid, rejected,
out of reach, and this one), kept in the real Secret Service; the organisation list, the tray and the
notifications read what the checks found."""

from __future__ import annotations

import logging

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox

from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.keystore import SystemKeyStore
from lsdesk.core.outcome import Organisation, State
from lsdesk.core.status import StatusFile
from lsdesk.gui.app import ProfileSwitch, add_tray, create_window
from lsdesk.gui.tray import TrayIcon, branded_icon
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS, answer_when_asked, type_and_save
from tests.test_notifications import displayed, notification_daemon, received  # noqa: F401 - a fixture, its readers

BRANCH = Organisation(5151, "Northside Branch")
EAST = Organisation(6161, "East Side Tutors")
CLOSED = Organisation(7171, "Closed Academy")


@pytest.fixture
def store(real_keyring, keyring_service):
    return SystemKeyStore(service=keyring_service, backend=real_keyring)


@pytest.fixture
def organisations(sandbox, store, journal):
    """`default` (the demo key, valid), `branch` (valid), `east` (its requests never get through) and
    `closed` (its key was revoked), each saved by lsdesk: the keys in the keyring, the dates beside."""
    dates = KeyDates(journal.folder.parent / KEY_DATES_FOLDER)
    store.set("default", DEMO_KEY)
    keys = {}
    for name, organisation in (("branch", BRANCH), ("east", EAST), ("closed", CLOSED)):
        sandbox.add_organisation(organisation.id, organisation.name)
        keys[name] = sandbox.generate_key(organisation_id=organisation.id)
        store.set(name, keys[name])
        dates.saved(name, keys[name][-4:], organisation=organisation)
    sandbox.revoke_key(keys["closed"])
    sandbox.faults.update({"unreachable_key_ending": keys["east"][-4:]})
    return keys


@pytest.fixture
def open_profile(sandbox, store, settings, journal, history):
    """Opens a profile's window as lsdesk does; afterwards the windows not closed by a switch are closed."""
    opened = []

    def open_(name: str):
        window = create_window(sandbox.api_url, name, store=store, settings=settings, journal=journal, history=history)
        opened.append(window)
        return window

    yield open_
    for window in opened:
        if shiboken6.isValid(window):
            window.quit()


def listed(window) -> dict[str, str]:
    switcher = window.profile_switcher
    return {switcher.itemData(row): switcher.itemText(row) for row in range(switcher.count() - 1)}


def wait_for_every_check(window, qtbot) -> None:
    """Until every organisation's check has been answered (they are a second apart)."""
    qtbot.waitUntil(lambda: "not checked yet" not in " ".join(listed(window).values()), timeout=WAIT_MS * 2)
    qtbot.waitUntil(lambda: not window.sweep.running, timeout=WAIT_MS)


def test_every_organisation_is_checked_and_listed_with_its_state(open_window, organisations, qtbot):
    window = open_window(paced=True)
    wait_for_every_check(window, qtbot)
    assert listed(window) == {
        "branch": "Northside Branch (branch): valid",
        "closed": "Closed Academy (closed): rejected by Lessonspace",
        "default": "Demo Tutoring Co (default): valid",
        "east": "East Side Tutors (east): couldn't reach Lessonspace",
    }
    assert window.badge.state is State.VALID  # this organisation's own badge is its own
    assert DEMO_KEY not in " ".join(listed(window).values())


def test_the_tray_shows_the_worst_state_and_names_each_organisation_in_trouble(open_window, organisations, qtbot):
    window = open_window(paced=True)
    tray = TrayIcon(window.model, open_window=window.bring_forward, check=window.check, quit_app=window.quit)
    window.profiles_changed.connect(tray.show_others)
    assert tray.toolTip() == "lsdesk: Valid API key (no changes required)"  # before the others are checked
    wait_for_every_check(window, qtbot)
    assert tray.toolTip().splitlines() == [
        "lsdesk: Valid API key (no changes required)",
        "Closed Academy (closed): rejected by Lessonspace",
        "East Side Tutors (east): couldn't reach Lessonspace",
    ]
    assert tray.icon().pixmap(22).toImage() == branded_icon(State.REJECTED).pixmap(22).toImage()
    assert tray.state_line.text() == "Valid API key (no changes required)"  # the menu's first line: this one


def test_another_organisations_key_that_stops_working_is_a_notification_naming_it(
    notification_daemon,
    open_window,
    organisations,
    sandbox,
    settings,
    journal,
    qtbot,
    caplog,
):
    window = open_window(paced=True)
    add_tray(window, settings)
    wait_for_every_check(window, qtbot)
    sandbox.revoke_key(organisations["branch"])
    with caplog.at_level(logging.INFO, logger="lsdesk.gui.notifications"):
        with qtbot.waitSignal(window.sweep.turned_invalid, timeout=WAIT_MS * 2):
            window.watch.due.emit()  # the next scheduled check
        qtbot.waitUntil(lambda: displayed() == 1, timeout=WAIT_MS)
    (shown,) = received()
    assert shown["summary"] == "Northside Branch: the API key no longer works"
    assert organisations["branch"] not in caplog.text
    assert "Northside Branch (branch): rejected by Lessonspace" in listed(window).values()
    remembered = StatusFile.in_folder(journal.folder.parent, "branch").load()
    assert remembered.state is State.REJECTED and remembered.organisation == BRANCH
    assert window.badge.state is State.VALID


def test_switching_changes_every_detail_and_forgetting_removes_the_organisation(
    qtbot, open_profile, store, organisations
):
    first = open_profile("default")
    first.show()
    wait_for_every_check(first, qtbot)
    switch = ProfileSwitch(first, open_profile)
    first.profile_switcher.activated.emit(first.profile_switcher.findData("branch"))
    branch = switch.current
    qtbot.waitUntil(lambda: branch.model.key.live and branch.model.key.state is State.VALID, timeout=WAIT_MS)
    assert branch.windowTitle().endswith("(branch)")
    assert branch.organisation_label.text() == "Northside Branch (id 5151)"
    assert branch.key_ending_label.text() == f"ends in {organisations['branch'][-4:]}"
    assert branch.profile_switcher.currentData() == "branch"
    assert all(line.endswith(organisations["branch"][-4:]) for line in lines_of(branch.history_list))

    answer_when_asked(qtbot, QMessageBox.StandardButton.Yes)  # Forget this key?
    with qtbot.waitSignal(branch.host.operation_finished, timeout=WAIT_MS):
        assert branch.forget()
    assert store.get("branch") is None  # gone from the real keyring
    branch.profile_switcher.activated.emit(branch.profile_switcher.findData("default"))
    back = switch.current
    qtbot.waitUntil(lambda: back.model.key.live, timeout=WAIT_MS)
    assert "branch" not in listed(back)


def test_an_added_organisation_is_saved_in_the_keyring_and_joins_the_list(qtbot, open_profile, sandbox, store):
    from tests.test_organisations import answer_the_name_question

    first = open_profile("default")
    first.show()
    switch = ProfileSwitch(first, open_profile)
    answer_the_name_question(qtbot, "Westside Learning")
    first.profile_switcher.activated.emit(first.profile_switcher.count() - 1)  # Add organisation...
    added = switch.current
    assert added.host.profile == "westside-learning"
    qtbot.waitUntil(lambda: added.model.key.state is State.NOT_SET, timeout=WAIT_MS)
    assert added.focusWidget() is added.key_field.line_edit  # its key is pasted next
    sandbox.add_organisation(8181, "Westside Learning")
    key = sandbox.generate_key(organisation_id=8181)
    type_and_save(qtbot, added, key)
    assert store.get("westside-learning") == key
    assert listed(added)["westside-learning"].startswith("Westside Learning (westside-learning): valid")


def lines_of(history_list) -> list[str]:
    return [history_list.item(row).text() for row in range(history_list.count())]
