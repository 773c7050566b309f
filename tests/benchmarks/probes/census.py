"""Counting a window's widgets by Qt class, and building a bare window with the same ones.

Widgets Qt makes inside another (a list's scroll bars and viewport) are left
out of the count: the bare window's own list makes them too. Qt made them in
C++, which is how they are told apart; what lsdesk put inside a scroll area's
viewport counts, as lsdesk made it.
"""

from __future__ import annotations

from collections import Counter

from PySide6 import QtWidgets
from PySide6.QtWidgets import QVBoxLayout, QWidget
from shiboken6 import Shiboken


def widget_census(window: QWidget) -> dict[str, int]:
    """How many widgets of each PySide6 class (lsdesk's own classes count as their Qt base) the window holds."""
    counts: Counter[str] = Counter()
    for widget in window.findChildren(QWidget):
        if Shiboken.createdByPython(widget):
            counts[_qt_class(widget)] += 1
    return dict(counts)


def total_widgets(window: QWidget) -> int:
    return len(window.findChildren(QWidget))


def build_bare_window(census: dict[str, int]) -> QWidget:
    """A plain QWidget holding the census's widgets in one column, each with a short text."""
    window = QWidget()
    window.setWindowTitle("Bare PySide6 window")
    column = QVBoxLayout(window)
    for class_name, count in census.items():
        widget_class = getattr(QtWidgets, class_name)
        for number in range(count):
            widget = widget_class(window)
            if hasattr(widget, "setText"):
                widget.setText(f"{class_name} {number + 1}")
            elif hasattr(widget, "setTitle"):
                widget.setTitle(f"{class_name} {number + 1}")
            column.addWidget(widget)
    return window


def _qt_class(widget: QWidget) -> str:
    for cls in type(widget).__mro__:
        if cls.__module__.startswith("PySide6."):
            return cls.__name__
    raise TypeError(f"{type(widget).__name__} is not a Qt widget")
