"""Draw the app's icons (a progress ring on the theme colour) as PNG files, with no image library."""

import math
import struct
import zlib
from pathlib import Path

from django.core.management.base import BaseCommand

OUT = Path(__file__).resolve().parents[2] / "static" / "pwa" / "icons"
TEAL, WHITE, MINT = (15, 118, 110), (255, 255, 255), (153, 246, 228)


def _png(size: int, pixels: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def draw(size: int, *, maskable: bool) -> bytes:
    """A rounded square (full bleed when maskable) with a ring three-quarters full and a dot."""
    rows = []
    c = size / 2
    corner = 0 if maskable else size * 0.22
    ring_outer, ring_inner = size * (0.30 if maskable else 0.34), size * (0.22 if maskable else 0.25)
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            # outside the rounded corners: transparent
            dx, dy = max(corner - px, 0, px - (size - corner)), max(corner - py, 0, py - (size - corner))
            if corner and math.hypot(dx, dy) > corner:
                row += bytes((0, 0, 0, 0))
                continue
            r = math.hypot(px - c, py - c)
            angle = (math.degrees(math.atan2(px - c, c - py)) + 360) % 360  # 0 at the top, clockwise
            color = TEAL
            if ring_inner <= r <= ring_outer:
                color = WHITE if angle <= 270 else MINT
            elif r <= size * 0.07:
                color = WHITE
            row += bytes((*color, 255))
        rows.append(bytes(row))
    return _png(size, rows)


class Command(BaseCommand):
    help = "Draw the PWA icons into pwa/static/pwa/icons/."

    def handle(self, *args, **options):
        OUT.mkdir(parents=True, exist_ok=True)
        for size in (192, 256, 384, 512):
            (OUT / f"icon-{size}.png").write_bytes(draw(size, maskable=False))
        (OUT / "maskable-512.png").write_bytes(draw(512, maskable=True))
        (OUT / "apple-touch-icon.png").write_bytes(draw(180, maskable=True))
        self.stdout.write(self.style.SUCCESS(f"icons written to {OUT}"))
