"""Where else the key is used: the places an admin sets up, and the checklist each rotation leaves."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import keyring
import pytest

from lsdesk.core.desk import KeyDesk
from lsdesk.core.history import History
from lsdesk.core.keystore import MemoryKeyStore, credential_service
from lsdesk.core.places import CHECKLISTS_FOLDER, PLACES_FOLDER, Checklists, Place, Places, make_place
from lsdesk.core.rotation import RotationJournal
from lsdesk.sandbox import DEMO_KEY
from tests.test_cli import last_json, profile, run  # noqa: F401 - a fixture

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"


@pytest.mark.parametrize(
    ("kind", "typed", "address"),
    [
        ("teachworks", "DemoCompany", "https://democompany.teachworks.com/"),
        ("teachworks", "https://democompany.teachworks.com/", "https://democompany.teachworks.com/"),
        (
            "moodle",
            "moodle.example.org/",
            "https://moodle.example.org/admin/settings.php?section=modsettingslessonspace",
        ),
        (
            "amelia",
            "https://tutors.example.com/wp",
            "https://tutors.example.com/wp/wp-admin/admin.php?page=wpamelia-settings",
        ),
        ("moodle", "http://localhost:8080", "http://localhost:8080/admin/settings.php?section=modsettingslessonspace"),
        ("pipedream", "", "https://pipedream.com/accounts"),
    ],
)
def test_each_preset_opens_the_page_where_its_key_is_kept(kind, typed, address):
    place = make_place(kind, typed)
    assert place.address == address
    assert place.how_to  # and says where the key goes once there


@pytest.mark.parametrize(
    ("kind", "typed", "name", "words"),
    [
        ("teachworks", "demo company", "", "the part before .teachworks.com"),
        ("teachworks", "", "", "the part before .teachworks.com"),
        ("moodle", "http://moodle.example.org", "", "https://"),
        ("moodle", "", "", "the site's address"),
        ("amelia", "https://tutors.example.com/?page=1", "", "without anything after"),
        ("other", "", "", "Give the place a name"),
        ("nowhere", "", "", "from the list"),
        ("other", "", "x" * 300, "under 200 characters"),
    ],
)
def test_a_place_lsdesk_cannot_use_is_refused_with_a_sentence(kind, typed, name, words):
    with pytest.raises(ValueError, match=words):
        make_place(kind, typed, name=name)


def test_places_are_kept_per_profile_and_a_damaged_file_reads_as_none(tmp_path, caplog):
    places = Places(tmp_path / PLACES_FOLDER)
    kept = [make_place("teachworks", "democompany"), make_place("other", name="Zapier", note="Step 2 of the Zap")]
    places.set("default", kept)
    assert places.of("default") == kept
    assert places.of("branch") == []
    with pytest.raises(ValueError, match="same name"):
        places.set("default", [*kept, Place("teachworks", "teachworks", "other")])
    (tmp_path / PLACES_FOLDER / "default.json").write_text("{damaged")
    with caplog.at_level(logging.WARNING):
        assert places.of("default") == []
    assert "the places" in caplog.text


@pytest.fixture
def desk(client, tmp_path):
    store = MemoryKeyStore()
    store.set("default", DEMO_KEY)
    return KeyDesk(client, store, "default", journal=RotationJournal(tmp_path / "rotation"), history=History(None))


def test_a_rotation_leaves_a_checklist_for_the_new_key(desk, sandbox):
    new_key = sandbox.generate_key()
    assert desk.rotate(new_key).rotated
    checklist = desk.checklists.of("default")
    assert checklist.key_ending == new_key[-4:] and checklist.counts_for(new_key[-4:])
    assert not checklist.counts_for(DEMO_KEY[-4:])  # it is about the new key only
    assert abs(datetime.now(UTC) - checklist.rotated_at) < timedelta(minutes=5)  # noted as the rotation began


def test_a_rotation_that_does_not_happen_keeps_the_last_checklist(desk, sandbox, tmp_path):
    first = sandbox.generate_key()
    assert desk.rotate(first).rotated
    desk.checklists.tick("default", "Teachworks")
    before = desk.checklists.of("default")
    assert not desk.rotate(UNKNOWN_KEY).rotated  # refused by Lessonspace
    assert not desk.rotate("not a key").rotated  # refused before anything is sent
    assert desk.checklists.of("default") == before


def test_ticking_and_dismissing_are_kept_and_forgetting_the_key_removes_the_checklist(desk, sandbox):
    assert desk.rotate(sandbox.generate_key()).rotated
    desk.checklists.tick("default", "Teachworks")
    desk.checklists.tick("default", "Moodle")
    desk.checklists.tick("default", "Moodle", done=False)
    assert desk.checklists.of("default").done == ("Teachworks",)
    desk.checklists.dismiss("default")
    assert desk.checklists.of("default").dismissed
    desk.forget()
    assert desk.checklists.of("default") is None


@pytest.mark.parametrize("damage", [b"[]", b'{"key_ending": 5, "rotated_at": "x"}', b"\xff\xfe", b'{"done": "x"}'])
def test_a_damaged_checklist_is_no_checklist(tmp_path, damage, caplog):
    checklists = Checklists(tmp_path / CHECKLISTS_FOLDER)
    (tmp_path / CHECKLISTS_FOLDER).mkdir()
    (tmp_path / CHECKLISTS_FOLDER / "default.json").write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        assert checklists.of("default") is None


def test_rotate_json_names_the_places_to_update(sandbox, profile, tmp_path):
    folders = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    Places(tmp_path / "config" / "lsdesk" / PLACES_FOLDER).set(
        profile, [make_place("teachworks", "democompany"), make_place("moodle", "moodle.example.org")]
    )
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    new_key = sandbox.generate_key()
    args = ("rotate", "--json", "--api-url", sandbox.api_url, "--profile", profile)
    result = run(*args, stdin=new_key, env=folders)
    assert result.returncode == 0, result.stderr
    assert last_json(result)["places_to_update"] == ["Teachworks", "Moodle (Lessonspace plugin)"]
    checklist = json.loads((tmp_path / "state" / "lsdesk" / CHECKLISTS_FOLDER / f"{profile}.json").read_text())
    assert checklist["key_ending"] == new_key[-4:] and checklist["done"] == []
    plain = run(*[a for a in args if a != "--json"], stdin=sandbox.generate_key(), env=folders)
    assert plain.stdout.strip().endswith(
        "Now put the new key in each place that uses it: Teachworks, Moodle (Lessonspace plugin)."
    )
    nothing = run(*args, "--profile", f"{profile}-none", stdin=sandbox.generate_key(), env=folders)
    assert last_json(nothing)["places_to_update"] == []
