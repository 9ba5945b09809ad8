import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Benchmarks on a scratch database: `bench ledger` appends, proves and verifies at "
        "--entries (default 1,000,000); `bench evidence` uploads --size bytes; `bench map` "
        "times the map's data and the dashboard at --incidents (default 1,000,000); `bench "
        "oracle` times a hidden incident's 404 against a missing one's; --write "
        "FILE puts the table in FILE between its bench markers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "target",
            choices=["ledger", "evidence", "map", "export", "ingest", "submissions", "oracle"],
        )
        parser.add_argument("--requests", type=int, default=300, help="oracle: of each kind")
        parser.add_argument("--articles", type=int, default=10_000, help="ingest: how many")
        parser.add_argument(
            "--corpus",
            type=Path,
            default=Path(__file__).resolve().parents[5] / "shared" / "data" / "news",
            help="ingest: a folder of articles in the monitoring format to draw sentences from",
        )
        parser.add_argument("--one", help="export: internal, one child run FORMAT:USERNAME")
        parser.add_argument("--incidents", type=int, default=1_000_000, help="map: at least")
        parser.add_argument("--repeat", type=int, default=30, help="map: requests per figure")
        parser.add_argument("--size", type=int, default=1 << 30, help="evidence: upload bytes")
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--appends", type=int, default=300)
        parser.add_argument("--proofs", type=int, default=1000)
        parser.add_argument("--no-pymerkle", action="store_true")
        parser.add_argument("--write", type=Path)
        parser.add_argument("--seconds", type=float, default=15, help="submissions: per level")
        parser.add_argument("--workers", type=int, default=4, help="submissions: server processes")

    def handle(self, *args: Any, **options: Any) -> None:
        from truceline.ledger import bench

        def progress(text: str) -> None:
            self.stderr.write(f"  {text}")

        if options["target"] == "evidence":
            self._evidence(options, progress)
            return
        if options["target"] == "submissions":
            self._submissions(options, progress)
            return
        if options["target"] == "map":
            self._map(options, progress)
            return
        if options["target"] == "export":
            self._export(options, progress)
            return
        if options["target"] == "ingest":
            self._ingest(options, progress)
            return
        if options["target"] == "oracle":
            self._oracle(options, progress)
            return
        try:
            results = bench.run(
                entries=options["entries"],
                appends=options["appends"],
                proofs=options["proofs"],
                with_pymerkle=not options["no_pymerkle"],
                progress=progress,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        command = (
            f"truceline bench ledger --entries {options['entries']} "
            f"--appends {options['appends']} --proofs {options['proofs']}"
        )
        self._table(
            "ledger",
            f"Command: `make bench` (`{command}` on a scratch database).",
            "| figure | value | note |",
            results.lines,
            options["write"],
        )

    def _evidence(self, options: dict[str, Any], progress: Any) -> None:
        from truceline.evidence import bench as evidence_bench

        try:
            lines = evidence_bench.run(options["size"], progress)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self._table(
            "evidence",
            (
                "Command: `make bench-evidence` "
                f"(`truceline bench evidence --size {options['size']}`"
                ": `truceline serve` with one worker on a scratch SQLite data directory)."
            ),
            "| figure | value | note |",
            lines,
            options["write"],
        )

    def _map(self, options: dict[str, Any], progress: Any) -> None:
        from django.db import connection

        from truceline.dashboards import bench as map_bench

        try:
            lines = map_bench.run(options["incidents"], options["repeat"], progress)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        vendor = connection.vendor
        self._table(
            f"map-{vendor}",
            (
                "Command: `make bench-map` "
                f"(`truceline bench map --incidents {options['incidents']} "
                f"--repeat {options['repeat']}` on a scratch {vendor} database"
                + (", PostgreSQL started by the make target" if vendor == "postgresql" else "")
                + ")."
            ),
            "| request, viewer | time | note |",
            lines,
            options["write"],
        )

    def _export(self, options: dict[str, Any], progress: Any) -> None:
        import json

        from django.db import connection

        from truceline.exchange import bench as export_bench

        if options["one"]:
            fmt, _sep, username = options["one"].partition(":")
            self.stdout.write(json.dumps(export_bench.one(fmt, username)))
            return
        try:
            lines = export_bench.run(options["incidents"], progress)
        except (RuntimeError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        vendor = connection.vendor
        self._table(
            f"export-{vendor}",
            (
                f"Command: `make bench-export` (`truceline bench export --incidents "
                f"{options['incidents']}` on a scratch {vendor} database)."
            ),
            "| export, viewer | peak memory, time | note |",
            lines,
            options["write"],
        )

    def _ingest(self, options: dict[str, Any], progress: Any) -> None:
        from django.db import connection

        from truceline.osint import bench as ingest_bench

        try:
            lines = ingest_bench.run(options["articles"], options["corpus"], progress)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        vendor = connection.vendor
        self._table(
            f"ingest-{vendor}",
            (
                f"Command: `make bench-ingest` (`truceline bench ingest --articles "
                f"{options['articles']}` on a scratch {vendor} database)."
            ),
            "| figure | value | note |",
            lines,
            options["write"],
        )

    def _submissions(self, options: dict[str, Any], progress: Any) -> None:
        import os

        from django.db import connection

        from truceline.reports import bench as load_bench

        url = os.environ.get("TRUCELINE_DATABASE_URL") or None
        try:
            lines = load_bench.run(
                url, options["workers"], options["seconds"], (1, 8, 32), progress
            )
        except RuntimeError as exc:  # the server did not start, or a command failed
            raise CommandError(str(exc)) from exc
        parts = load_bench.profile(200)
        lines += [(f"profile: {label}", f"{ms:.2f} ms", "per submission") for label, ms in parts]
        vendor = connection.vendor
        self._table(
            f"submissions-{vendor}",
            (
                f"Command: `make bench-submissions` (`truceline bench submissions --workers "
                f"{options['workers']} --seconds {options['seconds']:g}`: `truceline serve` on "
                f"a scratch {vendor} database, clients on keep-alive connections, each POST "
                "with its own Idempotency-Key; the profile is 200 submissions in one process)."
            ),
            "| figure | value | note |",
            lines,
            options["write"],
        )

    def _oracle(self, options: dict[str, Any], progress: Any) -> None:
        from django.db import connection

        from truceline.security import bench as oracle_bench

        try:
            lines = oracle_bench.run(options["requests"], progress)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self._table(
            "oracle",
            (
                "Command: `make bench-oracle` "
                f"(`truceline bench oracle --requests {options['requests']}` in one process, "
                f"Django's test client, on a scratch {connection.vendor} demo deployment)."
            ),
            "| request | time | note |",
            lines,
            options["write"],
        )

    def _table(
        self,
        name: str,
        command: str,
        header: str,
        lines: list[tuple[str, str, str]],
        path: Path | None,
    ) -> None:
        """A measured table: the date and machine, the command, three columns of results."""
        from truceline.ledger import bench

        table = [
            f"Measured {dt.datetime.now(dt.UTC).date().isoformat()} on {bench.machine()}.",
            command,
            "",
            header,
            "| --- | --- | --- |",
            *(f"| {a} | {b} | {c} |" for a, b, c in lines),
        ]
        self._write(name, "\n".join(table), path)

    def _write(self, name: str, text: str, path: Path | None) -> None:
        self.stdout.write(text)
        if path:
            old = path.read_text()
            start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
            block = f"{start}\n{text}\n{end}"
            if start in old:
                new = re.sub(
                    re.escape(start) + ".*?" + re.escape(end), lambda _m: block, old, flags=re.S
                )
            else:
                new = old.rstrip("\n") + "\n\n" + block + "\n"
            path.write_text(new)
