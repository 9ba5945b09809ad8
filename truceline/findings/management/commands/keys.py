from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.findings.keys import signing_key_create
from truceline.findings.models import SigningKey
from truceline.scenario.models import Organisation


class Command(BaseCommand):
    help = "Signing keys: `create ORG` makes one (private half under the data dir); `list`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("create").add_argument("organisation")
        sub.add_parser("list")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            org = Organisation.objects.filter(pk=options["organisation"], guarantor=True).first()
            if org is None:
                raise CommandError(f"{options['organisation']!r} is not a guarantor")
            self.stdout.write(signing_key_create(actor=None, organisation=org).key_id)
        else:
            for key in SigningKey.objects.order_by("created_at"):
                self.stdout.write(f"{key.key_id}\t{key.organisation_id}\t{key.public_key}")
