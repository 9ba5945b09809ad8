import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.ledger import notes
from truceline.ledger.keys import read_key_file
from truceline.ledger.management.commands.ledger import _passphrase


class Command(BaseCommand):
    help = (
        "Cosign a checkpoint offline, where your private key lives: reads the signed note on "
        "stdin (or FILE) and prints it with your cosignature line added, ready to post to "
        "/api/v1/ledger/cosignatures. Check the checkpoint first (truceline ledger witness "
        "does both)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--key", required=True, type=Path)
        parser.add_argument("--name", required=True, help="your key's name, as registered")

    def handle(self, *args: Any, file: Path | None, key: Path, name: str, **_: Any) -> None:
        text = file.read_text() if file else sys.stdin.read()
        try:
            body, sigs = notes.split_note(text)
            notes.parse_checkpoint(body)
            private = read_key_file(key, _passphrase())
            cosig = notes.cosign_body(body, name, private, int(time.time()))
        except (notes.NoteError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(notes.join_note(body, [*sigs, cosig]), ending="")
