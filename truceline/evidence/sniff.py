"""What a file is, from its bytes alone: the name and the declared type are never trusted.

Each accepted family is recognised by its signature (puremagic) and then opened by a parser
that must understand it whole (Pillow, a box walk for MP4/QuickTime, mutagen, pypdf, zipfile),
which also yields the metadata the evidence page shows. Anything else — and anything that is
two formats at once — is refused with a message a person can act on.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import puremagic
from django.utils.translation import gettext

IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff"}
VIDEO = {"video/mp4", "video/quicktime"}
AUDIO = {"audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "audio/flac", "audio/mp4"}
OFFICE = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
# Markup that has no business inside a photo: a browser that sniffs could run it.
MARKUP = (b"<html", b"<script", b"<!doctype html", b"<svg")
_EXIF_TIME = re.compile(r"(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)")
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL = 512 * 1024 * 1024


class Refused(ValueError):
    """The file is not accepted; the message says why, for the person who sent it."""


@dataclass
class Sniffed:
    media_type: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return family_of(self.media_type)


def family_of(media_type: str) -> str:
    if media_type in IMAGES:
        return "image"
    if media_type in VIDEO:
        return "video"
    if media_type in AUDIO:
        return "audio"
    if media_type == "application/pdf":
        return "pdf"
    if media_type == "text/plain":
        return "text"
    return "office"


# The families whose copy without metadata is made here, from the content alone: photos
# re-encoded from their pixels (Pillow), plain text re-encoded from its characters. The rest
# carry metadata no installed library removes safely — PDF (document information, XMP,
# photos embedded with their EXIF, attachments, annotations' authors), Office documents
# (authors, revisions, embedded photos), video and audio (GPS, device, creation time in the
# container) — so they reach nobody outside the uploading party and the mechanism until a
# monitor makes a copy by hand (docs/evidence.md).
STRIPPABLE = frozenset({"image", "text"})


def strippable(media_type: str) -> bool:
    return family_of(media_type) in STRIPPABLE


def _guesses(path: Path) -> list[str]:
    try:
        return [m.mime_type for m in puremagic.magic_file(str(path)) if m.mime_type]
    except (puremagic.PureError, ValueError):
        return []


def _check_whole(path: Path, media: str) -> None:
    """A photo is one photo: nothing after its end (a zip or a page appended to a JPEG is
    the classic polyglot) and no markup inside."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 64))
        tail = handle.read()
    trailing = {
        "image/jpeg": len(tail) - 2 - tail.rfind(b"\xff\xd9") if b"\xff\xd9" in tail else 64,
        "image/png": 0 if tail.endswith(b"IEND\xaeB`\x82") else 64,
        "image/gif": 0 if tail.endswith(b"\x3b") else 64,
    }.get(media, 0)
    if trailing > 16:
        raise Refused(
            gettext(
                "This file has other data after the picture (a hidden second file); it is refused."
            )
        )
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lowered = block.lower()
            if any(tag in lowered for tag in MARKUP):
                raise Refused(
                    gettext("This picture carries web-page code inside it; it is refused.")
                )


def sniff(path: Path, size: int) -> Sniffed:
    if size == 0:
        raise Refused(gettext("The file is empty."))
    with path.open("rb") as handle:
        head = handle.read(8192)
    guesses = _guesses(path)
    if any(g in IMAGES for g in guesses) or head.startswith((b"\xff\xd8\xff", b"\x89PNG")):
        return _image(path)
    if head[4:8] == b"ftyp":
        return _mp4(path, head)
    if head.startswith(b"%PDF-"):
        return _pdf(path)
    if head.startswith(b"PK\x03\x04"):
        return _office(path)
    audio = next((g for g in guesses if g in AUDIO), None)
    if audio is not None:
        return _audio(path, audio)
    if _is_text(head) and not any(g == "text/html" for g in guesses):
        return _text(path)
    named = guesses[0] if guesses else "unrecognised data"
    raise Refused(
        f"This kind of file ({named}) is not accepted. Accepted: photos (JPEG, PNG, GIF, WebP, "
        "TIFF), video (MP4, QuickTime), audio, PDF, Word, Excel and PowerPoint documents, and "
        "plain text."
    )


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut at the end of the sample
    return True


def _text(path: Path) -> Sniffed:
    with path.open("rb") as handle:
        sample = handle.read(4096).lower()
    if any(tag in sample for tag in (b"<html", b"<script", b"<!doctype", b"<svg", b"<?xml")):
        raise Refused(
            gettext("Web pages and markup are not accepted; save the page as PDF instead.")
        )
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if b"\x00" in block:
                raise Refused(gettext("This is not plain text (it holds binary data)."))
    try:
        path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(gettext("Plain text must be UTF-8.")) from exc
    return Sniffed("text/plain")


def _image(path: Path) -> Sniffed:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as probe:
            probe.verify()
        with Image.open(path) as image:
            media = Image.MIME.get(image.format or "", "")
            if media not in IMAGES:
                raise Refused(f"Images of type {image.format} are not accepted.")
            if image.width * image.height > 200_000_000:
                raise Refused(gettext("The image is too large to process (over 200 megapixels)."))
            image.load()
            metadata = {"width": image.width, "height": image.height, **_exif(image)}
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused(gettext("The image is damaged or not what it claims to be.")) from exc
    _check_whole(path, media)
    return Sniffed(media, metadata)


def _ratio(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return float("nan")


def _exif(image: Any) -> dict[str, Any]:
    """Capture time, camera and GPS position from EXIF, when present and sane."""
    out: dict[str, Any] = {}
    exif = image.getexif()
    if not exif:
        return out
    sub = exif.get_ifd(0x8769)  # Exif IFD
    taken = sub.get(36867) or exif.get(306)
    stamp = _EXIF_TIME.fullmatch(taken.strip()) if isinstance(taken, str) else None
    if stamp:  # the camera's clock, in a zone EXIF does not say
        out["taken_at"] = "{}-{}-{}T{}:{}:{}".format(*stamp.groups())
    camera = " ".join(str(exif.get(t, "")).strip() for t in (271, 272)).strip()
    if camera:
        out["camera"] = camera[:120]
    gps = exif.get_ifd(0x8825)
    if gps and 2 in gps and 4 in gps:
        try:
            lat = sum(_ratio(v) / 60**i for i, v in enumerate(gps[2]))
            lon = sum(_ratio(v) / 60**i for i, v in enumerate(gps[4]))
        except TypeError:
            return out
        if gps.get(1) == "S":
            lat = -lat
        if gps.get(3) == "W":
            lon = -lon
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            out["gps"] = {"lat": round(lat, 6), "lon": round(lon, 6)}
    return out


def _boxes(handle: Any, end: int) -> Any:
    """The ISO base media boxes between here and ``end``: (type, payload start, payload end)."""
    while handle.tell() + 8 <= end:
        start = handle.tell()
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header = 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            raise Refused(gettext("The video file is damaged (a box runs past the end)."))
        yield kind, start + header, start + size
        handle.seek(start + size)


def _mp4(path: Path, head: bytes) -> Sniffed:
    brand = head[8:12]
    media = "video/quicktime" if brand == b"qt  " else "video/mp4"
    end = path.stat().st_size
    duration = None
    with path.open("rb") as handle:
        kinds = []
        for kind, start, stop in _boxes(handle, end):
            kinds.append(kind)
            if kind == b"moov":
                handle.seek(start)
                for inner, istart, _istop in _boxes(handle, stop):
                    if inner == b"mvhd":
                        handle.seek(istart)
                        version = handle.read(1)[0]
                        handle.read(3)
                        if version == 1:
                            _c, _m, scale, length = struct.unpack(">QQIQ", handle.read(28))
                        else:
                            _c, _m, scale, length = struct.unpack(">IIII", handle.read(16))
                        if scale:
                            duration = round(length / scale, 3)
                handle.seek(stop)
    if b"moov" not in kinds:
        raise Refused(gettext("The video file is incomplete (no movie header)."))
    return Sniffed(media, {"duration_s": duration} if duration is not None else {})


def _audio(path: Path, media: str) -> Sniffed:
    import mutagen

    try:
        parsed = mutagen.File(str(path))
    except mutagen.MutagenError as exc:
        raise Refused(gettext("The audio file is damaged.")) from exc
    if parsed is None or getattr(parsed, "info", None) is None:
        raise Refused(gettext("The audio file could not be read."))
    return Sniffed(media, {"duration_s": round(float(parsed.info.length), 3)})


def _pdf(path: Path) -> Sniffed:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise Refused(gettext("The PDF is damaged.")) from exc
    return Sniffed("application/pdf", {"pages": pages})


def _office(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise Refused(gettext("The document holds too many parts."))
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if total > ZIP_MAX_TOTAL or total / packed > ZIP_MAX_RATIO:
                raise Refused(
                    gettext("The document expands to far more than its size (a compression bomb).")
                )
            names = {e.filename for e in entries}
    except zipfile.BadZipFile as exc:
        raise Refused(gettext("The document is damaged.")) from exc
    if "[Content_Types].xml" in names:
        for part, media in OFFICE.items():
            if part in names:
                return Sniffed(media, {"parts": len(names)})
    raise Refused(gettext("Archives (ZIP) are not accepted; send the files inside them instead."))
