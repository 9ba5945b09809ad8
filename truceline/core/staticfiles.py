"""Static files under hashed names, compressed (Brotli and gzip) and cached for a year.

`truceline serve` runs collectstatic before it starts, so a served deployment always has the
manifest: every page then links `site.<hash>.css`, which WhiteNoise serves pre-compressed and
marked immutable. Where no collectstatic has run (the test client, `runserver`), a name missing
from the manifest falls back to the plain name, which WhiteNoise serves from the finders.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage


class Static(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # not collected: the file from its app's folder, unhashed
            return name

    def url(self, name: Any, force: bool = False) -> str:
        return str(super().url(name, force))


def sources_digest() -> str:
    """What collectstatic would read: every file the finders list, by name, size and time."""
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = Path(storage.path(path)).stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect() -> bool:
    """Collect (hash and compress, seconds of work) unless the collected files are those of
    the sources already; True when it ran."""
    marker = Path(settings.STATIC_ROOT) / ".sources-digest"
    digest = sources_digest()
    if marker.exists() and marker.read_text() == digest:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(digest)
    return True
