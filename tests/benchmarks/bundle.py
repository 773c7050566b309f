"""Figure 8: the one-folder bundle (dist/lsdesk/, README "Building lsdesk") against the installed lsdesk.

Both are started the same way, as an admin starts them: the program itself, not through this interpreter. The
window opens on its sandbox (`--sandbox`: no keyring, its own practice Lessonspace in the process) and writes the
moment it had been drawn to the file named by LSDESK_REPORT_FIRST_PAINT; it is then ended with SIGTERM, as a
desktop that signs out ends it. The command line checks the demo key against the benchmark's sandbox.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsdesk.gui.app import FIRST_PAINT_REPORT
from lsdesk.sandbox import DEMO_KEY
from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import alternate
from tests.benchmarks.processes import PROBE_TIMEOUT, REPO, ProbeFailed
from tests.benchmarks.report import Row, Target

BUNDLE = REPO / "dist" / "lsdesk" / "lsdesk"
# The console script pip made for this interpreter's lsdesk (.venv/bin/lsdesk).
INSTALLED = Path(sys.executable).with_name("lsdesk.exe" if sys.platform == "win32" else "lsdesk")
NOT_BUILT = f"There is no bundle in {BUNDLE.parent}: build it first (README, Building lsdesk), then measure it."


def built() -> bool:
    return BUNDLE.is_file() and os.access(BUNDLE, os.X_OK)


def measure(bench: Bench) -> list[Row]:
    if not built():
        raise ProbeFailed(NOT_BUILT)
    # Both read the same environment; keys stay out of every keyring (the sandbox window keeps its own in memory,
    # the check reads its key from stdin), so the benchmark's own keyring, which the bundle cannot import, is out.
    env = bench.home.environment()
    for name in ("PYTHON_KEYRING_BACKEND", "LSDESK_BENCHMARK_KEYRING"):
        env.pop(name)
    check = ["check", "--key-stdin", "--json", "--api-url", bench.sandbox.api_url]

    paints = alternate(bench.runs, lambda: first_paint_ms(BUNDLE, env), lambda: first_paint_ms(INSTALLED, env))
    checks = alternate(bench.runs, lambda: check_ms(BUNDLE, check, env), lambda: check_ms(INSTALLED, check, env))
    qt_libraries = libraries_opened(BUNDLE, check, env, r"libQt6\w*\.so")
    return [
        paints.row(
            "8. bundle: window start-up to first paint",
            "ms",
            Target.ratio_at_most(1.05),
            note=f"`dist/lsdesk/lsdesk --sandbox` against the installed `lsdesk --sandbox`, from spawn to the "
            f"window drawn; {bench.runs} turns",
        ),
        checks.row(
            "8. bundle: command line: lsdesk check",
            "ms",
            Target.ratio_at_most(1.5),
            note=f"`dist/lsdesk/lsdesk check --key-stdin --json` against the installed `lsdesk check ...`, "
            f"from spawn to exit; {bench.runs} turns",
        ),
        Row(
            "8. bundle: Qt libraries its command line opens",
            "libraries",
            Target.at_most(0),
            len(qt_libraries),
            note=("opened " + ", ".join(sorted(qt_libraries))) if qt_libraries else "read from the dynamic linker",
        ),
    ]


def first_paint_ms(program: Path, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory(prefix="lsdesk-first-paint-") as folder:
        report, said = Path(folder) / "painted", Path(folder) / "stderr"
        with said.open("w", encoding="utf-8") as stderr:
            started = time.monotonic()
            process = subprocess.Popen(
                [str(program), "--sandbox"],
                env={**env, FIRST_PAINT_REPORT: str(report)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            try:
                while not report.is_file() or not report.read_text(encoding="utf-8").endswith("\n"):
                    if process.poll() is not None or time.monotonic() > started + PROBE_TIMEOUT:
                        raise ProbeFailed(f"{program} --sandbox never drew its window: {said.read_text()[-400:]}")
                    time.sleep(0.002)
                painted = float(report.read_text(encoding="utf-8"))
            finally:
                process.send_signal(signal.SIGTERM)  # ends it as Quit does, or as the default where it runs no loop
                try:
                    process.wait(timeout=PROBE_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    return (painted - started) * 1000


def check_ms(program: Path, check: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    answer = subprocess.run(
        [str(program), *check], env=env, input=DEMO_KEY + "\n", capture_output=True, text=True, timeout=PROBE_TIMEOUT
    )
    exited = time.monotonic()
    if answer.returncode != 0 or '"state": "valid"' not in answer.stdout:
        raise ProbeFailed(f"{program} check exited {answer.returncode}: {answer.stdout[-300:]} {answer.stderr[-300:]}")
    return (exited - started) * 1000


def libraries_opened(program: Path, command: list[str], env: dict[str, str], pattern: str) -> set[str]:
    """The libraries matching `pattern` that the dynamic linker opens for one run (LD_DEBUG=files, glibc's)."""
    answer = subprocess.run(
        [str(program), *command],
        env={**env, "LD_DEBUG": "files"},
        input=DEMO_KEY + "\n",
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
    )
    opened = set(re.findall(r"file=(\S+)", answer.stderr))
    if not opened:
        raise ProbeFailed(f"{program}: the dynamic linker reported nothing (LD_DEBUG needs glibc)")
    return {Path(path).name for path in opened if re.search(pattern, path)}
