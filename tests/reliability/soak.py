"""The soak: many checks and rotations in one lsdesk process, watching what it holds.

lsdesk runs here through `KeyDesk`, as the window's worker does (one client
for the whole run, the history in a file, the rotation journal on disk),
with the real Secret Service when there is one. The sandbox runs in a
process of its own (`lsdesk sandbox`), so the threads, file descriptors and
memory counted here are lsdesk's alone.

Checks cycle through many profiles, so that with the client's pacing (one
check of a key a second) no check waits and every one also asks for its
organisation. Rotations cycle through a few profiles, each rotated in turn.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lsdesk.core.client import MIN_CHECK_INTERVAL, LessonspaceClient
from lsdesk.core.desk import KeyDesk
from lsdesk.core.history import History
from lsdesk.core.keystore import KeyStore, MemoryKeyStore, SystemKeyStore
from lsdesk.core.outcome import Outcome, State
from lsdesk.core.rotation import OldKey, RotationJournal, backup_slot, pending_slot

RSS_GROWTH_LIMIT = 0.05


@dataclass(frozen=True)
class Sample:
    threads: int
    open_fds: int
    rss_kib: int


def sample() -> Sample:
    """This process's threads (as the kernel counts them), open file descriptors and resident memory."""
    with open("/proc/self/status", encoding="ascii") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return Sample(len(os.listdir("/proc/self/task")), len(os.listdir("/proc/self/fd")), rss)


@dataclass
class SoakReport:
    checks: int
    rotations: int
    store: str
    before: Sample
    after: Sample
    seconds: float
    failures: list[str] = field(default_factory=list)

    @property
    def rss_growth(self) -> float:
        return (self.after.rss_kib - self.before.rss_kib) / self.before.rss_kib

    def misses(self, *, check_memory: bool = True) -> list[str]:
        """Targets missed: no more threads or descriptors, memory growth under 5%, no failed operation."""
        missed = []
        if self.after.threads > self.before.threads:
            missed.append(f"threads grew from {self.before.threads} to {self.after.threads}")
        if self.after.open_fds > self.before.open_fds:
            missed.append(f"open file descriptors grew from {self.before.open_fds} to {self.after.open_fds}")
        if check_memory and self.rss_growth >= RSS_GROWTH_LIMIT:
            missed.append(f"resident memory grew {self.rss_growth:.1%} (limit {RSS_GROWTH_LIMIT:.0%})")
        if self.failures:
            missed.append(f"{len(self.failures)} operations failed, first: {self.failures[0]}")
        return missed

    def lines(self) -> list[str]:
        b, a = self.before, self.after
        return [
            f"{self.checks} checks and {self.rotations} rotations in {self.seconds:.1f} s, key store: {self.store}",
            f"threads:               {b.threads} -> {a.threads}",
            f"open file descriptors: {b.open_fds} -> {a.open_fds}",
            f"resident memory:       {b.rss_kib / 1024:.1f} MiB -> {a.rss_kib / 1024:.1f} MiB ({self.rss_growth:+.1%})",
            f"failed operations:     {len(self.failures)}",
        ]


class SandboxProcess:
    """`lsdesk sandbox` in a process of its own, asked for keys over its control endpoint."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "lsdesk", "sandbox", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        first = self._process.stdout.readline()
        if not first.startswith("Sandbox Lessonspace API: "):
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {first!r}")
        self.api_url = first.split(": ", 1)[1].strip()
        self._base = self.api_url.removesuffix("v2/")

    def generate_key(self) -> str:
        request = urllib.request.Request(self._base + "sandbox/keys", data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["key"]

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(30)
        self._process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def real_store(service: str) -> KeyStore | None:
    """The Secret Service under `service`, or None when there is none to use."""
    from tests.keyring_fixtures import secret_service_problem

    if secret_service_problem() is not None:
        return None
    return SystemKeyStore(service=service)


def run_soak(
    *,
    checks: int = 1000,
    rotations: int = 100,
    check_profiles: int = 250,
    rotation_profiles: int = 20,
    warm_up: int = 50,
    store: KeyStore | None = None,
    min_check_interval: float = MIN_CHECK_INTERVAL,
    progress: Callable[[str], None] = lambda _text: None,
) -> SoakReport:
    """Run the soak; `store` defaults to an in-memory one. Entries it makes are removed at the end."""
    store = store or MemoryKeyStore()
    run = uuid.uuid4().hex[:8]
    checked = [f"soak-{run}-c{index}" for index in range(min(check_profiles, checks + warm_up))]
    rotated = [f"soak-{run}-r{index}" for index in range(rotation_profiles)]
    failures: list[str] = []

    with (
        tempfile.TemporaryDirectory(prefix="lsdesk-soak-") as scratch,  # the run's journal and history, then gone
        SandboxProcess() as sandbox,
        LessonspaceClient(sandbox.api_url, min_check_interval=min_check_interval) as client,
    ):
        journal = RotationJournal(Path(scratch) / "rotation")
        history = History(Path(scratch) / "history.jsonl")
        progress("making keys")
        for profile in checked + rotated:
            store.set(profile, sandbox.generate_key())
        new_keys = [sandbox.generate_key() for _ in range(rotations + warm_up // 10)]
        desks = {
            profile: KeyDesk(client, store, profile, journal=journal, history=history) for profile in checked + rotated
        }
        last: dict[str, Outcome] = {}
        for profile in rotated:
            last[profile] = _check(desks[profile], failures)

        def checks_of(count: int, start: int) -> None:
            for index in range(start, start + count):
                _check(desks[checked[index % len(checked)]], failures)

        def rotations_of(count: int, start: int) -> None:
            for index in range(start, start + count):
                profile = rotated[index % len(rotated)]
                result = desks[profile].rotate(new_keys[index], current=last[profile])
                if not (result.rotated and result.old_key is OldKey.STILL_VALID):
                    failures.append(f"rotation {index}: {result.outcome.state.value}: {result.outcome.message}")
                else:
                    last[profile] = result.outcome

        try:
            progress("warming up")
            checks_of(warm_up, 0)
            rotations_of(warm_up // 10, 0)
            failures.clear()
            before = _settled_sample(None)
            started = time.monotonic()
            progress(f"{checks} checks")
            checks_of(checks, warm_up)
            progress(f"{rotations} rotations")
            rotations_of(rotations, warm_up // 10)
            seconds = time.monotonic() - started
            after = _settled_sample(before)
        finally:
            for profile in checked + rotated:
                for slot in (profile, backup_slot(profile), pending_slot(profile)):
                    if store.get(slot) is not None:
                        store.delete(slot)
    return SoakReport(checks, rotations, store.description, before, after, seconds, failures)


def _check(desk: KeyDesk, failures: list[str]) -> Outcome:
    result = desk.check_stored()
    if result.state is not State.VALID or result.organisation is None:
        failures.append(f"check of {desk.profile}: {result.state.value}: {result.message}")
    return result


def _settled_sample(before: Sample | None) -> Sample:
    """A sample once garbage is collected and threads that are ending have ended
    (the baseline after a short pause; the final one waits up to 2 s for them)."""
    deadline = time.monotonic() + (2.0 if before else 0.1)
    while True:
        gc.collect()
        now = sample()
        if time.monotonic() > deadline or (before is not None and now.threads <= before.threads):
            return now
        time.sleep(0.05)
