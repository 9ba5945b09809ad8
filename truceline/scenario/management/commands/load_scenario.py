from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.core.errors import ApiError
from truceline.scenario.schema import ScenarioFileError
from truceline.scenario.services import scenario_load_file


class Command(BaseCommand):
    help = "Load or update the scenario from a YAML file; every change goes on the event log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            summary = scenario_load_file(actor=None, path=file)
        except ScenarioFileError as exc:
            raise CommandError(f"the scenario file is not valid:\n{exc}") from exc
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        if not summary.changed:
            self.stdout.write(f"{summary.slug}: unchanged")
            return
        self.stdout.write(
            f"{summary.slug}: {len(summary.created)} created, {len(summary.updated)} updated, "
            f"{len(summary.retired)} retired"
        )
