from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.accounts.models import User
from truceline.core.errors import ApiError
from truceline.security.services import emergency_revoke


class Command(BaseCommand):
    help = (
        "Emergency: end every session and revoke every API token of a user, or of everyone "
        "in an organisation, at once (a seized laptop, a leaked password)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", action="append", help="a username (repeatable)")
        who.add_argument("--organisation", help="an organisation's slug: all its people")
        parser.add_argument("--reason", required=True, help="why; it goes on the record")

    def handle(
        self,
        *args: Any,
        user: list[str] | None,
        organisation: str | None,
        reason: str,
        **options: Any,
    ) -> None:
        if user:
            users = User.objects.filter(username__in=user)
            missing = set(user) - set(users.values_list("username", flat=True))
            if missing:
                raise CommandError(f"no such user: {', '.join(sorted(missing))}")
        else:
            users = User.objects.filter(organisation_id=organisation)
            if not users.exists():
                raise CommandError(f"no one in an organisation {organisation!r}")
        try:
            counts = emergency_revoke(actor=None, users=users, reason=reason)
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"revoked: {counts['users']} people, {counts['tokens']} tokens; "
            "their sessions end at their next request"
        )
