"""`python -m tests.benchmarks [--runs N] [--markdown] [FIGURE ...]`

Measures lsdesk's performance figures, each against a baseline in the same
run, prints the table, and exits 1 when a figure misses its target.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Callable

from lsdesk.sandbox import SandboxServer
from tests.benchmarks import bundle, check_latency, cli_startup, closing, responsiveness, window_startup
from tests.benchmarks.bench import Bench
from tests.benchmarks.processes import REPO, Home
from tests.benchmarks.report import Row, exit_code, markdown_table, plain_table

# On a small, noisy machine 11 turns resolve about 0.1 of a ratio; 21 about half that.
RUNS = 21
FIGURES: dict[str, Callable[[Bench], list[Row]]] = {
    "startup": window_startup.startup_and_memory,
    "cli": cli_startup.measure,
    "latency": check_latency.measure,
    "responsiveness": responsiveness.measure,
    "close": closing.measure,
    "growth": window_startup.growth,
    "real-world": window_startup.real_world_memory,
    "bundle": bundle.measure,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[1])
    parser.add_argument(
        "figures", nargs="*", metavar="FIGURE", help=f"measure only these: {', '.join(FIGURES)} (default: all)"
    )
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"turns of subject and baseline per figure (default {RUNS})"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    args = parser.parse_args(argv)
    unknown = set(args.figures) - FIGURES.keys()
    if unknown:
        parser.error(f"no such figure: {', '.join(sorted(unknown))}")

    figures = args.figures or [name for name in FIGURES if name != "bundle" or bundle.built()]
    if "bundle" in args.figures and not bundle.built():
        print(bundle.NOT_BUILT, file=sys.stderr)
        return 2
    if "bundle" not in figures:
        print(f"not measuring the bundle: {bundle.NOT_BUILT}", file=sys.stderr)
    compile_sources()

    rows: list[Row] = []
    home = Home()
    try:
        with SandboxServer() as sandbox:
            bench = Bench(sandbox, home, args.runs)
            for name in figures:
                print(f"measuring {name}...", file=sys.stderr, flush=True)
                bench.reset()
                rows += FIGURES[name](bench)
    finally:
        home.close()
    rows.sort(key=lambda row: int(row.figure.split(".")[0]))
    print((markdown_table if args.markdown else plain_table)(rows))
    print(f"\nmeasured on: {machine()}")
    return exit_code(rows)


def compile_sources() -> None:
    """Byte-compile lsdesk and the probes, as pip does for what it installs: where PYTHONDONTWRITEBYTECODE is set,
    every start would otherwise compile lsdesk's modules afresh, a cost no installed lsdesk pays."""
    import compileall

    for package in ("lsdesk", "tests"):
        if not compileall.compile_dir(REPO / package, quiet=1):
            raise SystemExit(f"could not byte-compile {package}/")


def machine() -> str:
    from PySide6 import __version__ as pyside_version

    return (
        f"{os.cpu_count()} cores ({cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PySide6 {pyside_version}, Qt platform offscreen"
    )


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
