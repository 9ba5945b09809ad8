"""`truceline eval-extraction DIR [--json] [--gate]`: precision and recall per field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.osint.extract import Lexicon
from truceline.osint.scoring import GATES, evaluate, failures


class Command(BaseCommand):
    help = "Score the extraction against a labelled folder (articles plus labels.jsonl)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
        parser.add_argument(
            "--gate", action="store_true", help="exit 1 when a field falls below its floor"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            scores = evaluate(Lexicon.current(), folder)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(scores, sort_keys=True))
        else:
            self.stdout.write(f"{'field':26} {'precision':>9} {'recall':>7}  matched/pred/gold")
            for name, s in scores.items():
                floor = GATES.get(name)
                note = f"  floor {floor[0]}/{floor[1]}" if floor else ""
                self.stdout.write(
                    f"{name:26} {s['precision']:9.3f} {s['recall']:7.3f}  "
                    f"{s['matched']}/{s['predicted']}/{s['gold']}{note}"
                )
        if options["gate"]:
            missed = failures(scores)
            if missed:
                raise CommandError("below the floor: " + "; ".join(missed))
