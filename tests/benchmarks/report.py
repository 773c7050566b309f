"""The benchmark table: each figure beside its baseline and target, and its verdict.

Kept apart from the measuring so that the arithmetic deciding PASS or FAIL
can be unit-tested without timing anything (tests/test_benchmark_report.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PASS, FAIL, SKIPPED, REPORTED = "PASS", "FAIL", "not yet measurable", "reported"


@dataclass(frozen=True)
class Target:
    """At most `limit`: of the ratio to the baseline, or of the measured value itself; None: reported only."""

    limit: float | None
    of_ratio: bool

    @classmethod
    def ratio_at_most(cls, limit: float) -> Target:
        return cls(limit, of_ratio=True)

    @classmethod
    def at_most(cls, limit: float) -> Target:
        return cls(limit, of_ratio=False)

    @classmethod
    def none(cls) -> Target:
        """A figure shown for what it tells, with its ratio, and judged by nothing (never fails a run)."""
        return cls(None, of_ratio=True)

    def describe(self, unit: str) -> str:
        if self.limit is None:
            return "—"
        return f"ratio ≤ {self.limit:g}" if self.of_ratio else f"≤ {self.limit:g} {unit}"


@dataclass(frozen=True)
class Row:
    """One figure of the table. `value` is None for a figure that cannot be measured yet."""

    figure: str
    unit: str
    target: Target
    value: float | None = None
    baseline: float | None = None
    note: str = ""
    pair_ratio: float | None = None
    """The median of the per-turn ratios (measure.Turns.row); the ratio of the two medians without it."""
    cpu: float | None = None
    baseline_cpu: float | None = None
    """Median CPU time (user + system, ms) of the subject's and the baseline's processes, where they ran apart."""

    @classmethod
    def not_yet_measurable(cls, figure: str, unit: str, target: Target, why: str) -> Row:
        return cls(figure, unit, target, note=why)

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.baseline is None:
            return None
        if self.baseline <= 0:
            raise ValueError(f"{self.figure}: a baseline of {self.baseline} {self.unit} makes no ratio")
        return self.pair_ratio if self.pair_ratio is not None else self.value / self.baseline

    @property
    def verdict(self) -> str:
        if self.value is None:
            return SKIPPED
        if self.target.limit is None:
            return REPORTED
        if self.target.of_ratio and self.ratio is None:
            raise ValueError(f"{self.figure}: a ratio target needs a baseline")
        measured = self.ratio if self.target.of_ratio else self.value
        return PASS if measured <= self.target.limit else FAIL


HEADERS = ("figure", "measured", "baseline", "ratio", "CPU: measured / baseline", "target", "result")


def cells(row: Row) -> tuple[str, ...]:
    ratio = row.ratio
    cpu = "—" if row.cpu is None or row.baseline_cpu is None else f"{row.cpu:.0f} / {row.baseline_cpu:.0f} ms"
    return (
        row.figure,
        _amount(row.value, row.unit),
        _amount(row.baseline, row.unit),
        "—" if ratio is None else f"{ratio:.3f}",
        cpu,
        row.target.describe(row.unit),
        row.verdict,
    )


def plain_table(rows: Sequence[Row]) -> str:
    """The table in aligned columns, for a terminal, followed by the rows' notes."""
    lines = [HEADERS, *(cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADERS))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text + _notes(rows))


def markdown_table(rows: Sequence[Row]) -> str:
    """The same table in Markdown, for the README."""
    lines = [HEADERS, tuple("---" for _ in HEADERS), *(cells(row) for row in rows)]
    return "\n".join(["| " + " | ".join(line) + " |" for line in lines] + _notes(rows))


def exit_code(rows: Sequence[Row]) -> int:
    """1 when any measured figure missed its target; figures not yet measurable do not count."""
    return 1 if any(row.verdict == FAIL for row in rows) else 0


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} {unit}" if value >= 100 or float(value).is_integer() else f"{value:.1f} {unit}"


def _notes(rows: Sequence[Row]) -> list[str]:
    notes = [f"- {row.figure}: {row.note}" for row in rows if row.note]
    return ["", *notes] if notes else []
