"""The two-person rule over credentials (docs/security.md, threat model 4).

A change to the credentials of a person whose role requires a second factor — their password,
their authenticator, their role, organisation or activation — made by anyone but that person,
waits for a second admin: one admin alone cannot take over a signatory (set its password,
remove its authenticator, sign in, enrol another phone, sign in the guarantor's name). The
same holds for making someone a monitor, signatory or admin. Who may approve or refuse: an
admin who neither asked for the change nor is the person it is about.

The command line (``actor`` None) is the host's operator, who holds the database and the key
passphrase already; the rule binds the admin site, where the secretariat works.
"""

from __future__ import annotations

from typing import Any

from truceline.policy.core import Viewer, role_of
from truceline.policy.factors import second_factor_required


def needs_second_admin(actor: Viewer | None, user: Any, *, after: Any = None) -> bool:
    """Whether ``actor``'s change to ``user``'s credentials waits for a second admin (``after``:
    the person as the change would leave them, when it changes their role)."""
    if actor is None or (user.pk is not None and actor.pk == user.pk):
        return False
    return second_factor_required(user) or (after is not None and second_factor_required(after))


def told_of_change(change: Any) -> list[str]:
    """Who is emailed about a held change: its person and every other active admin."""
    from truceline.accounts.models import User

    admins = User.objects.filter(role="admin", is_active=True).exclude(pk=change.requested_by_id)
    emails = set(admins.exclude(email="").values_list("email", flat=True))
    return sorted(emails | ({change.user.email} if change.user.email else set()))


def may_decide_change(actor: Viewer, change: Any) -> bool:
    """A second admin: active, an admin, and neither the one who asked nor the one it is about."""
    return role_of(actor) == "admin" and actor.pk not in {change.requested_by_id, change.user_id}
