"""`truceline report --from D --to D --out FILE [--edition public|parties]`: the periodic
verification report as PDF (or HTML when FILE ends in .html)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.core.errors import ApiError
from truceline.publications.periodic import EDITIONS, MAX_YEARS, render_html, render_pdf


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r}: a date, as YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Write the periodic verification report for a date range (PDF, or HTML), at most "
        f"{MAX_YEARS} years long; its figures are drawn per week up to a year, per month up to "
        "five years, per quarter beyond."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument(
            "--to",
            dest="end",
            required=True,
            help=f"last day, YYYY-MM-DD; at most {MAX_YEARS} years after the first",
        )
        parser.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.html")
        parser.add_argument("--edition", choices=sorted(EDITIONS), default="parties")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end, out = _day(options["start"]), _day(options["end"]), options["out"]
        try:
            if out.suffix.lower() == ".html":
                out.write_text(render_html(start, end, options["edition"]), encoding="utf-8")
            else:
                out.write_bytes(render_pdf(start, end, options["edition"]))
        except ApiError as exc:
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(f"{out} ({out.stat().st_size:,} bytes, {EDITIONS[options['edition']]})")
