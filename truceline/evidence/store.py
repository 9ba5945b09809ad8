"""The evidence store behind Django's storage API: blobs named by their SHA-256, written once.

The local backend writes each blob to a temporary name and renames it into place, so a crash
never leaves a half-written file under a blob's name; S3 puts are atomic already.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full = Path(self.path(name))
        full.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=full.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o440)
            os.replace(temp, full)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return name


def storage() -> Storage:
    return storages["evidence"]


def put(name: str, source: IO[bytes]) -> None:
    """Store these bytes under ``name`` unless a blob of that name is there already."""
    store = storage()
    if not store.exists(name):
        store.save(name, File(source, name=name))


def rehash(name: str) -> str | None:
    """The SHA-256 of the stored bytes, or None when they are gone."""
    store = storage()
    if not store.exists(name):
        return None
    digest = hashlib.sha256()
    with store.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
