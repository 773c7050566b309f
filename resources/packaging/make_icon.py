"""Turns the SVG app icon into the icon file Windows (.ico) or macOS (.icns) wants.

    python make_icon.py resources/icons/app.svg build/lsdesk.ico

The PyInstaller spec runs this at build time, so the SVG stays the only icon
kept in the repository. Both formats are a small header around PNG images,
which Qt renders from the SVG at each size.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (type, pixels) pairs macOS reads as PNG: 16 and 32 at 1x, the rest doubling as @2x.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def render_png(renderer: QSvgRenderer, pixels: int) -> bytes:
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode a {pixels} px PNG")
    return bytes(data)


def ico(renderer: QSvgRenderer) -> bytes:
    images = [(size, render_png(renderer, size)) for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    directory, payload = b"", b""
    for size, png in images:
        # 0 stands for 256 in the one-byte width and height fields.
        directory += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + directory + payload


def icns(renderer: QSvgRenderer) -> bytes:
    body = b""
    for kind, size in ICNS_TYPES:
        png = render_png(renderer, size)
        body += kind + struct.pack(">I", 8 + len(png)) + png
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    if len(argv) != 2 or Path(argv[1]).suffix not in (".ico", ".icns"):
        print("usage: make_icon.py ICON.svg OUT.ico|OUT.icns", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        print(f"make_icon.py: {source} is not a readable SVG", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(ico(renderer) if target.suffix == ".ico" else icns(renderer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
