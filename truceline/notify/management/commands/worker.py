"""`truceline worker`: runs the background tasks (the outbox's drain, deliveries, reminders,
feed polls, the hourly pruning of expired idempotency keys) from the database queue; as many
workers as wanted, on any machine that reaches the database."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background tasks: deliveries and reminders (django-tasks' database worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="run what is due now, then exit (cron, tests)"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls when idle"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from truceline.idempotency.tasks import ensure_scheduled
        from truceline.notify.outbox import ensure_draining

        ensure_scheduled()  # the hourly forgetting of expired idempotency keys
        ensure_draining()  # outbox rows whose drain task was lost
        extra = ["--batch"] if options["batch"] else []
        call_command(
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            str(options["interval"]),
            "--no-startup-delay",
            *extra,
            verbosity=options["verbosity"],
        )
