"""The command line when something other than the key goes wrong, run as real processes.

Exit code 1 means "Lessonspace rejected the key", so monitoring replaces keys on
it: a broken state folder, a terminal that can't show a name, a bug or Ctrl-C
must each end in their own exit code with one sentence, never a traceback.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from lsdesk.cli import INTERRUPTED
from lsdesk.core.local_problem import PROBLEM_IN_LSDESK
from lsdesk.core.outcome import EXIT_CODE_MEANINGS
from lsdesk.sandbox import DEMO_KEY
from lsdesk.sandbox.server import DEMO_ORGANISATION_ID

# A terminal (pty) and process limits (resource) exist on Linux and macOS only.
pty = pytest.importorskip("pty", reason="needs a Unix terminal")
resource = pytest.importorskip("resource", reason="needs Unix process limits")

NEW_KEY = "11111111-2222-4333-8444-555555555555"
CHILD_DEADLINE_S = 60  # only a bound on a hung child; no test asserts on time
NOBODY = 65534


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lsdesk", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE_S,
        env={**os.environ, **(env or {})},
        **options,
    )


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_one_sentence_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout
    assert len((result.stdout + result.stderr).strip().splitlines()) == 1, result


# -- 13: exit code 5 and a sentence naming what to fix --------------------------------------


def test_a_state_folder_that_is_a_file_exits_5_naming_the_file(tmp_path, sandbox):
    """Before: NotADirectoryError's traceback and exit 1, read by monitoring as a rejected key."""
    blocker = tmp_path / "state"
    blocker.write_text("not a folder")
    result = run("rotate", "--api-url", sandbox.api_url, stdin=NEW_KEY, env={"XDG_STATE_HOME": str(blocker)})
    assert result.returncode == 5, result.stderr
    assert (
        result.stdout
        == f"lsdesk needs {blocker} to be a folder but it is a file; move that file away, then try again.\n"
    )
    assert_one_sentence_no_traceback(result)


def test_a_lock_path_that_is_a_folder_exits_5_with_json(tmp_path, sandbox):
    """Before: IsADirectoryError's traceback and exit 1, with no JSON line for monitoring."""
    lock = tmp_path / "lsdesk" / "rotation" / "default.lock"
    lock.mkdir(parents=True)
    result = run("rotate", "--json", "--api-url", sandbox.api_url, stdin=NEW_KEY, env={"XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 5
    document = last_json(result)
    assert document["state"] == "unfinished"
    assert (
        document["detail"]
        == f"lsdesk needs {lock} to be a file but it is a folder; remove that folder, then try again."
    )
    assert "Traceback" not in result.stderr
    assert NEW_KEY not in result.stdout + result.stderr


def test_a_state_folder_of_another_user_is_named_with_its_owner(sandbox):
    """The state folder belongs to someone else and cannot be written. Root writes anywhere,
    so as root (CI) the child drops to the user "nobody" and the folder stays root's. Python
    itself lives under /root here, which "nobody" cannot read, so the child imports what the
    command needs first, then drops, then runs lsdesk's real main()."""
    # Not under tmp_path: pytest's own folder is root's alone, so "nobody" could not even look in.
    outer = Path(tempfile.mkdtemp(prefix="lsdesk-owner-"))
    state = outer / "state"
    state.mkdir()
    probe = (
        # httpx imports httpcore only when a client is made: once the child is nobody, a checkout under
        # /root (as CI's) could not be read any more.
        "import os, sys, pwd, json, platformdirs, httpx, httpcore, keyring\n"
        "import lsdesk.cli, lsdesk.core.desk, lsdesk.core.client, lsdesk.core.keystore\n"
        "import lsdesk.core.local_problem\n"
        "if os.geteuid() == 0:\n"
        f"    os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})\n"
        "from lsdesk import main\n"
        "sys.exit(main(['rotate', '--api-url', sys.argv[1]]))\n"
    )
    if os.geteuid() == 0:
        outer.chmod(0o755)
        state.chmod(0o755)
        owner = "root"
    else:
        state.chmod(0o555)
        owner = None
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe, sandbox.api_url],
            input=NEW_KEY,
            capture_output=True,
            text=True,
            timeout=CHILD_DEADLINE_S,
            env={**os.environ, "XDG_STATE_HOME": str(state)},
        )
    finally:
        state.chmod(0o755)
        shutil.rmtree(outer)
    assert result.returncode == 5, result.stderr
    assert_one_sentence_no_traceback(result)
    assert str(state) in result.stdout
    if owner:
        assert result.stdout == (
            f"lsdesk cannot write to {state}, which belongs to {owner}; make your user its owner, then try again.\n"
        )


def test_verbose_shows_the_traceback_of_a_local_problem(tmp_path, sandbox):
    blocker = tmp_path / "state"
    blocker.write_text("")
    result = run("rotate", "-v", "--api-url", sandbox.api_url, stdin=NEW_KEY, env={"XDG_STATE_HOME": str(blocker)})
    assert result.returncode == 5
    assert "Traceback" in result.stderr and "NotADirectoryError" in result.stderr
    assert NEW_KEY not in result.stdout + result.stderr


def test_a_bug_in_lsdesk_exits_5_with_one_sentence(sandbox):
    """A bug can't be provoked from outside, so the child replaces one function with one that
    raises, as a bug would, and then runs lsdesk's real main(). Before: traceback, exit 1."""
    probe = (
        "import sys\n"
        "import lsdesk.core.usecases as usecases\n"
        "def broken(*args, **kwargs):\n"
        "    raise AttributeError('a bug')\n"
        "usecases.check_key = broken\n"
        "from lsdesk import main\n"
        "sys.exit(main(['check', '--key-stdin', '--api-url', sys.argv[1]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, sandbox.api_url],
        input=DEMO_KEY,
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE_S,
    )
    assert result.returncode == 5
    assert result.stdout == PROBLEM_IN_LSDESK + "\n"
    assert result.stderr == ""


def test_a_name_the_terminal_cannot_encode_is_printed_with_replacements(sandbox):
    """Before: UnicodeEncodeError's traceback and exit 1 for a valid key."""
    sandbox.add_organisation(DEMO_ORGANISATION_ID, "École Ōsaka 東京")
    result = run(
        "check",
        "--key-stdin",
        "--api-url",
        sandbox.api_url,
        stdin=DEMO_KEY,
        env={"PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "for ?cole ?saka ?? (id 4242)" in result.stdout
    assert result.stderr == ""


def test_exit_code_help_and_readme_come_from_one_table():
    result = run("--help")
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert f"  {code:<3}  {meaning}\n" in result.stdout
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert [int(line.split("|")[1]) for line in table] == list(EXIT_CODE_MEANINGS)


# -- 14: Ctrl-C, other signals, a quiet stderr, bad options, no core dumps ------------------


def _read_until(fd: int, wanted: bytes) -> bytes:
    seen = b""
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], CHILD_DEADLINE_S)
        assert ready, f"the child said only {seen!r}"
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _read_to_end(fd: int) -> bytes:
    return _read_until(fd, b"\0never\0")


def test_ctrl_c_at_the_key_prompt_exits_130_with_one_line(sandbox):
    """A real terminal: the child asks for the key at a pty and the pty's Ctrl-C
    (ISIG) sends SIGINT. Before: a KeyboardInterrupt traceback and exit 1."""
    pid, master = pty.fork()
    if pid == 0:  # the child: its pty is its controlling terminal
        os.execve(sys.executable, [sys.executable, "-m", "lsdesk", "save", "--api-url", sandbox.api_url], os.environ)
    try:
        _read_until(master, b"Paste your Lessonspace API key")
        os.write(master, b"\x03")
        rest = _read_to_end(master).decode()
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # waiting for a child that did not end would hang the suite
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(master)
    assert os.waitstatus_to_exitcode(status) == 130
    assert "Traceback" not in rest
    assert [line for line in rest.splitlines() if line.strip()] == [INTERRUPTED]


def _child_waiting_on_a_slow_sandbox(sandbox, *args: str, stdin: str) -> subprocess.Popen:
    sandbox.faults.delay = CHILD_DEADLINE_S
    child = subprocess.Popen(
        [sys.executable, "-m", "lsdesk", *args, "--api-url", sandbox.api_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdin.write(stdin)
    child.stdin.close()
    child.stdin = None  # communicate() would flush it
    for _ in range(CHILD_DEADLINE_S * 20):  # until the child's request has reached the sandbox
        if sandbox.request_count or child.poll() is not None:
            break
        time.sleep(0.05)
    assert sandbox.request_count, child.communicate()
    return child


def test_ctrl_c_during_a_check_exits_130_with_one_line(sandbox):
    child = _child_waiting_on_a_slow_sandbox(sandbox, "check", "--key-stdin", stdin=DEMO_KEY)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=CHILD_DEADLINE_S)
    assert child.returncode == 130
    assert out == ""
    assert err == INTERRUPTED + "\n"


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_during_a_save_end_it_as_a_kill_does(sandbox, signal_number, tmp_path):
    """No handler of lsdesk's turns these into a cleanup or another exit code: the child
    dies of the signal, as recovery (tests/test_rotation_crash.py) expects of a kill."""
    child = _child_waiting_on_a_slow_sandbox(sandbox, "save", stdin=DEMO_KEY)
    child.send_signal(signal_number)
    out, err = child.communicate(timeout=CHILD_DEADLINE_S)
    assert child.returncode == -signal_number
    assert out == "" and err == ""


def test_without_verbose_a_missing_keyring_prints_no_log_line():
    """Before: logging's last-resort handler printed "refusing insecure keyring backend ..." to stderr."""
    result = run(
        "check",
        "--api-url",
        "http://127.0.0.1:9/v2/",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.returncode == 3
    assert result.stderr == ""
    assert result.stdout.startswith("This computer has no secure password storage")
    verbose = run(
        "check",
        "-v",
        "--api-url",
        "http://127.0.0.1:9/v2/",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert "refusing insecure keyring backend" in verbose.stderr


def test_without_verbose_a_python_warning_stays_off_stderr(sandbox):
    """A library warning during a command (the child makes the check warn, as a deprecated call
    in a dependency would) reaches stderr only with -v."""
    probe = (
        "import sys, warnings\n"
        "import lsdesk.core.usecases as usecases\n"
        "real = usecases.check_key\n"
        "def warning_check(*args, **kwargs):\n"
        "    warnings.warn('a deprecated call', DeprecationWarning)\n"
        "    return real(*args, **kwargs)\n"
        "usecases.check_key = warning_check\n"
        "from lsdesk import main\n"
        "sys.exit(main(['check', '--key-stdin', *sys.argv[2:], '--api-url', sys.argv[1]]))\n"
    )

    def run_probe(*options: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-W", "always", "-c", probe, sandbox.api_url, *options],
            input=DEMO_KEY,
            capture_output=True,
            text=True,
            timeout=CHILD_DEADLINE_S,
        )

    quiet = run_probe()
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    assert "a deprecated call" in run_probe("-v").stderr


@pytest.mark.parametrize("value", ["70000", "-1", "eighty"])
def test_a_bad_port_is_a_usage_error(value):
    """Before: 70000 and -1 ended in OverflowError's traceback."""
    result = run("sandbox", "--port", value)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("is not a port number; use a number from 0 to 65535")


def test_lsdesk_switches_off_core_dumps_for_itself():
    """The child starts with core dumps allowed (unlimited where the hard limit lets it)
    and reports its limit after lsdesk's main() has run."""
    probe = (
        "import resource, sys\n"
        "from lsdesk import main\n"
        "main(['check', '--key-stdin', '--api-url', 'ftp://nowhere'])\n"
        "print(resource.getrlimit(resource.RLIMIT_CORE))\n"
    )

    def allow_core_dumps() -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))

    before = subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_CORE))"],
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE_S,
        preexec_fn=allow_core_dumps,
    )
    assert before.stdout.strip() != "(0, 0)", "this machine allows no core dumps at all; nothing to test"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        input="",
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE_S,
        preexec_fn=allow_core_dumps,
    )
    assert result.stdout.splitlines()[-1] == "(0, 0)"


@pytest.mark.parametrize("options", [[], ["--sandbox"]], ids=["window", "sandbox window"])
def test_with_no_screen_the_window_says_so_in_one_sentence_and_exits_2(options):
    """Before: Qt aborted with a message about libxcb-cursor0, which tells an admin over ssh nothing."""
    env = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "lsdesk", *options], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "lsdesk's window needs a desktop session; `lsdesk check` works in a terminal.\n"
