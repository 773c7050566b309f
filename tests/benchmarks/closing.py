"""Figure 5: closing the window while a request hangs, until the process has exited."""

from __future__ import annotations

import signal
import time

from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import median
from tests.benchmarks.processes import ProbeFailed
from tests.benchmarks.report import Row, Target

HANG = 60.0
TARGET_MS = 500


def measure(bench: Bench) -> list[Row]:
    bench.sandbox.faults.delay = HANG
    times = [close_during_hung_check(bench) for _run in range(bench.runs)]
    return [
        Row(
            "5. close during a hung request",
            "ms",
            Target.at_most(TARGET_MS),
            median(times),
            note=f"from the window's close to the process's exit, both check requests hanging; "
            f"median of {bench.runs} runs",
        )
    ]


def close_during_hung_check(bench: Bench) -> float:
    before = bench.sandbox.request_count
    probe = bench.lsdesk_window("close")
    deadline = time.monotonic() + 30
    # hello/ and my-organisation/ both in flight
    while bench.sandbox.request_count < before + 2:
        if probe.process.poll() is not None or time.monotonic() > deadline:
            probe.process.kill()
            _out, err = probe.process.communicate()
            raise ProbeFailed(f"the window never sent its check: {err.strip()[-500:]}")
        time.sleep(0.01)
    probe.process.send_signal(signal.SIGUSR1)
    report, exited = probe.finish()
    return (exited - report["closed_at"]) * 1000
