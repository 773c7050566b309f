"""The real `lsdesk` window as a benchmark probe.

Runs `lsdesk --api-url URL` in this process through `lsdesk.main`, as the
command does, with keys from the benchmark keyring. The one hook: the probe
wraps `exec_until_closed`, where the command shows its window, to put a
first-paint filter on that window just before it is shown. Modes:

    startup URL          first paint; once the first check finished, peak memory and the widget census
    responsiveness URL   the longest gap between 5 ms ticks during each operation
                         (the keys to save and to rotate to come on stdin, one a line)
    close URL            on SIGUSR1, closes the window and reports when (the benchmark times the exit)
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from tests.benchmarks.probes.census import total_widgets, widget_census
from tests.benchmarks.probes.first_paint import FirstPaint
from tests.benchmarks.probes.reporting import fail, peak_rss_mib, report

GIVE_UP_MS = 90_000


def main() -> int:
    mode, api_url = sys.argv[1], sys.argv[2]
    probe = {"startup": Startup, "responsiveness": Responsiveness, "close": CloseOnSignal}[mode]()

    from lsdesk.gui import app as gui_app

    show_and_run = gui_app.exec_until_closed

    def watched_show_and_run(app: QApplication, window: QWidget, *args: object, **kwargs: object) -> int:
        FirstPaint(window, lambda at: probe.painted(window, at))
        QTimer.singleShot(GIVE_UP_MS, lambda: (fail(f"{mode} gave up after {GIVE_UP_MS} ms"), os._exit(3)))
        return show_and_run(app, window, *args, **kwargs)

    gui_app.exec_until_closed = watched_show_and_run
    from lsdesk import main as lsdesk_main

    return lsdesk_main(["--api-url", api_url, *sys.argv[3:]])  # then any more of lsdesk's options


def when_idle(window: QWidget, then: Callable[[], None]) -> None:
    """Call `then` once the window's worker is idle and the window has shown the result.

    Idle means idle for good: an operation can start another as it ends (a check counts the lessons next), and
    the next step, started then, would find the worker busy and not start at all.
    """
    host = window.host

    def settled() -> None:
        if host.busy:
            host.operation_finished.connect(finished)
        else:
            then()

    def finished() -> None:
        host.operation_finished.disconnect(finished)
        QTimer.singleShot(0, settled)  # after the result signal and the window's slots for it

    QTimer.singleShot(0, settled)


def when_filled(window: QWidget, then: Callable[[], None]) -> None:
    """Call `then` once the window has been filled in and set up (its first frame has no worker yet): after
    the call that filled it, which goes on to add the tray and the rest."""
    if window.filled:
        then()
        return
    from PySide6.QtCore import Qt  # not before lsdesk's first paint: it builds the whole Qt namespace

    window.filled_in.connect(lambda: QTimer.singleShot(0, then), Qt.ConnectionType.SingleShotConnection)


class Startup:
    def painted(self, window: QWidget, at: float) -> None:
        def done() -> None:
            report(
                first_paint=at, peak_rss_mib=peak_rss_mib(), census=widget_census(window), widgets=total_widgets(window)
            )
            window.close()

        when_filled(window, lambda: when_idle(window, done))


class Responsiveness:
    """Times, in turn: the check at start-up (from the first paint), Check again, a save and a rotation."""

    def __init__(self) -> None:
        from tests.benchmarks.probes.tick_gaps import TickGaps  # not in the start-up probes: it costs them time

        self.save_key = sys.stdin.readline().strip()
        self.rotate_key = sys.stdin.readline().strip()
        self.ticks = TickGaps()
        self.gaps: dict[str, float] = {}
        self.results: dict[str, str] = {}
        self.not_measured: dict[str, str] = {}

    def painted(self, window: QWidget, at: float) -> None:
        when_filled(window, lambda: self.start(window))

    def start(self, window: QWidget) -> None:
        self.window = window
        # What each operation found, so the benchmark knows it timed the real thing (all "valid").
        host = window.host
        host.checked.connect(lambda result: self.results.__setitem__("check", result.state.value))
        host.saved.connect(lambda result: self.results.__setitem__("save", result.outcome.state.value))
        host.rotated.connect(lambda result: self.results.__setitem__("rotation", result.outcome.state.value))
        self.steps = [("check again", self.check_again), ("save", self.save), ("rotation", self.rotate)]
        self.ticks.start()
        when_idle(window, lambda: self.finished("check at start-up"))

    def finished(self, name: str) -> None:
        self.gaps[name] = self.ticks.longest_ms()
        self.next_step()

    def next_step(self) -> None:
        if not self.steps:
            report(gaps_ms=self.gaps, results=self.results, not_measured=self.not_measured)
            for dialog in self.window.findChildren(QDialog):
                dialog.done(0)  # the rotation's dialog, showing its result: a window of its own keeps lsdesk up
            self.window.close()
            return
        name, start = self.steps.pop(0)
        problem = start()
        if problem:
            self.not_measured[name] = problem
            self.next_step()
        else:
            when_idle(self.window, lambda: self.finished(name))

    def check_again(self) -> str | None:
        self.ticks.restart()
        self.window.check()
        return self.started("check again")

    def save(self) -> str | None:
        self.window.key_field.line_edit.setText(self.save_key)
        self.ticks.restart()
        self.window.save()
        return self.started("save")

    def rotate(self) -> str | None:
        dialog = self.window.open_rotation()
        if dialog is None:
            return "the window did not offer the rotation"
        dialog.key_field.line_edit.setText(self.rotate_key)
        self.ticks.restart()
        dialog.rotate()
        return self.started("rotation")

    def started(self, name: str) -> str | None:
        """None if the operation runs now; otherwise why not, so that nothing is timed that did not run."""
        return None if self.window.host.busy else f"the window did not start the {name}"


class CloseOnSignal:
    """Closes the window as its close button would, when the benchmark sends SIGUSR1."""

    def __init__(self) -> None:
        self.window: QWidget | None = None
        self.asked = False
        signal.signal(signal.SIGUSR1, self.close_asked)

    def painted(self, window: QWidget, at: float) -> None:
        when_filled(window, lambda: self.ready(window))  # a close then ends the worker's hung request

    def ready(self, window: QWidget) -> None:
        self.window = window
        # Python runs a signal handler only once Qt's event loop calls back into Python.
        self.wake = QTimer(window, interval=10)
        self.wake.timeout.connect(lambda: None)
        self.wake.start()
        if self.asked:
            self.close()

    def close_asked(self, *_signal_info: object) -> None:
        self.asked = True
        if self.window is not None:
            self.close()

    def close(self) -> None:
        report(closed_at=time.monotonic())
        self.window.close()


if __name__ == "__main__":
    sys.exit(main())
