"""Figure 3: one full check (key valid, organisation known) against one raw httpx request,
with the sandbox taking 300 ms over every answer.

hello/ and my-organisation/ go out side by side, so a check should cost one
round trip; paid one after the other, this ratio would be about 2.
"""

from __future__ import annotations

import time

import httpx

from lsdesk.core.client import LessonspaceClient
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY
from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import alternate
from tests.benchmarks.processes import ProbeFailed
from tests.benchmarks.report import Row, Target

DELAY = 0.3


def measure(bench: Bench) -> list[Row]:
    api_url = bench.sandbox.api_url
    bench.sandbox.faults.delay = DELAY

    def full_check() -> float:
        with LessonspaceClient(api_url) as client:
            started = time.monotonic()
            result = client.check(DEMO_KEY)
            took = time.monotonic() - started
        if result.state is not State.VALID or result.organisation is None:
            raise ProbeFailed(f"the check found {result.state.value}, organisation {result.organisation}")
        return took * 1000

    def raw_request() -> float:
        with httpx.Client() as http:
            started = time.monotonic()
            response = http.get(api_url + "hello/", headers={"Authorization": f"Organisation {DEMO_KEY}"})
            took = time.monotonic() - started
        if response.status_code != 200:
            raise ProbeFailed(f"the raw request answered {response.status_code}")
        return took * 1000

    return [
        alternate(bench.runs, full_check, raw_request).row(
            "3. check latency",
            "ms",
            Target.ratio_at_most(1.10),
            note=f"LessonspaceClient.check (hello/ and my-organisation/) against one httpx GET of hello/, "
            f"the sandbox adding {DELAY * 1000:.0f} ms to each answer; fresh connections; {bench.runs} turns",
        )
    ]
