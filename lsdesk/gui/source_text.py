"""Letting go of the module source PySide6 has Python keep.

PySide6's import hook asks `inspect.getsource` of every module imported after PySide6 whether it uses PySide6, and
linecache then keeps each module's whole source as lines: about 8.6 MiB of Python objects by the end of the first
check, read by nothing in lsdesk (a traceback reads back the lines it needs). Released where a batch of imports
has just ended, before the memory is needed for something else, so that it is reused instead of added to the peak.
"""

from __future__ import annotations


def release_source_text() -> None:
    import linecache

    linecache.clearcache()
