"""Figure 4: the longest the GUI thread goes without a tick of its 5 ms timer while each
operation runs against a sandbox that takes 3 s to answer.

The baseline is the same timer in the bare PySide6 window sitting idle: what
this machine does to a 5 ms timer with nothing else going on.
"""

from __future__ import annotations

from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import median
from tests.benchmarks.processes import ProbeFailed
from tests.benchmarks.report import Row, Target

DELAY = 3.0
TARGET_MS = 20
OPERATIONS = ("check at start-up", "check again", "save", "rotation")


def measure(bench: Bench) -> list[Row]:
    runs = max(1, min(bench.runs, 7))  # each run takes a quarter of a minute; the target is a bound, not a ratio
    census_json = bench.census_json
    bench.sandbox.faults.delay = DELAY
    gaps: dict[str, list[float]] = {name: [] for name in OPERATIONS}
    not_measured: dict[str, str] = {}
    idle: list[float] = []
    for _run in range(runs):
        save_key, rotate_key = bench.sandbox.generate_key(), bench.sandbox.generate_key()
        report, _exited = bench.lsdesk_window("responsiveness", f"{save_key}\n{rotate_key}\n").finish()
        if report["results"] != {"check": "valid", "save": "valid", "rotation": "valid"}:
            raise ProbeFailed(f"an operation did not go through: {report['results']}, {report['not_measured']}")
        for name, gap in report["gaps_ms"].items():
            gaps[name].append(gap)
        not_measured.update(report["not_measured"])
        idle_report, _exited = bench.bare_window("idle", str(DELAY), census_json).finish()
        idle.append(idle_report["longest_gap_ms"])

    rows = []
    for name in OPERATIONS:
        figure = f"4. responsiveness: {name}"
        if not gaps[name]:
            why = not_measured.get(name, "the probe did not get to it")
            rows.append(Row.not_yet_measurable(figure, "ms", Target.at_most(TARGET_MS), why))
            continue
        note = (
            f"the longest gap between ticks of a 5 ms timer on the GUI thread while the operation ran, the sandbox "
            f"taking {DELAY:.0f} s to answer; median of {runs} runs; baseline: the bare window sitting idle"
            if not rows
            else ""
        )
        rows.append(Row(figure, "ms", Target.at_most(TARGET_MS), median(gaps[name]), median(idle), note=note))
    return rows
