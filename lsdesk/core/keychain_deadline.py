"""Keychain calls that cannot hang lsdesk: each one waits at most a deadline.

A keychain can block for as long as it likes: a locked collection waits for
its unlock prompt, a stopped or stuck daemon never answers. `KeychainLane`
runs the calls one at a time on a daemon thread of its own while the caller
waits for the answer, the deadline, or a cancel, whichever comes first.

One at a time, in order, because a call that was given up on may still
answer later: a write that lands late must land before the writes asked
for after it, never after them. A call given up on before it started is
never run at all, so only the one call the keychain is stuck in can land
late, and its answer goes nowhere (nobody waits for it any more).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often a waiting caller looks at its cancel flag; a cancel takes effect within this.
_CANCEL_POLL_S = 0.05


class KeychainTimeout(Exception):
    """The keychain did not answer before the deadline."""


class KeychainCancelled(Exception):
    """The person stopped waiting for the keychain."""


class _Job(Generic[T]):
    def __init__(self, call: Callable[[], T]):
        self.call = call
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.abandoned = False
        self.result: T | None = None
        self.error: BaseException | None = None


class KeychainLane:
    """Runs keychain calls in order on one daemon thread, each caller waiting a bounded time."""

    def __init__(self, name: str = "lsdesk-keychain"):
        self._name = name
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def run(
        self,
        call: Callable[[], T],
        *,
        deadline_s: float,
        waiting_after_s: float,
        on_waiting: Callable[[], None] = lambda: None,
        on_answered: Callable[[], None] = lambda: None,
        cancelled: threading.Event | None = None,
    ) -> T:
        """`call()`'s result (or exception); KeychainTimeout or KeychainCancelled if it takes too long.

        `on_waiting` is called once the call has taken `waiting_after_s`
        (the keychain may be asking for a password), `on_answered` when such
        a call ends after all.
        """
        if cancelled is not None and cancelled.is_set():
            raise KeychainCancelled
        job = _Job(call)
        self._ensure_thread()
        self._jobs.put(job)
        started = time.monotonic()
        waiting = False
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= deadline_s:
                self._abandon(job)
                log.warning("the keychain did not answer within %.1f s; lsdesk stopped waiting", deadline_s)
                raise KeychainTimeout
            if cancelled is not None and cancelled.is_set():
                self._abandon(job)
                log.info("stopped waiting for the keychain at the user's request")
                raise KeychainCancelled
            pause = deadline_s - elapsed
            if cancelled is not None:
                pause = min(pause, _CANCEL_POLL_S)
            if not waiting:
                pause = min(pause, max(waiting_after_s - elapsed, 0.0))
            if job.done.wait(pause):
                break
            if not waiting and time.monotonic() - started >= waiting_after_s:
                waiting = True
                on_waiting()
        if waiting:
            on_answered()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    @staticmethod
    def _abandon(job: _Job) -> None:
        with job.lock:
            job.abandoned = True

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None:
                # A daemon thread: a keychain stuck for ever must not keep lsdesk from exiting.
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            with job.lock:
                if job.abandoned:
                    continue  # its caller left before it started: never run it
            try:
                job.result = job.call()
            except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it
                job.error = error
            job.done.set()
