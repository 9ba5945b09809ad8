"""`truceline restore DIR`: onto an empty deployment, only a backup that verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.backup.services import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup onto an empty database and evidence store; refuses one that fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a directory `truceline backup` wrote")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            done = restore(directory, progress=lambda step: self.stderr.write(f"... {step}"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"OK restored {directory}: {done.entries} ledger entries verified, "
            f"{done.blobs} evidence blobs"
        )
