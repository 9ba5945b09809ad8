import base64
import os
import secrets
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from truceline.accounts.models import MEDIATOR_ROLES, Role, User
from truceline.accounts.services import user_create, user_set_password
from truceline.accounts.twofactor import authenticator_new
from truceline.core.synthetic import generate
from truceline.findings.keys import current_key, signing_key_create
from truceline.incidents.models import Incident
from truceline.scenario.models import Organisation
from truceline.scenario.services import scenario_load_file

DEFAULT_INCIDENTS = 300
DEMO_USERS = [
    ("pk-liaison", "pakistan", Role.LIAISON),
    ("af-liaison", "afghanistan", Role.LIAISON),
    ("qa-monitor", "qatar", Role.MONITOR),
    ("tr-monitor", "turkiye", Role.MONITOR),
    ("qa-signatory", "qatar", Role.SIGNATORY),
    ("tr-signatory", "turkiye", Role.SIGNATORY),
    ("admin", "qatar", Role.ADMIN),
]


class Command(BaseCommand):
    help = (
        "Set up the demo: migrate, load the bundled scenario, create the demo users, add "
        "synthetic incidents, then serve. Safe to run again: nothing already there is changed "
        "(synthetic incidents are added only when asked for, or to a database with none)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--incidents",
            type=int,
            default=None,
            help="add N synthetic incidents (default: 300 on a database that has none)",
        )
        parser.add_argument("--seed", type=int, default=2025)

    def handle(
        self,
        *args: Any,
        no_serve: bool,
        port: int,
        incidents: int | None,
        seed: int,
        **options: Any,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        summary = scenario_load_file(actor=None, path=settings.TRUCELINE_BUNDLED_SCENARIO)
        self.stdout.write(
            f"scenario {summary.slug}: {'loaded' if summary.changed else 'unchanged'}"
        )
        self._users()
        for org in Organisation.objects.filter(guarantor=True, retired=False):
            if current_key(org.pk) is None:
                self.stdout.write(
                    f"signing key {signing_key_create(actor=None, organisation=org).key_id}"
                )
        if incidents is None:
            incidents = 0 if Incident.objects.exists() else DEFAULT_INCIDENTS
        if incidents < 0:
            raise CommandError("--incidents: a number of incidents, 0 or more")
        if incidents:
            self._synthetic(incidents, seed)
        if not no_serve:
            # the background worker (notifications, reminders; mail goes to this console),
            # in the same process group: Ctrl-C stops it with the server
            subprocess.Popen([sys.executable, "-m", "truceline", "worker"])
            self.stdout.write(f"serving at http://127.0.0.1:{port}/ (Ctrl-C stops)")
            call_command("serve", port=port)

    def _synthetic(self, n: int, seed: int) -> None:
        started = time.monotonic()
        width = len(str(n))

        def progress(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            left = (n - done) / rate if rate else 0
            self.stdout.write(
                f"\rsynthetic incidents: {done:>{width}}/{n} ({100 * done // n}%), "
                f"about {left:.0f} s left   ",
                ending="",
            )
            self.stdout.flush()

        written = generate(n, seed=seed, progress=progress)
        self.stdout.write(
            f"\rsynthetic incidents: {written} written in {time.monotonic() - started:.0f} s"
            + " " * 20
        )

    def _authenticators(self, created: list[str]) -> None:
        """The demo's monitors, signatories and admin share one authenticator key (they must
        have one): TRUCELINE_DEMO_TOTP_KEY (40 hex digits), else one made now and shown once."""
        wanted = os.environ.get("TRUCELINE_DEMO_TOTP_KEY", "").strip().lower()
        key = wanted or secrets.token_hex(20)
        made = []
        for user in User.objects.filter(username__in=created, role__in=MEDIATOR_ROLES):
            authenticator_new(user, name="demo", key=bytes.fromhex(key), confirmed=True)
            made.append(user.username)
        if made and not wanted:
            secret = base64.b32encode(bytes.fromhex(key)).decode()
            self.stdout.write(
                f"authenticator key of {', '.join(made)} (add it to an authenticator app): "
                f"{secret}\n(shown once; set TRUCELINE_DEMO_TOTP_KEY to choose it)"
            )

    def _users(self) -> None:
        wanted = os.environ.get("TRUCELINE_DEMO_PASSWORD", "")
        generated = "" if wanted else secrets.token_urlsafe(12)
        created = []
        with transaction.atomic():
            for username, org_slug, role in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user_create(
                        actor=None,
                        username=username,
                        organisation=Organisation.objects.get(pk=org_slug),
                        role=role,
                        password=wanted or generated,
                    )
                    created.append(username)
                elif wanted and not user.check_password(wanted):
                    user_set_password(actor=None, user=user, password=wanted)
        self._authenticators(created)
        if created and not wanted:
            self.stdout.write(
                f"demo users {', '.join(created)} created with the password: {generated}\n"
                "(shown once; set TRUCELINE_DEMO_PASSWORD to choose it)"
            )
        elif created:
            self.stdout.write(f"demo users created: {', '.join(created)}")
        else:
            self.stdout.write("demo users: already there")
