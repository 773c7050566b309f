"""Colours and icons that follow the system's palette: light, dark and high contrast.

State is always said in words too; colour only helps. Accents are chosen per
scheme so they keep their contrast against the window behind them.

The window's first frame is drawn before the contrast preference is read (reading it builds Qt's whole `Qt`
namespace, about 15 ms): it passes `contrast=False`, and the window redraws in high contrast one frame later
where that is the system's choice (lsdesk/gui/first_frame.py). Nothing else here builds that namespace.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

from lsdesk.resource_files import resource

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel


class Accent(Enum):
    """The colour family of a status: what kind of news it is."""

    GOOD = "good"
    BAD = "bad"
    WORKING = "working"
    NEUTRAL = "neutral"
    WARNING = "warning"


_LIGHT = {
    Accent.GOOD: "#1e8e3e",
    Accent.BAD: "#d93025",
    Accent.WORKING: "#1a73e8",
    Accent.NEUTRAL: "#5f6368",
    Accent.WARNING: "#b06000",
}
_DARK = {
    Accent.GOOD: "#81c995",
    Accent.BAD: "#f28b82",
    Accent.WORKING: "#8ab4f8",
    Accent.NEUTRAL: "#bdc1c6",
    Accent.WARNING: "#fdd663",
}

# The neutral grey drawn in the monochrome icons (show, hide), replaced by the text colour.
_MONOCHROME = "#5f6368"


def _palette() -> QPalette:
    # The application's palette, not a widget's: a widget's own palette is
    # tinted by its style sheet, and judging by it would flip between schemes.
    return QGuiApplication.palette()


def is_dark() -> bool:
    return _palette().color(QPalette.ColorRole.Window).lightness() < 128


def high_contrast() -> bool:
    from PySide6.QtCore import Qt

    style_hints = QGuiApplication.styleHints()  # held: its accessibility hints die with its wrapper
    return style_hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast


def _high_contrast(contrast: bool | None) -> bool:
    """`contrast` as given, or the system's preference when it is None."""
    return high_contrast() if contrast is None else contrast


def accent_color(accent: Accent, contrast: bool | None = None) -> QColor:
    if _high_contrast(contrast):
        return _palette().color(QPalette.ColorRole.WindowText)
    return QColor((_DARK if is_dark() else _LIGHT)[accent])


def badge_style(accent: Accent, contrast: bool | None = None) -> str:
    """A style sheet for the badge frame: a solid border and a light tint of the accent."""
    contrast = _high_contrast(contrast)
    color = accent_color(accent, contrast)
    tint = "transparent" if contrast else f"rgba({color.red()}, {color.green()}, {color.blue()}, 36)"
    return f"#statusBadge {{ border: 2px solid {color.name()}; border-radius: 8px; background-color: {tint}; }}"


def message_bar_style(accent: Accent) -> str:
    """The message bar beside the key field: a thin border in the accent, lighter than the badge's."""
    contrast = high_contrast()
    color = accent_color(accent, contrast)
    tint = "transparent" if contrast else f"rgba({color.red()}, {color.green()}, {color.blue()}, 24)"
    return f"#messageBar {{ border: 1px solid {color.name()}; border-radius: 6px; background-color: {tint}; }}"


def banner_style(contrast: bool | None = None) -> str:
    """The sandbox banner: unmistakable in any scheme."""
    color = accent_color(Accent.WARNING, contrast)
    return (
        f"#sandboxBanner {{ border: 1px solid {color.name()}; border-radius: 6px; padding: 6px 10px;"
        f" font-weight: bold; background-color: rgba({color.red()}, {color.green()}, {color.blue()}, 40); }}"
    )


def icon(name: str) -> QIcon:
    """A full-colour SVG icon from lsdesk's resources."""
    return QIcon(str(resource("icons", name)))


def monochrome_icon(name: str, size: int = 16, scale: float = 2.0) -> QIcon:
    """A one-colour SVG icon redrawn in the palette's text colour, sharp at `scale`."""
    svg = resource("icons", name).read_text(encoding="utf-8")
    return _drawn(svg.replace(_MONOCHROME, _palette().color(QPalette.ColorRole.ButtonText).name()), size, scale)


# A status icon's circle, drawn in the light scheme's accents, and its counterpart on a dark window.
_STATUS_FILLS_ON_DARK = {
    _LIGHT[Accent.GOOD]: _DARK[Accent.GOOD],
    _LIGHT[Accent.BAD]: _DARK[Accent.BAD],
    _LIGHT[Accent.WORKING]: _DARK[Accent.WORKING],
    _LIGHT[Accent.NEUTRAL]: _DARK[Accent.NEUTRAL],
    "#e37400": _DARK[Accent.WARNING],  # the warning icons' orange
}
_GLYPH = "#fff"
_GLYPH_ON_DARK = "#202124"


def status_icon(name: str, size: int = 32, scale: float = 2.0, contrast: bool | None = None) -> QIcon:
    """A state's icon in the window's scheme: as drawn on a light window; on a dark one in the
    dark scheme's lighter accents with a dark glyph, so it neither glares nor sinks into the window."""
    if not is_dark() or _high_contrast(contrast):
        return icon(name)
    svg = resource("icons", name).read_text(encoding="utf-8")
    for light, dark in _STATUS_FILLS_ON_DARK.items():
        svg = svg.replace(f'"{light}"', f'"{dark}"')
    return _drawn(svg.replace(f'"{_GLYPH}"', f'"{_GLYPH_ON_DARK}"'), size, scale)


def draw_status_icon(label: QLabel, name: str, size: int, contrast: bool | None = None) -> None:
    """Show state icon `name` in `label`, in the window's scheme; drawn only when the icon, the scheme or the
    screen's scale changed (drawing an SVG takes about a millisecond, and the status is shown after every
    operation)."""
    scale = label.devicePixelRatioF()
    look = (name, size, scale, is_dark(), _high_contrast(contrast))
    if getattr(label, "drawn_icon", None) != look:
        label.setPixmap(status_icon(name, size, scale, contrast).pixmap(QSize(size, size), scale))
        label.drawn_icon = look


def _drawn(svg: str, size: int, scale: float) -> QIcon:
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(QSize(size, size) * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(QColor(0, 0, 0, 0))  # transparent
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))  # logical size; the pixmap's ratio adds the detail
    painter.end()
    return QIcon(pixmap)


def dark_palette() -> QPalette:
    """A dark palette like the ones desktops switch to: for screenshots and tests."""
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#2b2c2f"),
        (QPalette.ColorRole.AlternateBase, "#303134"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
        (QPalette.ColorRole.Button, "#303134"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Highlight, "#8ab4f8"),
        (QPalette.ColorRole.HighlightedText, "#202124"),
        (QPalette.ColorRole.ToolTipBase, "#303134"),
        (QPalette.ColorRole.ToolTipText, "#e8eaed"),
        (QPalette.ColorRole.Light, "#5f6368"),
        (QPalette.ColorRole.Midlight, "#4a4d51"),
        (QPalette.ColorRole.Mid, "#3c4043"),
        (QPalette.ColorRole.Dark, "#17181a"),
        (QPalette.ColorRole.Shadow, "#000000"),
    ):
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7f8387"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7f8387"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7f8387"))
    return palette
