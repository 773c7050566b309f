"""The command line, run as a real process against the sandbox: exit codes, JSON, and no key in sight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping

import keyring
import pytest

from lsdesk.core.keystore import credential_service
from lsdesk.core.paths import state_dir
from lsdesk.core.profile_lock import BUSY_MESSAGE
from lsdesk.core.rotation import RotationJournal, backup_slot, pending_slot
from lsdesk.sandbox import DEMO_KEY
from tests.keyring_fixtures import remove_every_slot

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, inherit: Mapping[str, str] = os.environ
) -> subprocess.CompletedProcess:
    """`lsdesk ARGS` as a process of its own, in the `inherit`ed environment with `env` added."""
    return subprocess.run(
        [sys.executable, "-m", "lsdesk", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**inherit, **(env or {})},
    )


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def profile(real_keyring):
    """A profile of the real `lsdesk` keychain entry that only this test uses."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    remove_every_slot(name)


def assert_no_key_in(result: subprocess.CompletedProcess, *keys: str) -> None:
    for key in keys:
        assert key not in result.stdout
        assert key not in result.stderr


def test_check_of_a_key_from_stdin_prints_json_and_exits_0(sandbox):
    result = run("check", "--key-stdin", "--json", "--api-url", sandbox.api_url, stdin=DEMO_KEY + "\n")
    assert result.returncode == 0, result.stderr
    assert last_json(result) == {
        "state": "valid",
        "organisation": {"id": 4242, "name": "Demo Tutoring Co"},
        "key_ending": "6e80",
        "detail": "Lessonspace accepted this key.",
        "retry_after": None,
        "key_saved_at": None,  # a key from stdin is not a saved key: its age is not known
        "key_age_days": None,
        "rotation_due": False,
    }
    assert_no_key_in(result, DEMO_KEY)


def test_plain_output_is_one_sentence(sandbox):
    result = run("check", "--key-stdin", "--api-url", sandbox.api_url, stdin=DEMO_KEY)
    assert result.returncode == 0
    assert result.stdout == (
        "Valid API key (key ending 6e80) for Demo Tutoring Co (id 4242). Lessonspace accepted this key.\n"
    )


def test_rejected_key_exits_1(sandbox):
    result = run("check", "--key-stdin", "--json", stdin=UNKNOWN_KEY, env={"LSDESK_API_URL": sandbox.api_url})
    assert result.returncode == 1
    assert last_json(result)["state"] == "rejected"
    assert last_json(result)["organisation"] is None
    assert_no_key_in(result, UNKNOWN_KEY)


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        ({"drop_connection": True}, "offline"),
        ({"status": 429, "retry_after": "3"}, "rate_limited"),
        ({"status": 500}, "server_error"),
        ({"html_page": True}, "unexpected"),
    ],
)
def test_network_and_server_problems_exit_4(sandbox, fault, state):
    sandbox.faults.update(fault)
    result = run("check", "--key-stdin", "--json", "--api-url", sandbox.api_url, stdin=DEMO_KEY)
    assert result.returncode == 4
    assert last_json(result)["state"] == state


def test_malformed_key_exits_2_and_sends_nothing(sandbox):
    result = run("check", "--key-stdin", "--json", "--api-url", sandbox.api_url, stdin="Bearer abc")
    assert result.returncode == 2
    assert last_json(result)["state"] == "bad_input"
    assert sandbox.request_count == 0


@pytest.mark.parametrize(
    "option",
    [["--api-url", "http://api.thelessonspace.com/v2/"], ["--profile", "../etc"]],
    ids=["cleartext-url", "bad-profile"],
)
def test_refused_options_exit_2_as_bad_input(option):
    result = run("check", "--json", *option, stdin=DEMO_KEY)
    assert result.returncode == 2
    assert last_json(result)["state"] == "bad_input"


def test_an_api_url_without_a_scheme_is_used_over_https_never_plain_http(sandbox):
    """Before: "127.0.0.1:PORT/v2/" was refused (exit 2). Now it gets https://, so the
    sandbox, which speaks only plain http, gets no request and the key stays off the wire."""
    without_scheme = sandbox.api_url.removeprefix("http://")
    result = run("check", "--key-stdin", "--json", "--api-url", without_scheme, stdin=DEMO_KEY)
    assert result.returncode == 4, result.stderr
    assert last_json(result)["state"] == "offline"  # no secure connection to a plain-http server
    assert sandbox.request_count == 0
    assert_no_key_in(result, DEMO_KEY)


def test_options_may_come_before_the_subcommand(sandbox):
    result = run("--api-url", sandbox.api_url, "check", "--key-stdin", "--json", stdin=DEMO_KEY)
    assert result.returncode == 0, result.stderr


def test_unknown_option_is_a_usage_error():
    assert run("check", "--bogus").returncode == 2


def test_help_lists_the_exit_codes():
    result = run("check", "--help")
    assert result.returncode == 0
    from lsdesk.core.outcome import EXIT_CODE_MEANINGS

    for meaning in EXIT_CODE_MEANINGS.values():
        assert meaning in " ".join(result.stdout.split())


def test_save_stores_a_working_key_in_the_real_keychain_and_check_reads_it(sandbox, profile):
    saved = run("save", "--json", "--api-url", sandbox.api_url, "--profile", profile, stdin=DEMO_KEY)
    assert saved.returncode == 0, saved.stdout
    assert last_json(saved)["state"] == "valid"
    assert last_json(saved)["saved"] is True
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY
    checked = run("check", "--json", "--api-url", sandbox.api_url, "--profile", profile)
    assert checked.returncode == 0
    assert last_json(checked)["key_ending"] == "6e80"
    assert_no_key_in(saved, DEMO_KEY)
    assert_no_key_in(checked, DEMO_KEY)


def test_save_of_a_rejected_key_exits_1_and_keeps_the_stored_key(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    result = run("save", "--json", "--api-url", sandbox.api_url, "--profile", profile, stdin=UNKNOWN_KEY)
    assert result.returncode == 1
    assert last_json(result)["saved"] is False
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY


def test_check_with_nothing_saved_exits_3(sandbox, profile):
    result = run("check", "--json", "--api-url", sandbox.api_url, "--profile", profile)
    assert result.returncode == 3
    assert last_json(result)["state"] == "not_set"
    assert sandbox.request_count == 0


def test_no_secure_storage_exits_3_and_saves_nothing(sandbox):
    result = run(
        "save",
        "--json",
        "--api-url",
        sandbox.api_url,
        stdin=DEMO_KEY,
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.returncode == 3
    assert last_json(result)["state"] == "no_storage"
    assert "no secure password storage" in last_json(result)["detail"]


def test_the_command_line_never_imports_qt(sandbox):
    probe = (
        "import sys\n"
        "from lsdesk import main\n"
        "code = main(['check', '--key-stdin', '--json', '--api-url', sys.argv[1]])\n"
        "assert not [name for name in sys.modules if name.startswith('PySide6')], 'Qt was imported'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, sandbox.api_url], input=DEMO_KEY, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_sandbox_command_prints_its_address_and_demo_key():
    process = subprocess.Popen(
        [sys.executable, "-m", "lsdesk", "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        first = process.stdout.readline()
        second = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(30)
        process.stdout.close()
    assert first.startswith("Sandbox Lessonspace API: http://127.0.0.1:")
    assert DEMO_KEY in second


def rotate(sandbox, profile, new_key, *options):
    return run("rotate", "--json", "--api-url", sandbox.api_url, "--profile", profile, *options, stdin=new_key)


def test_rotate_swaps_in_the_new_key_and_says_the_old_one_still_works(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    new_key = sandbox.generate_key()
    result = rotate(sandbox, profile, new_key)
    assert result.returncode == 0, result.stdout
    document = last_json(result)
    assert document["state"] == "valid"
    assert document["old_key"] == "still_valid"
    assert document["rotated"] is True
    assert document["key_ending"] == new_key[-4:]
    assert keyring.get_password(credential_service(profile), profile) == new_key
    assert keyring.get_password(credential_service(backup_slot(profile)), backup_slot(profile)) is None
    assert_no_key_in(result, DEMO_KEY, new_key)


def test_rotate_after_the_new_key_revoked_the_saved_one_says_save_instead(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    new_key = sandbox.generate_key(revoke_previous=True)
    result = rotate(sandbox, profile, new_key)
    assert result.returncode == 1
    assert "save the new key instead" in last_json(result)["detail"]
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY


def test_rotate_with_a_rejected_new_key_exits_1_and_changes_nothing(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    result = rotate(sandbox, profile, UNKNOWN_KEY)
    assert result.returncode == 1
    assert last_json(result)["old_key"] is None
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY


def test_rotate_to_another_organisation_needs_the_flag(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    refused = rotate(sandbox, profile, other_key)
    assert refused.returncode == 2
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY
    allowed = rotate(sandbox, profile, other_key, "--allow-other-organisation")
    assert allowed.returncode == 0
    assert last_json(allowed)["organisation"] == {"id": 5151, "name": "Other Academy"}


def save(sandbox, profile: str, key: str, *options: str) -> subprocess.CompletedProcess:
    return run("save", "--json", "--api-url", sandbox.api_url, "--profile", profile, *options, stdin=key)


def test_save_over_another_organisations_working_key_needs_the_flag(sandbox, profile):
    """Before: `lsdesk save` switched organisations without a word."""
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    sandbox.add_organisation(5151, "Other Academy")
    other_key = sandbox.generate_key(organisation_id=5151)
    refused = save(sandbox, profile, other_key)
    assert refused.returncode == 2, refused.stderr
    document = last_json(refused)
    assert document["saved"] is False
    assert "Other Academy (id 5151), not Demo Tutoring Co (id 4242)" in document["detail"]
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY
    allowed = save(sandbox, profile, other_key, "--allow-other-organisation")
    assert allowed.returncode == 0, allowed.stderr
    assert last_json(allowed)["saved"] is True
    assert keyring.get_password(credential_service(profile), profile) == other_key
    assert_no_key_in(refused, DEMO_KEY, other_key)


def test_rotate_when_lessonspace_cannot_be_reached_exits_4(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    new_key = sandbox.generate_key()
    sandbox.faults.status = 503
    assert rotate(sandbox, profile, new_key).returncode == 4
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY


def test_rotate_with_nothing_saved_exits_3(sandbox, profile):
    assert rotate(sandbox, profile, sandbox.generate_key()).returncode == 3


def test_a_second_rotation_of_the_same_profile_gets_a_clear_message(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    with RotationJournal(state_dir() / "rotation").lock(profile):
        result = rotate(sandbox, profile, sandbox.generate_key())
    assert result.returncode == 2
    assert last_json(result)["detail"] == BUSY_MESSAGE
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY


def test_forget_with_yes_removes_the_key_and_every_spare_copy_and_exits_0(sandbox, profile):
    slots = (profile, pending_slot(profile), backup_slot(profile))
    for slot in slots:
        keyring.set_password(credential_service(slot), slot, DEMO_KEY)
    result = run("forget", "--yes", "--json", "--api-url", sandbox.api_url, "--profile", profile)
    assert result.returncode == 0, result.stdout
    assert last_json(result)["state"] == "not_set"
    assert last_json(result)["forgotten"] is True
    for slot in slots:
        assert keyring.get_password(credential_service(slot), slot) is None
    assert sandbox.request_count == 0  # nothing to ask Lessonspace
    assert_no_key_in(result, DEMO_KEY)
    checked = run("check", "--api-url", sandbox.api_url, "--profile", profile)
    assert checked.returncode == 3


def test_forget_without_yes_and_without_a_terminal_keeps_the_key_and_exits_2(sandbox, profile):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    result = run("forget", "--api-url", sandbox.api_url, "--profile", profile)
    assert result.returncode == 2
    assert "--yes" in result.stdout
    assert keyring.get_password(credential_service(profile), profile) == DEMO_KEY


def run_at_a_terminal(*args: str, answer: str) -> tuple[int, str]:
    """Runs lsdesk with a pseudo-terminal as its standard input and output, typing `answer`."""
    import pty

    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "lsdesk", *args], stdin=follower, stdout=follower, stderr=follower
    ) as process:
        os.close(follower)
        os.write(leader, answer.encode() + b"\n")
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        os.close(leader)
        return process.wait(timeout=60), shown.decode(errors="replace")


@pytest.mark.parametrize(("answer", "kept"), [("n", True), ("", True), ("yes", False)])
def test_forget_at_a_terminal_asks_first_and_only_yes_removes(sandbox, profile, answer, kept):
    keyring.set_password(credential_service(profile), profile, DEMO_KEY)
    code, shown = run_at_a_terminal("forget", "--api-url", sandbox.api_url, "--profile", profile, answer=answer)
    assert code == 0, shown
    assert f'profile "{profile}"' in shown
    assert (keyring.get_password(credential_service(profile), profile) == DEMO_KEY) is kept
    assert ("The saved key was kept." in shown) is kept


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", "--key-stdin", "--json"],
        ["--profile", "north", "check", "--all"],
        ["--prof", "history", "lessons", "--since", "2026-12-01T09:00"],
        ["history", "--csv", "--limit", "3", "--profile", "x"],
        ["profiles", "--json"],
        ["save", "--allow-other-organisation"],
        ["rotate", "--json", "-v"],
        ["forget", "--yes"],
        ["sandbox", "--port", "0"],
        ["--api-url=http://127.0.0.1:1/v2/", "check"],
    ],
)
def test_a_command_parsed_with_only_its_own_options_defined_is_parsed_as_by_the_whole_parser(arguments):
    """lsdesk defines only the named command's options (the others cost `lsdesk check` about 4 ms)."""
    from lsdesk import command_in
    from lsdesk.cli import _parser

    assert command_in(arguments) is not None
    assert _parser(command_in(arguments)).parse_args(arguments) == _parser().parse_args(arguments)


def test_the_commands_listed_are_the_commands_defined():
    from lsdesk.cli import COMMANDS, _parser

    (commands,) = [action for action in _parser()._actions if action.dest == "command"]
    assert tuple(commands.choices) == COMMANDS
