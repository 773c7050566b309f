"""Runs resources/packaging/lsdesk.spec as PyInstaller would on another platform, and prints what it asked for.

    python -m tests.helpers.spec_configuration PLATFORM WORK-FOLDER [SPEC OPTIONS...]

Windows and macOS builds cannot run on this machine, so their branches of the spec are checked by their
configuration: the spec is executed with sys.platform set to PLATFORM ("win32", "darwin", "linux") and with
recording stand-ins for the names PyInstaller gives a spec (Analysis, PYZ, EXE, COLLECT, BUNDLE, SPECPATH,
workpath). Each stand-in takes the arguments of PyInstaller 6's own class and keeps them; the calls are
printed as one JSON list. Run in a process of its own, because sys.platform is changed for the whole run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "resources" / "packaging" / "lsdesk.spec"
calls: list[dict] = []


class _Recorded:
    """One of PyInstaller's build targets: records its positional arguments (by their recorded name) and options."""

    def __init__(self, *contents, **options):
        self.name = options.get("name", type(self).__name__)
        calls.append(
            {
                "target": type(self).__name__,
                "contents": [getattr(item, "name", None) or _plain(item) for item in contents],
                "options": {key: _plain(value) for key, value in options.items()},
            }
        )


def _plain(value):
    if isinstance(value, _Recorded):
        return value.name
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


class Analysis(_Recorded):
    def __init__(self, scripts, **options):
        super().__init__(scripts, **options)
        self.name = "Analysis"
        self.pure = []
        self.scripts = []
        self.binaries = []
        # Qt's translations among lsdesk's icons: the spec keeps only qtbase in the languages lsdesk speaks.
        self.datas = [
            ("lsdesk/resources/icons/app.svg", "/source/app.svg", "DATA"),
            ("PySide6/Qt/translations/qt_fr.qm", "/source/qt_fr.qm", "DATA"),
            ("PySide6/Qt/translations/qtbase_fr.qm", "/source/qtbase_fr.qm", "DATA"),
            ("PySide6/Qt/translations/qtbase_de.qm", "/source/qtbase_de.qm", "DATA"),
        ]
        calls[-1]["datas"] = None  # filled in by the spec's filtering, read below


class PYZ(_Recorded):
    pass


class EXE(_Recorded):
    pass


class COLLECT(_Recorded):
    pass


class BUNDLE(_Recorded):
    pass


def main(platform: str, workpath: str, *spec_options: str) -> int:
    sys.platform = platform
    sys.argv = [str(SPEC), *spec_options]  # as PyInstaller sets it for `pyinstaller SPEC -- OPTIONS`
    names = {
        "__file__": str(SPEC),
        "SPECPATH": str(SPEC.parent),
        "workpath": workpath,
        **{target.__name__: target for target in (Analysis, PYZ, EXE, COLLECT, BUNDLE)},
    }
    exec(
        compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), names
    )  # the project's own spec, as PyInstaller runs it
    analysis = next(call for call in calls if call["target"] == "Analysis")
    analysis["datas"] = [entry[0] for entry in names["a"].datas]
    print(json.dumps(calls))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
