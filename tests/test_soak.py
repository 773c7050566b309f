"""A small soak in the normal run; `python -m tests.reliability soak` is the full one (see README).

The full soak's targets (no growth in threads or open files, memory growth
under 5%, no failed operation) hold here too, but for memory: a few dozen
operations say nothing about it, so it is only reported.
"""

from __future__ import annotations

import sys
import tempfile

import pytest

from tests.reliability.soak import run_soak

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts through /proc/self")


def test_a_short_soak_leaves_no_threads_open_files_failed_operations_or_folders(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the soak's own folder goes
    # Unpaced, and with few profiles: the pacing has its own tests (tests/test_security.py).
    report = run_soak(checks=60, rotations=6, check_profiles=12, rotation_profiles=3, warm_up=12, min_check_interval=0)
    assert report.misses(check_memory=False) == [], "\n".join(report.lines())
    assert list(tmp_path.iterdir()) == []  # before: every soak left its journal and history in /tmp
