"""What a probe tells the benchmark: one JSON line on stdout, then it leaves."""

from __future__ import annotations

import json
import resource
import sys


def report(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def fail(message: str) -> None:
    report(error=message)


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    scale = 1 if sys.platform != "darwin" else 1 / 1024  # bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024
