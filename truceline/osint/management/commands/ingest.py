"""`truceline ingest PATH|URL ...` and `truceline ingest --feed URL`: articles in."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from truceline.core import outbound
from truceline.osint.extract import Lexicon
from truceline.osint.models import Feed
from truceline.osint.services import Incoming, ingest
from truceline.osint.sources import SourceError, fetch, files_under, read_file


class Command(BaseCommand):
    help = "Ingest articles from files, folders or web addresses; or register a feed to poll."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help="files, folders or http(s) addresses")
        parser.add_argument("--feed", action="append", default=[], help="an RSS/Atom address")
        parser.add_argument("--quiet", action="store_true", help="no progress line")

    def handle(self, *args: Any, **options: Any) -> None:
        sources: list[str] = options["sources"]
        for url in options["feed"]:
            try:  # and again at every poll: names change
                outbound.check(url)
            except outbound.Refused as exc:
                raise CommandError(f"{url}: {exc}") from exc
            feed, created = Feed.objects.get_or_create(
                url=url, defaults={"added_at": timezone.now()}
            )
            self.stdout.write(f"feed {'added' if created else 'known'}: {feed.url}")
        if options["feed"]:
            from truceline.osint.tasks import poll_feeds

            poll_feeds.enqueue()
            self.stdout.write("the worker polls the feeds (truceline worker)")
        if not sources:
            if not options["feed"]:
                raise CommandError("name a file, a folder, an address or --feed URL")
            return
        paths: list[Path] = []
        urls: list[str] = []
        for source in sources:
            if source.startswith(("http://", "https://")):
                urls.append(source)
            else:
                try:
                    paths.extend(files_under(Path(source)))
                except SourceError as exc:
                    raise CommandError(str(exc)) from exc
        total = len(paths) + len(urls)
        problems: list[str] = []
        started = time.monotonic()
        quiet = options["quiet"] or not sys.stderr.isatty()

        def items() -> Iterator[Incoming]:
            for n, path in enumerate(paths, start=1):
                try:
                    yield read_file(path)
                except (SourceError, OSError) as exc:
                    problems.append(str(exc))
                if not quiet and (n % 50 == 0 or n == total):
                    sys.stderr.write(f"\r{n}/{total} read")
            for url in urls:
                try:
                    yield fetch(url)
                except SourceError as exc:
                    problems.append(str(exc))

        result = ingest(actor=None, items=items(), lexicon=Lexicon.current())
        if not quiet:
            sys.stderr.write("\n")
        for problem in problems + result.refused:
            self.stderr.write(f"refused: {problem}")
        self.stdout.write(
            f"{len(result.added)} added, {result.duplicates} already known, "
            f"{len(problems) + len(result.refused)} refused, of {total} "
            f"({time.monotonic() - started:.1f} s)"
        )
