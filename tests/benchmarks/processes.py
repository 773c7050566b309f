"""Starting probe processes cleanly and the same way, and reading what they report.

Every child runs this interpreter with `-m` from the repository root, so it
uses this checkout's lsdesk, in a throwaway home (settings, history, log)
and on Qt's offscreen platform, so subject and baseline are started alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEYRING_FILE = "keyring.json"
PROBE_TIMEOUT = 120.0


class ProbeFailed(RuntimeError):
    """A probe exited badly or reported nothing; carries the end of its stderr."""


class Home:
    """A throwaway home for lsdesk's own files, and the keys its memory keyring starts with."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="lsdesk-benchmarks-")
        self.root = Path(self._folder.name)

    def close(self) -> None:
        self._folder.cleanup()

    @property
    def history_file(self) -> Path:
        return self.root / "data" / "lsdesk" / "history.jsonl"

    def save_keys(self, keys: dict[str, str]) -> None:
        """What the benchmark keyring holds when a probe starts (sandbox keys only)."""
        (self.root / KEYRING_FILE).write_text(json.dumps({"lsdesk": keys}), encoding="utf-8")

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            XDG_CONFIG_HOME=str(self.root / "config"),
            XDG_DATA_HOME=str(self.root / "data"),
            XDG_STATE_HOME=str(self.root / "state"),
            XDG_CACHE_HOME=str(self.root / "cache"),
            PYTHON_KEYRING_BACKEND="tests.benchmarks.probes.memory_keyring.MemoryKeyring",
            LSDESK_BENCHMARK_KEYRING=str(self.root / KEYRING_FILE),
        )
        for name in ("LSDESK_API_URL", "PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC", "QT_DEBUG_PLUGINS"):
            env.pop(name, None)
        return env


@dataclass
class Probe:
    """A started probe: `started` is time.monotonic() just before it was spawned."""

    process: subprocess.Popen
    started: float
    stdin: str = ""

    def finish(self, timeout: float = PROBE_TIMEOUT) -> tuple[dict, float]:
        """Hand over its stdin and wait for the exit; returns the probe's report and time.monotonic() at its exit."""
        try:
            out, err = self.process.communicate(self.stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise ProbeFailed(f"{_name(self.process)} did not finish in {timeout:.0f} s: {_tail(err)}") from None
        exited = time.monotonic()
        lines = out.strip().splitlines()
        try:
            report = json.loads(lines[-1])
        except (IndexError, ValueError):
            raise ProbeFailed(
                f"{_name(self.process)} exited {self.process.returncode} without a report: {_tail(err)}"
            ) from None
        if "error" in report:
            raise ProbeFailed(f"{_name(self.process)}: {report['error']}")
        return report, exited


def start(args: list[str], env: dict[str, str], stdin: str = "") -> Probe:
    """Start `python ARGS` in the repository root; `stdin` (keys never go on a command line) is
    handed over by `Probe.finish`."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Probe(process, started, stdin)


def run(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[dict, float, float]:
    """Start a probe and wait for it: (report, started, exited)."""
    probe = start(args, env, stdin)
    report, exited = probe.finish()
    return report, probe.started, exited


def _name(process: subprocess.Popen) -> str:
    return " ".join(str(arg) for arg in process.args[1:4])


def _tail(text: str, lines: int = 8) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "(no stderr)"
