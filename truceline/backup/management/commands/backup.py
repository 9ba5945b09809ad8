"""`truceline backup DIR`: database, evidence, public keys and ledger checkpoint, while the
server runs (truceline/backup/services.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.backup.services import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database, evidence store, public keys and ledger checkpoint into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a new or empty directory")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            done = backup(directory, progress=lambda step: self.stderr.write(f"... {step}"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        checkpoint = f"checkpoint {done.checkpoint}" if done.checkpoint else "no checkpoint yet"
        self.stdout.write(
            f"OK {directory}: {done.files} files, {done.bytes} bytes, "
            f"{done.blobs} evidence blobs, {checkpoint}"
        )
