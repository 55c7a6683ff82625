"""Render the application icon's SVG source into the .png, .ico and .icns the bundle needs.

Run after editing ``resources/icons/stockdesk.svg``; the outputs are committed because the
PyInstaller spec and the operating systems read them, not the SVG:
``QT_QPA_PLATFORM=offscreen python scripts/make_icons.py``.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
"""What Windows picks from for title bars, the taskbar, Explorer and the installer."""
PNG_SIZE = 256
ICNS_SIZE = 1024


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn on a transparent square of ``size`` pixels."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico_bytes(images: list[QImage]) -> bytes:
    """A multi-size .ico with PNG entries (Windows Vista and later read these).

    Qt's own ICO writer stores a single size, which Windows scales badly.
    """
    pngs = [png_bytes(image) for image in images]
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries = b""
    for image, data in zip(images, pngs, strict=True):
        side = image.width() % 256  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(pngs)


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "stockdesk.svg"))
    if not renderer.isValid():
        print("stockdesk.svg is not a valid SVG", file=sys.stderr)
        return 1
    (ICONS / "stockdesk.png").write_bytes(png_bytes(render(renderer, PNG_SIZE)))
    (ICONS / "stockdesk.ico").write_bytes(ico_bytes([render(renderer, s) for s in ICO_SIZES]))
    if not render(renderer, ICNS_SIZE).save(str(ICONS / "stockdesk.icns"), "ICNS"):
        print("could not write stockdesk.icns", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
