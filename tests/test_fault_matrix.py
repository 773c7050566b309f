"""The fault matrix as tests: every operation under every fault keeps a working key.

The cells are defined and run by tests/reliability/matrix.py (its docstring
says what each operation and fault is, and what every cell must show); here
each is one test, so a failure names its cell. The last test prints the table
and its totals for the cells this run tried; `python -m tests.reliability
matrix` prints the same table on its own. Killing a rotation at each of its
steps, not only the one here, is tests/test_rotation_crash.py.
"""

from __future__ import annotations

import logging

import pytest

from tests.reliability.matrix import (
    FAULTS,
    FAULTS_BY_NAME,
    OPERATIONS,
    RESULTS,
    Environment,
    run_cell,
    table,
    totals,
)


def run_expecting_warnings(caplog, operation, fault, environment):
    """Every cell provokes a fault, and lsdesk logs each fault it meets as a warning."""
    with caplog.at_level(logging.WARNING):
        return run_cell(operation, fault, environment)


def assert_kept(cell) -> None:
    assert not cell.problems, f"{cell.operation} x {cell.fault}: " + "; ".join(cell.problems)
    assert cell.kept
    assert cell.false_invalid == 0


@pytest.mark.parametrize("fault", [fault for fault in FAULTS if fault.needs is None], ids=lambda fault: fault.name)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_working_key_survives_the_fault(operation, fault, tmp_path, caplog):
    assert_kept(run_expecting_warnings(caplog, operation, fault, Environment(tmp_path)))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_working_key_survives_a_locked_keyring(operation, keyring_lock, keyring_service, tmp_path, caplog):
    environment = Environment(tmp_path, keyring_service=keyring_service, lock=keyring_lock)
    assert_kept(run_expecting_warnings(caplog, operation, FAULTS_BY_NAME["keyring_locked"], environment))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_working_key_survives_a_killed_process(operation, real_keyring, tmp_path, caplog):
    environment = Environment(tmp_path, real_keyring=True)
    assert_kept(run_expecting_warnings(caplog, operation, FAULTS_BY_NAME["killed"], environment))


def test_the_matrix_table_shows_no_key_lost_and_none_called_invalid_wrongly(tmp_path, capsys, caplog):
    if not RESULTS:  # run on its own: try the cells that need no real keyring
        for fault in FAULTS:
            for operation in OPERATIONS:
                run_expecting_warnings(caplog, operation, fault, Environment(tmp_path))
    found = totals(list(RESULTS.values()))
    with capsys.disabled():
        print("\n\nFault matrix (operation x fault -> state):\n" + table(dict(RESULTS)) + "\n")
    assert found.tried > 0
    assert found.keys_lost == 0
    assert found.false_invalid == 0
    assert found.problems == 0


def test_the_readme_gives_the_command_and_the_size_of_the_matrix():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/python -m tests.reliability matrix" in readme
    assert (
        f"| {len(FAULTS) * len(OPERATIONS)} ({len(FAULTS)} faults x {len(OPERATIONS)} operations) | 0 | 0 |" in readme
    )
