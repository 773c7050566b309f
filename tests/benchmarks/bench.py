"""What every figure is measured with: one sandbox, one throwaway home, how many runs, and the probes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lsdesk.sandbox import DEMO_KEY, SandboxServer
from tests.benchmarks.processes import Home, Probe, start

LSDESK_WINDOW = "tests.benchmarks.probes.lsdesk_window"
BARE_WINDOW = "tests.benchmarks.probes.bare_window"


@dataclass
class Bench:
    sandbox: SandboxServer
    home: Home
    runs: int
    _census: dict[str, int] | None = field(default=None, repr=False)

    def reset(self) -> None:
        """Every figure starts from a well-behaved sandbox and the demo key saved."""
        self.sandbox.faults.reset()
        self.home.save_keys({"default": DEMO_KEY})

    def lsdesk_window(self, mode: str, stdin: str = "") -> Probe:
        return start(["-m", LSDESK_WINDOW, mode, self.sandbox.api_url], self.home.environment(), stdin)

    def bare_window(self, mode: str, argument: str, stdin: str = "") -> Probe:
        return start(["-m", BARE_WINDOW, mode, argument], self.home.environment(), stdin)

    @property
    def census(self) -> dict[str, int]:
        """The lsdesk window's widgets by Qt class, which the bare window copies."""
        if self._census is None:
            report, _exited = self.lsdesk_window("startup").finish()
            self._census = report["census"]
        return self._census

    @property
    def census_json(self) -> str:
        return json.dumps(self.census)
