"""`truceline import acled FILE` / `truceline import ucdp FILE`: background history, whole or
not at all, with a progress bar; each bad line is named and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.exchange.imports import SOURCES, ImportRefused, import_file


class Command(BaseCommand):
    help = "Import an ACLED or UCDP GED CSV file as background history (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=sorted(SOURCES))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, source: str, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        shown = options["verbosity"] > 0

        def progress(line: int, total: int) -> None:
            if shown and total:
                done = min(line / total, 1.0)
                bar = "#" * int(done * 30)
                self.stderr.write(f"\rchecking {bar:<30} {line:,}/{total:,} lines", ending="")

        try:
            summary = import_file(actor=None, source=source, path=file, progress=progress)
        except ImportRefused as exc:
            if shown:
                self.stderr.write("")
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: not imported; nothing was changed") from exc
        if shown:
            self.stderr.write("")
        self.stdout.write(
            f"{file.name}: {summary.rows} rows; {summary.created} new, {summary.updated} "
            f"updated, {summary.unchanged} unchanged"
        )
