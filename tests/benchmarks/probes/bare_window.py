"""The baseline window: plain PySide6 widgets, started the way the lsdesk probe starts.

startup CENSUS_JSON   first paint and peak memory of a window with the census's widgets
idle SECONDS          the longest gap between 5 ms ticks while that window sits idle
                      (the census comes on stdin)
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.benchmarks.probes.census import build_bare_window, total_widgets
from tests.benchmarks.probes.first_paint import FirstPaint
from tests.benchmarks.probes.reporting import peak_rss_mib, report


def main() -> int:
    mode, argument = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])

    def done(**fields: object) -> None:
        report(**fields)
        app.quit()

    if mode == "startup":
        window = build_bare_window(json.loads(argument))

        def painted(at: float) -> None:
            QTimer.singleShot(
                0, lambda: done(first_paint=at, peak_rss_mib=peak_rss_mib(), widgets=total_widgets(window))
            )

    else:
        from tests.benchmarks.probes.tick_gaps import TickGaps  # not in the start-up probe: it costs time

        window = build_bare_window(json.loads(sys.stdin.read()))
        ticks = TickGaps()

        def painted(at: float) -> None:
            ticks.start()
            QTimer.singleShot(int(float(argument) * 1000), lambda: done(longest_gap_ms=ticks.longest_ms()))

    FirstPaint(window, painted)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
