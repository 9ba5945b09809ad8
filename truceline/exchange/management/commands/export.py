"""`truceline export --format csv|hxl|geojson|jsonl|acled [--as USERNAME] --out FILE`.

The same streams as the downloads (``exchange.exports``), written to a file: what the named
user may see, with that user's columns and rounding; everything, as the mechanism sees it,
when no user is named. The file appears whole or not at all (written beside it, then renamed);
progress goes to standard error only when it is a terminal, and nothing to standard output.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.accounts.models import Role, User
from truceline.exchange.exports import FORMATS, Filters, as_csv, filters_from

# `hxl` is the download's CSV (with its hashtag row); `csv` is the same without the row.
CHOICES = ("csv", "hxl", "geojson", "jsonl", "acled")


def mechanism() -> User:
    """The mechanism's own view, for an export that names no user: an unsaved monitor (the
    policy asks only the role and organisation), so it sees every incident and exact places."""
    return User(username="mechanism", role=Role.MONITOR, is_active=True)


def maker(fmt: str) -> Any:
    if fmt == "hxl":
        return FORMATS["csv"][2]
    if fmt == "csv":
        return lambda viewer, filters: as_csv(viewer, filters, hxl=False)
    return FORMATS[fmt][2]


class Command(BaseCommand):
    help = (
        "Export the incidents a user may see (everything, for the mechanism, when no user is "
        "named) as CSV, CSV with HXL hashtags, GeoJSON, JSON Lines or ACLED-compatible CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            dest="fmt",
            required=True,
            help="csv, hxl (CSV with its HXL hashtag row, as downloaded), geojson, jsonl or acled",
        )
        parser.add_argument(
            "--as", dest="username", help="export what this user may see (default: everything)"
        )
        parser.add_argument("--out", type=Path, required=True, help="the file to write")
        for name in ("state", "category", "party", "sector"):
            parser.add_argument(f"--{name}", help=f"only this {name} (its slug)")
        parser.add_argument("--from", dest="from_", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["fmt"]
        if fmt not in CHOICES:
            raise CommandError(f"--format: {fmt!r} is not one of {', '.join(CHOICES)}")
        viewer = self.viewer(options["username"])
        filters = self.filters(options)
        out: Path = options["out"]
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(f"--out: {folder} is not a folder")
        show = sys.stderr.isatty() and options["verbosity"] > 0
        fd, scratch = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
        written = 0
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in maker(fmt)(viewer, filters):
                    f.write(chunk)
                    written += len(chunk)
                    if show:
                        self.stderr.write(f"\r{out.name}: {written / 1e6:,.1f} MB", ending="")
                f.flush()
                os.fsync(f.fileno())
            os.replace(scratch, out)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
        if show:
            self.stderr.write(f"\r{out.name}: {written:,} bytes")

    def viewer(self, username: str | None) -> User:
        if username is None:
            return mechanism()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--as: no user is named {username!r}")
        if not user.is_active:
            raise CommandError(f"--as: {username!r} is deactivated and may see nothing")
        return user

    def filters(self, options: dict[str, Any]) -> Filters:
        query = {k: options.get(k) for k in ("state", "category", "party", "sector", "to")}
        query["from"] = options.get("from_")
        try:
            return filters_from(query)
        except ValueError as exc:
            raise CommandError(f"--{exc}") from exc
