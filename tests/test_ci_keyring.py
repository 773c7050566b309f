"""The CI's real Secret Service, the fixtures that reach it, and the test command CI shares with the README."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
from contextlib import closing
from pathlib import Path

import keyring
import keyring.errors
import pytest

from tests.keyring_fixtures import default_collection

secretstorage = pytest.importorskip("secretstorage", reason="the Secret Service exists on Linux only")

# Normally loaded by tests/conftest.py; naming it here too keeps this module runnable on its own.
# (Importing from it here instead would load it before pytest can rewrite its asserts.)
pytest_plugins = ["tests.keyring_fixtures"]

REPO = Path(__file__).resolve().parents[1]
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
REQUIRE_ENV = "LSDESK_REQUIRE_REAL_KEYRING"


def default_collection_is_locked() -> bool:
    with closing(secretstorage.dbus_init()) as connection:
        return default_collection(connection).is_locked()


def test_a_password_round_trips_through_the_secret_service_backend(real_keyring, keyring_service):
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"

    keyring.set_password(keyring_service, "alice", "first-value")
    keyring.set_password(keyring_service, "alice", "second-value")
    assert keyring.get_password(keyring_service, "alice") == "second-value"
    assert keyring.get_password(keyring_service, "bob") is None

    keyring.delete_password(keyring_service, "alice")
    assert keyring.get_password(keyring_service, "alice") is None
    with pytest.raises(keyring.errors.PasswordDeleteError):
        keyring.delete_password(keyring_service, "alice")


def test_another_process_reads_what_this_process_saved(real_keyring, keyring_service):
    keyring.set_password(keyring_service, "alice", "shared-value")
    reader = textwrap.dedent(
        """
        import sys, keyring
        print(type(keyring.get_keyring()).__module__)
        print(keyring.get_password(sys.argv[1], "alice"))
        """
    )

    child = subprocess.run(
        [sys.executable, "-c", reader, keyring_service],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines() == ["keyring.backends.SecretService", "shared-value"]


def test_a_locked_collection_makes_keyring_raise_keyring_locked_without_a_prompt(locked_keyring, keyring_service):
    assert default_collection_is_locked()
    raised: list[type[BaseException]] = []

    def ask() -> None:
        for call in (
            lambda: keyring.get_password(keyring_service, "alice"),
            lambda: keyring.set_password(keyring_service, "alice", "never-stored"),
        ):
            try:
                call()
            except BaseException as error:  # noqa: BLE001 - what ended the call is the assertion
                raised.append(type(error))

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    asking.join(60)  # a hang guard only
    # No prompt was waited on: the bus has no display, so gnome-keyring dismisses it at once.
    assert not asking.is_alive(), "keyring waited on an unlock prompt"
    assert raised == [keyring.errors.KeyringLocked, keyring.errors.KeyringLocked]
    assert default_collection_is_locked()  # nothing unlocked it meanwhile


def test_the_collection_is_unlocked_again_even_when_the_locked_body_raises(real_keyring, keyring_service, keyring_lock):
    keyring.set_password(keyring_service, "alice", "kept-value")

    with pytest.raises(RuntimeError, match="body failed"), keyring_lock():
        assert default_collection_is_locked()
        raise RuntimeError("body failed")

    assert not default_collection_is_locked()
    assert keyring.get_password(keyring_service, "alice") == "kept-value"


def _run_pytest_without_a_bus(tmp_path: Path, *, require: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_needs_keyring.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.real_keyring
            def test_marked():
                pass

            def test_uses_the_fixture(real_keyring):
                pass

            def test_needs_no_keyring():
                pass
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DBUS_SESSION_BUS_ADDRESS", "PYTEST_ADDOPTS"}}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        **{REQUIRE_ENV: "1" if require else "0"},
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.keyring_fixtures",
            "-p",
            "no:cacheprovider",
            "-rs",
            "--strict-markers",
            "test_needs_keyring.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _outcomes(output: str) -> dict[str, int]:
    summary = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|skipped|failed|errors?)", summary)}


def test_keyring_tests_skip_without_a_bus(tmp_path):
    result = _run_pytest_without_a_bus(tmp_path, require=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert _outcomes(result.stdout) == {"passed": 1, "skipped": 2}
    assert "no D-Bus session bus" in result.stdout


def test_keyring_tests_fail_without_a_bus_when_ci_requires_the_real_keyring(tmp_path):
    result = _run_pytest_without_a_bus(tmp_path, require=True)

    assert result.returncode == 1, result.stdout + result.stderr
    assert _outcomes(result.stdout) == {"passed": 1, "errors": 2}
    assert f"{REQUIRE_ENV}=1 but the real Secret Service is not usable" in result.stdout


def test_the_readme_and_ci_run_the_same_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")

    assert TEST_COMMAND in readme
    assert TEST_COMMAND in ci_run
