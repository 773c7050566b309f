"""`python -m tests.reliability {matrix,soak,fuzz}`

Runs lsdesk's reliability figures and prints them; exits 1 when a target is
missed. With a real Secret Service (see README, "Reliability"), the
keychain cells of the matrix and the soak use it; without one, those cells
are skipped and the soak keeps keys in memory.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__.split("\n\n")[1])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    matrix = commands.add_parser("matrix", help="every operation under every fault: the table and its totals")
    matrix.add_argument("--messages", action="store_true", help="also print the message each cell showed")
    soak = commands.add_parser("soak", help="1,000 checks and 100 rotations in one process")
    soak.add_argument("--checks", type=int, default=1000)
    soak.add_argument("--rotations", type=int, default=100)
    commands.add_parser("fuzz", help="the fuzz tests (tests/test_fuzz.py) with many more examples")
    args = parser.parse_args(argv)

    # lsdesk's files (journal, history, settings) go to a throwaway home, as in the tests.
    home = Path(tempfile.mkdtemp(prefix="lsdesk-reliability-"))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[name] = str(home / name.lower())
    # Expected failures log warnings by the hundred; the figures are what is reported.
    logging.basicConfig(level=logging.ERROR)
    try:
        if args.command == "matrix":
            return _matrix(home, args.messages)
        if args.command == "soak":
            return _soak(args.checks, args.rotations)
        return _fuzz()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _matrix(home: Path, messages: bool) -> int:
    from tests.keyring_fixtures import PASSWORD_ENV, locked_default_collection, secret_service_problem
    from tests.reliability import matrix

    problem = secret_service_problem()
    password = os.environ.get(PASSWORD_ENV)
    service = f"lsdesk-matrix-{uuid.uuid4().hex}"
    env = matrix.Environment(
        workdir=home,
        keyring_service=service if problem is None else None,
        # Only a keyring this process can unlock again (the CI one) is ever locked.
        lock=functools.partial(locked_default_collection, password) if problem is None and password else None,
        real_keyring=problem is None,
    )
    if problem is not None:
        print(f"no real Secret Service ({problem}): its cells are skipped", file=sys.stderr)
    cells = matrix.run_all(env, progress=lambda cell: print(f"  {cell}", file=sys.stderr, flush=True))
    print(matrix.table(cells, messages=messages))
    found = matrix.totals(list(cells.values()))
    return 1 if found.keys_lost or found.false_invalid or found.problems else 0


def _soak(checks: int, rotations: int) -> int:
    from tests.reliability import soak

    store = soak.real_store(f"lsdesk-soak-{uuid.uuid4().hex}")
    report = soak.run_soak(
        checks=checks,
        rotations=rotations,
        store=store,
        progress=lambda step: print(f"  {step}...", file=sys.stderr, flush=True),
    )
    print("\n".join(report.lines()))
    misses = report.misses()
    for miss in misses:
        print(f"MISSED: {miss}")
    return 1 if misses else 0


def _fuzz() -> int:
    environment = {**os.environ, "LSDESK_FUZZ_PROFILE": "thorough"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout=0", "tests/test_fuzz.py"]
    return subprocess.run(command, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
