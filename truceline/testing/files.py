"""Real files, made here: what a liaison might send, and what an attacker would; and the API
call that sends them."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

from django.test import Client
from PIL import Image


def upload(api: Any, who: str, *named: tuple[str, bytes], sharing: str = "mechanism") -> Any:
    client: Client = api.client
    data: dict[str, Any] = {"sharing": sharing, "files": []}
    for name, content in named:
        handle = io.BytesIO(content)
        handle.name = name
        data["files"].append(handle)
    answer = client.post(
        "/api/v1/evidence", data=data, HTTP_AUTHORIZATION=f"Bearer {api.token(who)}"
    )
    return answer.status_code, answer.json()


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


# What a photographer's camera and software leave in a photo: who took it, with what, when
# and where. None of it may reach the other party or the public.
ARTIST = "Farida Yusufzai"
MAKE, MODEL = "Nikon", "D7500"
SERIAL = "SN-3318-0447"
TAKEN = "2025:11:03 05:42:17"
LAT, LON = 34.123456, 71.654321


def _exif(lat: float, lon: float) -> Image.Exif:
    exif = Image.Exif()
    exif[271] = MAKE
    exif[272] = MODEL
    exif[306] = TAKEN
    exif[315] = ARTIST  # Artist
    exif[33432] = f"(c) {ARTIST}"  # Copyright
    exif[305] = "Lightroom Mobile"  # Software
    exif.get_ifd(0x8769).update({36867: TAKEN, 36868: TAKEN, 42033: SERIAL, 42032: ARTIST})

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
        return (float(degrees), float(minutes), seconds)

    exif.get_ifd(0x8825).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    return exif


def _xmp() -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{ARTIST}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _scene(mode: str) -> Image.Image:
    """A picture with something in it (a gradient), so that a copy is of real pixels."""
    image = Image.new(mode, (400, 300))
    for x in range(0, 400, 8):
        for y in range(0, 300, 8):
            colour = (x % 256, y % 256, (x + y) % 256)
            image.paste(colour + ((200,) if mode == "RGBA" else ()), (x, y, x + 8, y + 8))
    return image


def photo_with_everything(lat: float = LAT, lon: float = LON) -> bytes:
    """A JPEG carrying EXIF (camera, serial, artist, copyright, capture time, GPS), XMP with
    the creator, an ICC profile and a comment."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    _scene("RGB").save(
        out,
        "JPEG",
        exif=_exif(lat, lon),
        xmp=_xmp(),
        icc_profile=icc,
        comment=f"Torkham post, photographed by {ARTIST}".encode(),
        quality=92,
    )
    return out.getvalue()


def png_with_everything() -> bytes:
    """A PNG with transparency, EXIF (eXIf chunk) and text chunks naming the author."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", ARTIST)
    info.add_itxt("XML:com.adobe.xmp", _xmp().decode())
    out = io.BytesIO()
    _scene("RGBA").save(out, "PNG", pnginfo=info, exif=_exif(LAT, LON))
    return out.getvalue()


def pdf_with_author() -> bytes:
    """A PDF whose document information names its author (PDFs are not strippable here)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": ARTIST, "/Title": "Statement of the post commander"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
