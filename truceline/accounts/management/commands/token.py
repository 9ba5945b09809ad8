from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.accounts.models import ApiToken, User
from truceline.accounts.services import token_create, token_revoke
from truceline.core.errors import ApiError


class Command(BaseCommand):
    help = "API tokens: `create USERNAME` prints a new token and nothing else; `revoke ID`; `list`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="")
        create.add_argument("--days", type=int, default=None, help="lifetime (default 90)")
        revoke = sub.add_parser("revoke", help="revoke a token by its id (TOK-...)")
        revoke.add_argument("token_id")
        listing = sub.add_parser("list", help="list tokens (ids and hints, never secrets)")
        listing.add_argument("username", nargs="?")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user {options['username']!r}")
            try:
                _token, raw = token_create(
                    actor=None, user=user, name=options["name"], days=options["days"]
                )
            except ApiError as exc:
                raise CommandError(f"{exc.message}: {exc.fields}") from exc
            self.stdout.write(raw)
        elif action == "revoke":
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"no token {options['token_id']!r}")
            token_revoke(actor=None, token=token)
            self.stdout.write(f"{token.id} revoked")
        else:
            qs = ApiToken.objects.select_related("user")
            if options.get("username"):
                qs = qs.filter(user__username=options["username"])
            for t in qs:
                state = "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{t.id}\t{t.user.username}\t{t.role}\t{t.hint}…\t{state}")
