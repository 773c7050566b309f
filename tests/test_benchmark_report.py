"""The benchmark table's arithmetic: what passes, what fails, what is left out.

Nothing here is timed; the benchmarks themselves run with `python -m tests.benchmarks`.
"""

from __future__ import annotations

import pytest

from tests.benchmarks.measure import Turns, alternate
from tests.benchmarks.report import (
    FAIL,
    PASS,
    REPORTED,
    SKIPPED,
    Row,
    Target,
    exit_code,
    markdown_table,
    plain_table,
)

RATIO = Target.ratio_at_most(1.15)
ABSOLUTE = Target.at_most(25)


def test_a_ratio_at_the_limit_passes_and_just_above_fails():
    assert Row("start-up", "ms", RATIO, value=115, baseline=100).verdict == PASS
    assert Row("start-up", "ms", RATIO, value=115.1, baseline=100).verdict == FAIL


def test_an_absolute_target_judges_the_value_not_the_ratio():
    # Three times the idle baseline, but within 25 ms: a pass.
    assert Row("gap", "ms", ABSOLUTE, value=24, baseline=8).verdict == PASS
    assert Row("gap", "ms", ABSOLUTE, value=26).verdict == FAIL


def test_a_ratio_target_without_a_usable_baseline_is_an_error_not_a_pass():
    with pytest.raises(ValueError, match="needs a baseline"):
        _ = Row("start-up", "ms", RATIO, value=100).verdict
    with pytest.raises(ValueError, match="no ratio"):
        _ = Row("start-up", "ms", RATIO, value=100, baseline=0).verdict


def test_a_reported_figure_shows_its_ratio_and_never_fails_the_run():
    reported = Row("6. real world", "MiB", Target.none(), value=180, baseline=100)
    assert reported.verdict == REPORTED
    assert exit_code([reported]) == 0
    assert "| 6. real world | 180 MiB | 100 MiB | 1.800 | — | — | reported |" in markdown_table([reported])


def test_only_a_missed_target_makes_the_run_fail():
    passing = Row("a", "ms", RATIO, value=100, baseline=100)
    pending = Row.not_yet_measurable("b", "ms", RATIO, "not built yet")
    failing = Row("c", "MiB", RATIO, value=130, baseline=100)
    assert pending.verdict == SKIPPED
    assert exit_code([passing, pending]) == 0
    assert exit_code([passing, pending, failing]) == 1


def test_the_tables_show_each_figure_its_ratio_verdict_and_notes():
    rows = [
        Row("1. start-up", "ms", RATIO, value=120, baseline=100, note="median of 7"),
        Row.not_yet_measurable("7. growth", "ms", Target.ratio_at_most(1.1), "no history yet"),
    ]
    plain = plain_table(rows)
    assert "1. start-up  120 ms    100 ms    1.200  —                         ratio ≤ 1.15" in plain
    assert "FAIL" in plain and SKIPPED in plain
    assert "- 7. growth: no history yet" in plain
    assert "| 1. start-up | 120 ms | 100 ms | 1.200 | — | ratio ≤ 1.15 | FAIL |" in markdown_table(rows)


def test_the_ratio_is_the_median_of_the_turns_ratios_and_cpu_time_is_shown_beside_it():
    # A burst of load on the baseline's second turn: the medians of the two sides would say 1.25, the turns 1.1.
    turns = Turns(
        subject=[110.0, 120.0, 125.0],
        baseline=[100.0, 200.0, 100.0],
        subject_cpu_ms=[80.0, 90.0, 85.0],
        baseline_cpu_ms=[60.0, 70.0, 65.0],
    )
    row = turns.row("1. start-up", "ms", RATIO, note="")
    assert (row.value, row.baseline) == (120.0, 100.0)
    assert row.ratio == pytest.approx(1.1)
    assert row.verdict == PASS
    assert "| 1. start-up | 120 ms | 100 ms | 1.100 | 85 / 65 ms | ratio ≤ 1.15 | PASS |" in markdown_table([row])
    # Measured in this process, no child ran: no CPU time to show.
    in_process = Turns([1.0], [1.0], [0.0], [0.0]).row("3. latency", "ms", RATIO, note="")
    assert in_process.cpu is None and "| 1.000 | — |" in markdown_table([in_process])


def test_subject_and_baseline_take_turns_after_an_unrecorded_warm_up():
    calls = []

    def subject():
        calls.append("S")
        return len(calls)

    def baseline():
        calls.append("B")
        return len(calls)

    subjects, baselines = alternate(3, subject, baseline)
    assert "".join(calls) == "SB" + "SB" + "BS" + "SB"
    assert subjects == [3, 6, 7] and baselines == [4, 5, 8]
