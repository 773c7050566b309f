"""Proof that lessons launch: the lessons started since a moment, from the sandbox's sessions endpoint over loopback.

Read-only and never a state of the key: every way of not knowing ends in "couldn't tell".
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from lsdesk.core.answers import LESSONS_REFUSED, LESSONS_UNREADABLE
from lsdesk.core.client import LessonspaceClient
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID
from lsdesk.sandbox.lessons import PAGE_SIZE, SESSIONS_PER_SECOND
from tests.keyring_fixtures import remove_every_slot
from tests.test_cli import last_json, run


def an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def test_lessons_are_counted_from_zero_as_they_start_and_one_person_alone_is_no_lesson(client, sandbox):
    since = an_hour_ago()
    assert client.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, since).count == 0
    sandbox.start_lesson()
    sandbox.start_lesson(participants=3)
    sandbox.start_lesson(participants=1)  # a tutor waiting alone: no session counts for it
    result = client.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, since)
    assert result.told and result.count == 2
    assert result.sentence().startswith("2 lessons have started since")


def test_only_lessons_after_the_moment_count(client, sandbox):
    sandbox.start_lesson()
    since = datetime.now(UTC)
    assert client.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, since).count == 0
    sandbox.start_lesson()
    assert client.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, since).count == 1


def test_only_count_is_read_and_only_get_is_ever_sent(client, sandbox):
    for _ in range(PAGE_SIZE + 2):
        sandbox.start_lesson()
    assert client.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, an_hour_ago()).count == PAGE_SIZE + 2
    asked = [(method, path) for method, path, _ in sandbox.request_log if "sessions" in path]
    assert asked == [("GET", f"/v2/organisations/{DEMO_ORGANISATION_ID}/sessions/")]  # one page: count says all
    assert not any("launch" in path for _, path, _ in sandbox.request_log)


def test_the_sandbox_pages_as_django_rest_framework_does(sandbox):
    for _ in range(PAGE_SIZE + 2):
        sandbox.start_lesson()
    address = f"{sandbox.api_url}organisations/{DEMO_ORGANISATION_ID}/sessions/"
    headers = {"Authorization": f"Organisation {DEMO_KEY}"}
    first = httpx.get(address, headers=headers).json()
    assert first["count"] == PAGE_SIZE + 2 and len(first["results"]) == PAGE_SIZE and first["previous"] is None
    second = httpx.get(first["next"], headers=headers).json()
    assert len(second["results"]) == 2 and second["next"] is None and second["previous"]
    assert httpx.get(address, headers=headers, params={"page": 3}).json() == {"detail": "Invalid page."}
    assert httpx.get(address, headers=headers, params={"start_time_after": "soon"}).status_code == 400
    other = httpx.get(f"{sandbox.api_url}organisations/5151/sessions/", headers=headers)
    assert other.status_code == 403  # another organisation's lessons


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ({"sessions_status": 403}, LESSONS_REFUSED),
        ({"sessions_wrong_shape": True}, LESSONS_UNREADABLE),
        ({"sessions_status": 429}, "too many requests"),
        ({"sessions_status": 503}, "error 503"),
        ({"html_page": True}, "Wi-Fi sign-in page"),
        ({"drop_connection": True}, "Check your internet connection"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_every_way_of_not_knowing_is_couldnt_tell_and_the_key_stays_valid(client, sandbox, fault, words, caplog):
    sandbox.faults.update(fault)
    with caplog.at_level(logging.WARNING):
        result = client.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, an_hour_ago())
    assert not result.told and result.count is None
    assert result.sentence().startswith("lsdesk couldn't tell whether lessons have started since")
    assert words in result.sentence()
    sandbox.faults.reset()
    assert client.check(DEMO_KEY).state is State.VALID  # a question about lessons never says anything of the key


def test_the_endpoints_own_rate_limit_is_honoured_with_its_retry_after(sandbox):
    sandbox.faults.sessions_retry_after = "30"
    with LessonspaceClient(sandbox.api_url, min_check_interval=0) as api:
        answers = [
            api.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, an_hour_ago()) for _ in range(SESSIONS_PER_SECOND + 1)
        ]
        assert [answer.told for answer in answers] == [True] * SESSIONS_PER_SECOND + [False]
        asked = sandbox.request_count
        later = api.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, an_hour_ago())
    assert not later.told and later.problem.state is State.RATE_LIMITED
    assert sandbox.request_count == asked  # not asked again before the wait is over


def test_a_429_without_retry_after_is_couldnt_tell_too(sandbox):
    with LessonspaceClient(sandbox.api_url, min_check_interval=0) as api:
        answers = [
            api.lessons_since(DEMO_KEY, DEMO_ORGANISATION_ID, an_hour_ago()) for _ in range(SESSIONS_PER_SECOND + 1)
        ]
    assert answers[-1].problem.state is State.RATE_LIMITED
    assert "too many requests" in answers[-1].sentence()


# -- lsdesk lessons, for real -----------------------------------------------------------------


@pytest.fixture
def profile(real_keyring, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    remove_every_slot(name)


def lessons(sandbox, profile, *options):
    env = {"XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]}
    return run("lessons", "--api-url", sandbox.api_url, "--profile", profile, *options, env=env)


def save(sandbox, profile, key=DEMO_KEY):
    env = {"XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]}
    assert run("save", "--api-url", sandbox.api_url, "--profile", profile, stdin=key, env=env).returncode == 0


def test_lsdesk_lessons_counts_since_the_key_was_saved(sandbox, profile):
    save(sandbox, profile)
    result = lessons(sandbox, profile, "--json")
    assert result.returncode == 0, result.stderr
    answer = last_json(result)
    assert answer["lessons_since"] == 0 and answer["state"] == "valid"
    assert answer["organisation"] == {"id": 4242, "name": "Demo Tutoring Co"}
    assert datetime.fromisoformat(answer["since"]) > an_hour_ago()
    sandbox.start_lesson()
    sandbox.start_lesson()
    again = lessons(sandbox, profile, "--since-rotation", "--json")
    assert last_json(again)["lessons_since"] == 2
    assert lessons(sandbox, profile).stdout.startswith("2 lessons have started since")
    assert DEMO_KEY not in again.stdout + again.stderr


def test_lsdesk_lessons_exit_codes(sandbox, profile):
    save(sandbox, profile)
    assert lessons(sandbox, profile, "--since", "2026-12-01T09:00").returncode == 0
    assert lessons(sandbox, profile, "--since", "yesterday-ish").returncode == 2
    sandbox.faults.sessions_status = 403
    refused = lessons(sandbox, profile, "--json")
    assert refused.returncode == 4 and last_json(refused)["lessons_since"] is None  # couldn't tell
    sandbox.faults.reset()
    sandbox.revoke_key(DEMO_KEY)
    rejected = lessons(sandbox, profile, "--json")
    assert rejected.returncode == 1  # the key itself: its own exit code
    assert last_json(rejected)["state"] == "rejected" and last_json(rejected)["lessons_since"] is None


def test_an_invalid_key_in_the_window_mentions_teachworks_own_rotation(open_window, store):
    """Teachworks' Rotate API key changes the key in Teachworks and Lessonspace at once; lsdesk never sees it."""
    from lsdesk.gui.window import TEACHWORKS_ROTATED

    store.set("default", "11111111-2222-4333-8444-555555555555")
    window = open_window()
    assert window.badge.state is State.REJECTED
    assert window.badge.message().endswith(TEACHWORKS_ROTATED)


def test_count_lessons_in_the_window_checks_the_key_and_says_how_many(open_window, store, journal, sandbox, qtbot):
    from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
    from lsdesk.gui.window import LESSONS_NOT_COUNTED

    store.set("default", DEMO_KEY)
    KeyDates(journal.folder.parent / KEY_DATES_FOLDER).saved("default", DEMO_KEY[-4:], when=an_hour_ago())
    window = open_window()
    assert window.lessons_label.text() == LESSONS_NOT_COUNTED
    sandbox.start_lesson()
    with qtbot.waitSignal(window.host.lessons_counted, timeout=10_000):
        window.check_lessons_button.click()
    assert window.lessons_label.text().startswith("1 lesson has started since")
    assert window.badge.state is State.VALID  # the key was checked on the way
    sandbox.revoke_key(DEMO_KEY)
    with qtbot.waitSignal(window.host.lessons_counted, timeout=10_000):
        window.check_lessons_button.click()
    assert window.badge.state is State.REJECTED
    assert "did not accept this key" in window.lessons_label.text()


def test_without_a_known_saving_date_lessons_says_so_and_how_to_go_on(sandbox, profile, tmp_path):
    from lsdesk.core.keystore import SystemKeyStore

    SystemKeyStore().set(profile, DEMO_KEY)  # put in place by hand: lsdesk noted no date
    result = lessons(sandbox, profile, "--json")
    assert result.returncode == 2
    detail = last_json(result)["detail"]
    assert "doesn't know when this key was saved" in detail and "--since" in detail
