"""Copies without metadata, made from the content alone.

A photo is decoded and a new image is built from its pixels alone (``Image.frombytes``): no
EXIF, XMP, ICC profile, comment or text chunk of the original can reach the copy, because
nothing but the pixel values is read into it. Plain text is decoded and written again as
UTF-8 (byte-order mark dropped, line ends made ``\\n``). Other families are not strippable
here (``sniff.STRIPPABLE``); a monitor makes their copy by hand.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from dataclasses import dataclass
from typing import IO

from truceline.evidence.sniff import family_of

THUMBNAIL_PX = 320


class NotStrippable(ValueError):
    """No copy without metadata can be made here of this type."""


@dataclass
class Stripped:
    """A copy's bytes (a file positioned at its start), hashed."""

    handle: IO[bytes]
    sha256: str
    size: int
    media_type: str


def _hashed(handle: IO[bytes], media_type: str) -> Stripped:
    digest = hashlib.sha256()
    size = 0
    handle.seek(0)
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    handle.seek(0)
    return Stripped(handle, digest.hexdigest(), size, media_type)


def _image(source: IO[bytes], thumbnail: bool) -> Stripped:
    from PIL import Image, ImageOps

    with Image.open(source) as image:
        pixels = ImageOps.exif_transpose(image)  # the orientation is applied, then forgotten
        if thumbnail:
            pixels.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        alpha = pixels.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
            pixels.mode == "P" and "transparency" in pixels.info
        )
        mode = "RGBA" if alpha else "RGB"
        clean = Image.frombytes(mode, pixels.size, pixels.convert(mode).tobytes())
    out = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - returned open
    if alpha:
        clean.save(out, "PNG")
        return _hashed(out, "image/png")
    clean.save(out, "JPEG", quality=85)
    return _hashed(out, "image/jpeg")


def _text(source: IO[bytes]) -> Stripped:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    out = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - returned open
    held = ""  # a carriage return at a block's end may begin a CR LF
    for block in iter(lambda: source.read(1 << 20), b""):
        text = held + decoder.decode(block)
        held = "\r" if text.endswith("\r") else ""
        text = text[:-1] if held else text
        out.write(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
    rest = held + decoder.decode(b"", final=True)
    out.write(rest.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
    return _hashed(out, "text/plain")


def stripped(source: IO[bytes], media_type: str, *, thumbnail: bool = False) -> Stripped:
    """A copy of these bytes (sniffed as ``media_type``) made from their content alone."""
    family = family_of(media_type)
    if family == "image":
        return _image(source, thumbnail)
    if family == "text" and not thumbnail:
        return _text(source)
    raise NotStrippable(media_type)


EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/flac": "flac",
    "audio/mp4": "m4a",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}


def name_for(evidence_id: str, media_type: str) -> str:
    """The file name anyone outside the uploading party receives: the evidence id, never
    anything built from the name the file was sent under."""
    return f"{evidence_id}.{EXTENSIONS.get(media_type, 'bin')}"
