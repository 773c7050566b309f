"""Figures 1, 6 and 7: the window's start-up and memory against a bare PySide6 window,
and its start-up with a long history on disk against an empty one."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import alternate, median
from tests.benchmarks.report import Row, Target

HISTORY_ENTRIES = 100_000


def startup_and_memory(bench: Bench) -> list[Row]:
    census = bench.census

    def lsdesk_window() -> dict:
        probe = bench.lsdesk_window("startup")
        report, _exited = probe.finish()
        return {**report, "paint_ms": (report["first_paint"] - probe.started) * 1000}

    def bare_window() -> dict:
        probe = bench.bare_window("startup", bench.census_json)
        report, _exited = probe.finish()
        return {**report, "paint_ms": (report["first_paint"] - probe.started) * 1000}

    subject, baseline = alternate(bench.runs, lsdesk_window, bare_window)
    widgets = (
        f"{sum(census.values())} widgets ({subject[0]['widgets']} and {baseline[0]['widgets']} with Qt's own parts)"
    )
    return [
        Row(
            "1. window start-up to first paint",
            "ms",
            Target.ratio_at_most(1.15),
            median(run["paint_ms"] for run in subject),
            median(run["paint_ms"] for run in baseline),
            note=f"from spawning the process to the window's first Paint event; median of {bench.runs} runs each; "
            f"the baseline is a bare PySide6 window with the same {widgets}",
        ),
        Row(
            "6. peak memory",
            "MiB",
            Target.ratio_at_most(1.2),
            median(run["peak_rss_mib"] for run in subject),
            median(run["peak_rss_mib"] for run in baseline),
            note="peak resident memory (ru_maxrss): lsdesk's once its first check finished, "
            "the bare window's once it painted",
        ),
    ]


def growth(bench: Bench) -> list[Row]:
    many = bench.home.root / f"history-{HISTORY_ENTRIES}.jsonl"
    write_history(many, HISTORY_ENTRIES)
    history = bench.home.history_file
    history.parent.mkdir(parents=True, exist_ok=True)

    def first_paint_ms() -> float:
        probe = bench.lsdesk_window("startup")
        report, _exited = probe.finish()
        return (report["first_paint"] - probe.started) * 1000

    def long_history() -> float:
        shutil.copyfile(many, history)  # afresh each time: lsdesk trims a long history after a check
        return first_paint_ms()

    def no_history() -> float:
        history.unlink(missing_ok=True)
        return first_paint_ms()

    subject, baseline = alternate(bench.runs, long_history, no_history)
    return [
        Row(
            f"7. growth: start-up with {HISTORY_ENTRIES:,} history entries",
            "ms",
            Target.ratio_at_most(1.1),
            median(subject),
            median(baseline),
            note=f"first paint, History list filled, with {many.stat().st_size / 2**20:.0f} MiB of history on disk "
            f"against none; median of {bench.runs} runs each",
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
