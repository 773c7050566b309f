"""Running a subject and its baseline in turn, and keeping the median.

On a small, shared machine a burst of load can land on any run. Taking
turns (subject, baseline, baseline, subject, ...) spreads such bursts over
both sides alike, one unrecorded warm-up of each means neither pays alone
for a cold file cache, and the median ignores the odd outlier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from statistics import median
from typing import Generic, TypeVar

from tests.benchmarks.report import Row, Target

T = TypeVar("T")

__all__ = ["Turns", "alternate", "median"]


@dataclass
class Turns(Generic[T]):
    """What `alternate` measured: each side's results in the order of the turns (turn i of the subject ran beside
    turn i of the baseline), and the CPU time the child processes of each turn used."""

    subject: list[T] = field(default_factory=list)
    baseline: list[T] = field(default_factory=list)
    subject_cpu_ms: list[float] = field(default_factory=list)
    baseline_cpu_ms: list[float] = field(default_factory=list)

    def __iter__(self) -> Iterator[list[T]]:  # subject, baseline = alternate(...)
        return iter((self.subject, self.baseline))

    def row(
        self,
        figure: str,
        unit: str,
        target: Target,
        note: str,
        value: Callable[[T], float] = float,
        *,
        with_cpu: bool = True,
    ) -> Row:
        """The figure: each side's median, and as its ratio the median of the turns' own ratios, so that a burst
        of load on one turn moves one ratio instead of one side's median."""
        subject = [value(result) for result in self.subject]
        baseline = [value(result) for result in self.baseline]
        pairs = [one / other for one, other in zip(subject, baseline, strict=True)]
        return Row(
            figure,
            unit,
            target,
            median(subject),
            median(baseline),
            note=note,
            pair_ratio=median(pairs),
            cpu=_median_cpu(self.subject_cpu_ms) if with_cpu else None,
            baseline_cpu=_median_cpu(self.baseline_cpu_ms) if with_cpu else None,
        )


def alternate(runs: int, subject: Callable[[], T], baseline: Callable[[], T]) -> Turns[T]:
    """Run each `runs` times, in turns, after one warm-up of each; returns what both measured, turn by turn."""
    subject()
    baseline()
    turns: Turns[T] = Turns()
    for turn in range(runs):
        order = (subject, baseline) if turn % 2 == 0 else (baseline, subject)
        for side in order:
            before = children_cpu_ms()
            result = side()
            used = children_cpu_ms() - before
            if side is subject:
                turns.subject.append(result)
                turns.subject_cpu_ms.append(used)
            else:
                turns.baseline.append(result)
                turns.baseline_cpu_ms.append(used)
    return turns


def children_cpu_ms() -> float:
    """User and system time of the child processes that have ended so far (probes run one at a time, so the change
    across one run is that run's)."""
    try:
        import resource  # Unix only: on Windows the CPU column stays empty
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _median_cpu(values: list[float]) -> float | None:
    """None for a figure measured in this process (no child ran), which has no CPU time of its own to show."""
    return median(values) if any(values) else None
