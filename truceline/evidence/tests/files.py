"""Real files, made here: what a liaison might send, and what an attacker would."""

from __future__ import annotations

import io
import struct
import zipfile

from PIL import Image


def jpeg_with_gps(lat: float = 34.1123, lon: float = 71.0981) -> bytes:
    image = Image.new("RGB", (640, 480), (90, 120, 60))
    exif = Image.Exif()
    exif[271] = "Canon"
    exif[272] = "EOS 80D"
    exif[306] = "2025:11:02 04:31:10"

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
        return (float(degrees), float(minutes), seconds)

    exif.get_ifd(0x8825).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (64, 32), (200, 10, 10, 128)).save(out, "PNG")
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(seconds: int = 12) -> bytes:
    """A minimal ISO base media file: ftyp, a movie header saying how long, an empty mdat."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = _box(
        b"mvhd",
        b"\x00\x00\x00\x00"
        + struct.pack(">IIII", 0, 0, 1000, seconds * 1000)
        + b"\x00\x01\x00\x00\x01\x00"
        + b"\x00" * 10
        + b"\x00" * 36
        + b"\x00" * 24
        + struct.pack(">I", 2),
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"\x00" * 64)


def pdf(pages: int = 3) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
        )
        z.writestr("word/document.xml", "<w:document>statement of the post commander</w:document>")
    return out.getvalue()


def polyglot() -> bytes:
    """A JPEG with a ZIP appended: a viewer shows a photo, an unzipper finds a program."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("run.sh", "#!/bin/sh\necho owned\n")
    return jpeg_with_gps() + out.getvalue()


def zip_bomb() -> bytes:
    """An office-looking document whose one part inflates a thousandfold."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (20 * 1024 * 1024))
    return out.getvalue()


def html_as_jpeg() -> bytes:
    return b"<!doctype html><html><body><script>fetch('/api/v1/reports')</script></body></html>"
