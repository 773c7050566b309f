"""Figures 1, 6 and 7: the window's start-up and memory against a bare PySide6 window,
and its start-up with a long history on disk against an empty one."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
from lsdesk.core.paths import APP_NAME
from lsdesk.sandbox import DEMO_KEY
from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import alternate
from tests.benchmarks.processes import Probe
from tests.benchmarks.report import Row, Target

HISTORY_ENTRIES = 100_000
PROFILES = 5


# Figure 1 and its floor, figure 6 and its floor: each floor is judged by its figure's own target.
STARTUP_TARGET = Target.ratio_at_most(1.25)
MEMORY_TARGET = Target.ratio_at_most(1.45)


def finished(probe: Probe) -> dict:
    """A window probe's report, with `paint_ms`: its first paint, counted from its spawn."""
    report, _exited = probe.finish()
    return {**report, "paint_ms": (report["first_paint"] - probe.started) * 1000}


def startup_and_memory(bench: Bench) -> list[Row]:
    census = bench.census
    turns = alternate(
        bench.runs,
        lambda: finished(bench.lsdesk_window("startup")),
        lambda: finished(bench.bare_window("startup", bench.census_json)),
    )
    floors = alternate(
        bench.runs,
        lambda: finished(bench.bare_window("floor", bench.census_json)),
        lambda: finished(bench.bare_window("startup", bench.census_json)),
    )
    subject, baseline = turns
    widgets = (
        f"{sum(census.values())} widgets ({subject[0]['widgets']} and {baseline[0]['widgets']} with Qt's own parts)"
    )
    return [
        turns.row(
            "1. window start-up to first paint",
            "ms",
            STARTUP_TARGET,
            note=f"from spawning the process to the window's first Paint event; {bench.runs} turns; "
            f"the baseline is a bare PySide6 window with the same {widgets}; CPU: the whole run, first check included",
            value=lambda run: run["paint_ms"],
        ),
        floors.row(
            "1. floor: bare window touching a Qt enum and the contrast setting",
            "ms",
            STARTUP_TARGET,
            note="the least any PySide6 window like lsdesk's pays: the bare window, touching one `Qt.` enum (which "
            "builds the whole Qt namespace) and reading the contrast preference before its first paint",
            value=lambda run: run["paint_ms"],
        ),
        floors.row(
            "6. floor: bare window loading httpx, truststore and keyring",
            "MiB",
            MEMORY_TARGET,
            note="the bare window loading, after its first paint, what a check needs",
            value=lambda run: run["peak_rss_mib"],
            with_cpu=False,
        ),
        turns.row(
            "6. peak memory",
            "MiB",
            MEMORY_TARGET,
            note="peak resident memory (VmHWM on Linux): lsdesk's once its first check finished, "
            "the bare window's once it painted",
            value=lambda run: run["peak_rss_mib"],
            with_cpu=False,
        ),
    ]


def real_world_memory(bench: Bench) -> list[Row]:
    from tests.benchmarks.real_world import memory  # needs cryptography, for its certificate

    return memory(bench)


def growth(bench: Bench) -> list[Row]:
    many = bench.home.root / f"history-{HISTORY_ENTRIES}.jsonl"
    write_history(many, HISTORY_ENTRIES)
    history = bench.home.history_file
    history.parent.mkdir(parents=True, exist_ok=True)

    def first_paint_ms() -> float:
        return finished(bench.lsdesk_window("startup"))["paint_ms"]

    organisations = {"default": DEMO_KEY} | {f"branch-{n}": bench.sandbox.generate_key() for n in range(1, PROFILES)}
    # lsdesk knows a profile by the dates it noted for its key (lsdesk/core/profiles.py), as after a save.
    key_dates = bench.home.root / "state" / APP_NAME / KEY_DATES_FOLDER

    def long_history() -> float:
        shutil.copyfile(many, history)  # afresh each time: lsdesk trims a long history after a check
        bench.home.save_keys(organisations)
        for profile, key in organisations.items():
            KeyDates(key_dates).saved(profile, key[-4:])
        return first_paint_ms()

    def no_history() -> float:
        history.unlink(missing_ok=True)
        shutil.rmtree(key_dates, ignore_errors=True)
        bench.home.save_keys({"default": DEMO_KEY})
        return first_paint_ms()

    return [
        alternate(bench.runs, long_history, no_history).row(
            f"7. growth: start-up with {HISTORY_ENTRIES:,} history entries and {PROFILES} profiles",
            "ms",
            Target.ratio_at_most(1.05),
            note=f"first paint, History list filled, with {many.stat().st_size / 2**20:.0f} MiB of history on disk "
            f"and {PROFILES} saved profiles against no history and one; {bench.runs} turns",
        )
    ]


def write_history(path, entries: int) -> None:
    """`entries` lines as lsdesk's History writes them, one check an hour, newest last."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with open(path, "w", encoding="utf-8") as file:
        for number in range(entries):
            at = start + timedelta(hours=number)
            line = {
                "at": at.isoformat(timespec="seconds"),
                "action": "check",
                "state": "valid",
                "organisation_id": 4242,
                "key_ending": "6e80",
                "profile": "default",
            }
            file.write(json.dumps(line) + "\n")
