"""Guards against known defects of the Qt binding that would crash lsdesk."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    happened = Signal()


def test_emitting_a_signal_keeps_the_reference_count_of_true(qapp):
    # PySide6 6.12.0 returned True from emit() without a reference of its own:
    # every emit wore True's count down until the interpreter aborted.
    emitter = _Emitter()
    emitter.happened.connect(lambda: None)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.happened.emit()
    assert sys.getrefcount(True) >= before - 20
