import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the mechanism with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, port: int, host: str, workers: int, **options: Any) -> None:
        # static files under hashed names, compressed, before the first request (staticfiles.py)
        from truceline.core.staticfiles import collect

        collect()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "truceline.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            # a video of hundreds of MB from a border post takes minutes, not seconds
            "--timeout",
            "900",
        ]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell
