"""Figure 2: `lsdesk check --key-stdin --json` from spawn to exit, against the floor of what it must do: a
process that sets up httpx with a truststore SSL context, as lsdesk does, and makes one request."""

from __future__ import annotations

import json

from lsdesk.sandbox import DEMO_KEY
from tests.benchmarks.bench import Bench
from tests.benchmarks.measure import alternate
from tests.benchmarks.processes import ProbeFailed, run
from tests.benchmarks.report import Row, Target

BARE_REQUEST = "tests.benchmarks.probes.bare_request"

# Runs the command line as `python -m lsdesk` does, then says which Qt modules got imported.
QT_IMPORTS = """
import io, json, sys
from contextlib import redirect_stdout
from lsdesk import main
with redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
qt_modules = sorted(name for name in sys.modules if name.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"qt_modules": qt_modules}))
"""


def measure(bench: Bench) -> list[Row]:
    env = bench.home.environment()
    api_url = bench.sandbox.api_url
    check = ["check", "--key-stdin", "--json", "--api-url", api_url]
    key = DEMO_KEY + "\n"

    def command_line() -> float:
        report, started, exited = run(["-m", "lsdesk", *check], env, key)
        if report.get("state") != "valid":
            raise ProbeFailed(f"lsdesk check answered {report}")
        return (exited - started) * 1000

    def one_request() -> float:
        report, started, exited = run(["-m", BARE_REQUEST, api_url], env, key)
        if report.get("status") != 200:
            raise ProbeFailed(f"the baseline request answered {report}")
        return (exited - started) * 1000

    turns = alternate(bench.runs, command_line, one_request)
    qt_modules = run(["-c", QT_IMPORTS, *check], env, key)[0]["qt_modules"]
    return [
        turns.row(
            "2. command line: lsdesk check",
            "ms",
            Target.ratio_at_most(1.20),
            note=f"`python -m lsdesk check --key-stdin --json` from spawn to exit, against httpx with a truststore "
            f"SSL context making one request; {bench.runs} turns",
        ),
        Row(
            "2. command line: Qt modules imported",
            "modules",
            Target.at_most(0),
            len(qt_modules),
            note=("imported " + json.dumps(qt_modules)) if qt_modules else "",
        ),
    ]
