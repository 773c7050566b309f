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
    """This process's peak resident memory so far.

    On Linux, the kernel's high-water mark of this program's own memory (VmHWM), not ru_maxrss: ru_maxrss
    survives exec, so a probe spawned by a benchmark process bigger than itself would report the benchmark's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # in kB
    except OSError:
        pass
    scale = 1 if sys.platform != "darwin" else 1 / 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024
