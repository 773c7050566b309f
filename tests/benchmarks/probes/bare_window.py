"""The baseline window: plain PySide6 widgets, started the way the lsdesk probe starts.

startup CENSUS_JSON   first paint and peak memory of a window with the census's widgets
floor CENSUS_JSON     the same window doing what any PySide6 app like lsdesk must: touching a `Qt.` enum and
                      reading the contrast preference before its first paint, and loading httpx (with a
                      truststore SSL context) and keyring after it; its peak memory once they are loaded
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

    if mode in ("startup", "floor"):
        if mode == "floor":
            from PySide6.QtCore import Qt

            style_hints = app.styleHints()  # kept: the accessibility hints belong to it
            contrast = style_hints.accessibility().contrastPreference()
            _ = (Qt.AlignmentFlag.AlignLeft, contrast == Qt.ContrastPreference.HighContrast)
        window = build_bare_window(json.loads(argument))

        def painted(at: float) -> None:
            if mode == "floor":
                QTimer.singleShot(0, load_what_a_check_needs)
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


def load_what_a_check_needs() -> None:
    import ssl

    import httpx
    import keyring
    import truststore

    httpx.Client(verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)).close()
    keyring.get_keyring()


if __name__ == "__main__":
    sys.exit(main())
