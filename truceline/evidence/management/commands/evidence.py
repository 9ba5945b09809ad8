from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.evidence import store
from truceline.evidence.models import Blob


class Command(BaseCommand):
    help = "`evidence check`: re-hash every stored file; name each one altered or missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])

    def handle(self, *args: Any, **options: Any) -> None:
        bad = 0
        count = 0
        for blob in Blob.objects.order_by("stored_at").iterator():
            count += 1
            found = store.rehash(blob.name)
            if found is None:
                bad += 1
                self.stderr.write(f"FAIL {blob.sha256}: the stored file is missing")
            elif found != blob.sha256:
                bad += 1
                self.stderr.write(f"FAIL {blob.sha256}: altered on disk (now hashes to {found})")
        if bad:
            raise CommandError(f"{bad} of {count} stored files do not match their hash")
        self.stdout.write(f"OK {count} stored files match their hashes")
