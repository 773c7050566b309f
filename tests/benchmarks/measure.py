"""Running a subject and its baseline in turn, and keeping the median.

On a small, shared machine a burst of load can land on any run. Taking
turns (subject, baseline, baseline, subject, ...) spreads such bursts over
both sides alike, one unrecorded warm-up of each means neither pays alone
for a cold file cache, and the median ignores the odd outlier.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import median
from typing import TypeVar

T = TypeVar("T")

__all__ = ["alternate", "median"]


def alternate(runs: int, subject: Callable[[], T], baseline: Callable[[], T]) -> tuple[list[T], list[T]]:
    """Run each `runs` times, in turns, after one warm-up of each; returns both lists of results."""
    subject()
    baseline()
    subjects: list[T] = []
    baselines: list[T] = []
    for turn in range(runs):
        if turn % 2 == 0:
            subjects.append(subject())
            baselines.append(baseline())
        else:
            baselines.append(baseline())
            subjects.append(subject())
    return subjects, baselines
