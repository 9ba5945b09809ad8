from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.dashboards import tally


class Command(BaseCommand):
    help = (
        "The pre-aggregated counts behind the map and the dashboard: `check` compares them "
        "with the incidents (exit 1 naming each difference); `rebuild` recounts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "rebuild"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "rebuild":
            self.stdout.write(f"{tally.rebuild()} incidents counted")
            return
        problems = tally.differences()
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} counts differ from the incidents")
        self.stdout.write("the tallies equal the incidents")
