"""Every organisation at a glance: the window's organisation list, switching between them, adding one."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.outcome import Organisation, State, outcome
from lsdesk.core.profiles import (
    display_name_of,
    known_profiles,
    profile_name_for,
    same_organisation_warning,
    set_display_name,
)
from lsdesk.core.status import KeyStatus, StatusFile
from lsdesk.gui.app import ProfileSwitch, create_window
from lsdesk.gui.organisation_bar import ADD_ORGANISATION
from lsdesk.sandbox import DEMO_KEY
from tests.conftest import WAIT_MS, answer_when_asked

BRANCH = Organisation(5151, "Northside Branch")


def remember(folder, profile: str, state: State, organisation: Organisation | None = None) -> None:
    result = outcome(state, "", organisation=organisation, key_ending="1234")
    StatusFile.in_folder(folder, profile).save(KeyStatus().after(result))


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Northside Branch", "northside-branch"), ("  Émile's Tutors!  ", "mile-s-tutors"), ("A" * 80, "a" * 64)],
)
def test_a_profile_name_is_derived_safely_from_the_organisations_name(typed, name):
    assert profile_name_for(typed, set()) == name


@pytest.mark.parametrize(
    ("typed", "words"),
    [("CON", "Windows keeps"), ("nul", "Windows keeps"), ("  ?!  ", "at least one letter"), ("Default", "already")],
)
def test_unusable_names_are_refused_with_a_sentence(typed, words):
    with pytest.raises(ValueError, match=words):
        profile_name_for(typed, {"default"})


def test_known_profiles_come_from_lsdesks_own_notes_never_from_the_keys(tmp_path):
    remember(tmp_path, "branch", State.VALID, BRANCH)
    remember(tmp_path, "gone", State.NOT_SET)  # its key was removed
    KeyDates(tmp_path / KEY_DATES_FOLDER).saved("newer", "9999", organisation=Organisation(77, "Newer Ltd"))
    (tmp_path / "status" / "not a profile!.json").write_text("{}")
    known = {profile.name: profile for profile in known_profiles(tmp_path, "default")}
    assert set(known) == {"default", "branch", "newer"}
    assert known["branch"].label() == "Northside Branch (branch): valid"
    assert known["default"].label() == "default: not checked yet"


def test_the_window_lists_the_organisations_with_this_one_chosen(open_window, store, journal):
    remember(journal.folder.parent, "branch", State.VALID, BRANCH)
    store.set("default", DEMO_KEY)
    window = open_window()
    switcher = window.profile_switcher
    items = [switcher.itemText(index) for index in range(switcher.count())]
    assert items[-1] == ADD_ORGANISATION
    assert "Northside Branch (branch): valid" in items
    assert switcher.currentData() == "default"
    assert switcher.accessibleName() == "Organisation"


def answer_the_name_question(qtbot, text: str) -> None:
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            dialog.setTextValue(text)
            dialog.accept()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)


def test_add_organisation_asks_its_name_and_picks_a_new_profile(open_window, qtbot):
    window = open_window()
    answer_the_name_question(qtbot, "Northside Branch")
    with qtbot.waitSignal(window.profile_chosen, timeout=WAIT_MS) as chosen:
        window.profile_switcher.activated.emit(window.profile_switcher.count() - 1)
    assert chosen.args == ["northside-branch"]


def test_switching_opens_the_other_profile_where_the_window_was_and_closes_this_one(
    qtbot, sandbox, store, settings, journal, history
):
    store.set("default", DEMO_KEY)
    opened = []

    def open_profile(name: str):
        window = create_window(sandbox.api_url, name, store=store, settings=settings, journal=journal, history=history)
        opened.append(window)
        return window

    first = open_profile("default")
    first.show()
    with qtbot.waitSignal(first.host.operation_finished, timeout=WAIT_MS):
        pass
    switch = ProfileSwitch(first, open_profile)
    first.profile_chosen.emit("branch")
    second = switch.current
    assert second is not first and second.host.profile == "branch"
    assert second.isVisible() and not first.isVisible()
    assert second.geometry() == first.geometry()
    assert not first.host.running  # the other window's worker has ended
    qtbot.waitUntil(lambda: second.model.key.state is State.NOT_SET, timeout=WAIT_MS)  # nothing saved for it yet
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=WAIT_MS)  # and the window itself is gone
    second.quit()


# The admin's own names for organisations, and two profiles holding keys of one organisation.


@pytest.mark.parametrize(
    ("typed", "words"),
    [("   ", "Give the organisation a name."), ("A" * 81, "at most 80"), ("Two\nlines", "on one line")],
)
def test_a_display_name_lsdesk_cannot_show_is_refused_with_a_sentence(typed, words, settings):
    with pytest.raises(ValueError, match=words):
        set_display_name(settings, "branch", typed)
    assert display_name_of(settings, "branch") is None


def test_the_admins_name_comes_first_and_lessonspaces_name_is_the_default(tmp_path, settings):
    remember(tmp_path, "branch", State.VALID, BRANCH)
    remember(tmp_path, "north", State.VALID, Organisation(6262, "North Ltd"))
    assert set_display_name(settings, "branch", "  Northside (Mon-Fri)  ") == "Northside (Mon-Fri)"
    settings.setValue("organisations/north/display_name", "\x07bell")  # edited by hand: not lsdesk's
    known = {profile.name: profile for profile in known_profiles(tmp_path, "default", settings)}
    assert known["branch"].label() == "Northside (Mon-Fri) (branch): valid"
    assert known["north"].label() == "North Ltd (north): valid"


def test_profiles_holding_keys_of_one_organisation_know_each_other(tmp_path):
    remember(tmp_path, "branch", State.VALID, BRANCH)
    remember(tmp_path, "branch-copy", State.VALID, BRANCH)
    remember(tmp_path, "other", State.VALID, Organisation(6262, "North Ltd"))
    known = {profile.name: profile for profile in known_profiles(tmp_path, "default")}
    assert known["branch"].same_organisation_as == ("branch-copy",)
    assert known["other"].same_organisation_as == ()
    assert same_organisation_warning(known["branch"]) == (
        'These two profiles ("branch" and "branch-copy") use keys of the same organisation; '
        "rotating one does not update the other."
    )
    assert same_organisation_warning(known["other"]) is None


def test_rename_changes_the_name_in_the_list_and_keeps_it(open_window, store, settings, journal, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    assert window.profile_switcher.currentText() == "Demo Tutoring Co (default): valid"
    answer_the_name_question(qtbot, "Demo HQ")
    assert window.organisations.rename()
    assert window.profile_switcher.currentText() == "Demo HQ (default): valid"
    assert display_name_of(settings, "default") == "Demo HQ"
    assert window.organisation_label.text() == "Demo Tutoring Co (id 4242)"  # Lessonspace's own name is kept


def test_a_refused_rename_says_why_and_keeps_the_old_name(open_window, store, settings, qtbot):
    store.set("default", DEMO_KEY)
    window = open_window()
    answer_the_name_question(qtbot, "x" * 200)
    told = answer_when_asked(qtbot, QMessageBox.StandardButton.Ok)
    assert not window.organisations.rename()
    assert told and "at most 80 characters" in told[0][0]
    assert window.profile_switcher.currentText() == "Demo Tutoring Co (default): valid"


def test_two_profiles_with_keys_of_one_organisation_are_shown_with_a_warning(open_window, store, journal):
    store.set("default", DEMO_KEY)
    remember(journal.folder.parent, "demo-copy", State.VALID, Organisation(4242, "Demo Tutoring Co"))
    window = open_window()
    assert window.organisations.warning.isVisible()
    assert window.organisations.warning.text() == (
        'These two profiles ("default" and "demo-copy") use keys of the same organisation; '
        "rotating one does not update the other."
    )


@pytest.mark.parametrize("damage", [b"{not json", b"\x00\xff" * 40, b'{"state": "maybe"}', b"[]"])
def test_a_damaged_status_of_one_organisation_never_hides_the_others(tmp_path, damage, caplog):
    remember(tmp_path, "branch", State.VALID, BRANCH)
    KeyDates(tmp_path / KEY_DATES_FOLDER).saved("east", "4321", organisation=Organisation(6161, "East Side Tutors"))
    remember(tmp_path, "east", State.VALID)
    (tmp_path / "status" / "east.json").write_bytes(damage)
    with caplog.at_level("WARNING"):
        known = {profile.name: profile.label() for profile in known_profiles(tmp_path, "default")}
    assert known == {
        "branch": "Northside Branch (branch): valid",
        "default": "default: not checked yet",
        "east": "east: not checked yet",  # known by its key date; its state is unknown until checked
    }
