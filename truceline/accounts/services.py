"""Writes about people and tokens. Each runs in one transaction with its event-log entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import MEDIATOR_ROLES, PARTY_ROLES, ApiToken, Role, User
from truceline.core.errors import Forbidden, Invalid
from truceline.ledger.services import event_append
from truceline.policy.credentials import needs_second_admin
from truceline.scenario.models import Organisation, OrganisationKind
from truceline.security.models import ChangeKind, CredentialChange

TOKEN_PREFIX = "tl_"  # noqa: S105 - a prefix, not a secret


def _check_role_fits(role: str, organisation: Organisation) -> None:
    allowed = PARTY_ROLES if organisation.kind == OrganisationKind.PARTY else MEDIATOR_ROLES
    if role not in allowed:
        raise Invalid({"role": [f"a {organisation.kind} organisation cannot hold the {role} role"]})


def user_create(
    *,
    actor: AbstractBaseUser | None,
    username: str,
    organisation: Organisation,
    role: str,
    password: str | None,
    email: str = "",
    time_zone: str = "",
) -> User:
    """Create a user of an organisation with a role that fits it (liaison ↔ party)."""
    _check_role_fits(role, organisation)
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            organisation=organisation,
            role=role,
            time_zone=time_zone,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        event_append(
            actor=actor,
            kind="user.created",
            object_type="user",
            object_id=user.username,
            payload={"username": username, "organisation": organisation.slug, "role": role},
        )
    return user


def user_set_password(
    *, actor: AbstractBaseUser | None, user: User, password: str | None
) -> CredentialChange | None:
    """Set a password, or (``None``) turn password sign-in off; the event records that it
    changed, never the password or its hash. Every API token of the person is revoked and
    every other session of theirs ends with it (``user_sign_out_everywhere``): whoever knew
    the old password may have minted or kept access. A view that keeps the person's own
    session calls ``update_session_auth_hash`` after.

    Someone else's change to the password of a person whose role requires a second factor
    waits for a second admin (policy/credentials.py): it is recorded, not made, and returned."""
    encoded = make_password(password) if password is not None else None
    if needs_second_admin(actor, user):
        from truceline.accounts.credentials import change_hold

        kind = ChangeKind.PASSWORD_SET if password is not None else ChangeKind.PASSWORD_DISABLED
        return change_hold(
            actor=actor,  # type: ignore[arg-type]
            user=user,
            kind=kind,
            detail={"password": encoded},
        )
    with transaction.atomic():
        password_apply(actor=actor, user=user, encoded=encoded)
    return None


def password_apply(*, actor: AbstractBaseUser | None, user: User, encoded: str | None) -> None:
    """Store a password hash (``None``: sign-in by password off), on the ledger, and end the
    person's tokens and other sessions. Only ``user_set_password`` and an approved change
    (accounts/credentials.py) call it, inside their transaction."""
    if encoded is None:
        user.set_unusable_password()
    else:
        user.password = encoded
    user.save(update_fields=["password"])
    event_append(
        actor=actor,
        kind="user.password-set" if encoded is not None else "user.password-disabled",
        object_type="user",
        object_id=user.username,
        payload={"username": user.username},
    )
    user_sign_out_everywhere(
        actor=actor,
        user=user,
        because="password-set" if encoded is not None else "password-disabled",
    )


def user_sessions_end(user: User) -> int:
    """Revoke every live API token of ``user`` and end every session of theirs (the session
    epoch moves, so each session's hash is stale at its next request); return how many tokens.
    The caller records why, in its own transaction (``user_sign_out_everywhere``,
    ``security.services.emergency_revoke``). ``user`` is refreshed with the new epoch, so a
    view may keep its own session with ``update_session_auth_hash``."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return revoked


def user_sign_out_everywhere(*, actor: AbstractBaseUser | None, user: User, because: str) -> int:
    """A credential of ``user`` changed (``because``: a password, an authenticator): every
    token and session of theirs ends, on the ledger. Runs inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("user_sign_out_everywhere runs inside its change's transaction")
    revoked = user_sessions_end(user)
    event_append(
        actor=actor,
        kind="user.signed-out-everywhere",
        object_type="user",
        object_id=user.username,
        payload={"username": user.username, "tokens": revoked, "because": because},
    )
    return revoked


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_create(
    *,
    actor: AbstractBaseUser | None,
    user: User,
    name: str = "",
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it and the raw secret, which is never stored."""
    if not user.is_active or not user.role:
        raise Invalid({"username": [gettext("this user is inactive or has no role")]})
    if needs_second_admin(actor, user):
        # Tokens are made on the command line (actor None) or by their owner; an admin who
        # could make one for a signatory could sign in its name without its authenticator.
        raise Forbidden(gettext("a token for this person is made on the command line"))
    lifetime = days if days is not None else settings.TRUCELINE_TOKEN_DAYS
    if not 1 <= lifetime <= 366:
        raise Invalid({"days": [gettext("between 1 and 366")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            digest=token_digest(raw),
            hint=raw[:8],
            role=user.role,
            expires_at=timezone.now() + dt.timedelta(days=lifetime),
        )
        event_append(
            actor=actor,
            kind="token.created",
            object_type="token",
            object_id=token.id,
            payload={"user": user.username, "role": token.role, "expires_at": token.expires_at},
        )
    return token, raw


def token_revoke(*, actor: AbstractBaseUser | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing and records nothing."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        event_append(
            actor=actor,
            kind="token.revoked",
            object_type="token",
            object_id=locked.id,
            payload={"user": locked.user.username},
        )
    return locked


def token_authenticate(raw: str) -> User | None:
    """The user a raw bearer token stands for, or None (unknown, expired, revoked, stale role).

    A token is scoped to the role it was made for: if the user's role has since changed or
    the account was deactivated, the token no longer works.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=token_digest(raw))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    user = token.user
    if not token.is_live(now) or not user.is_active or user.role != token.role:
        return None
    # Touch last use at most once a minute: a write per request would serialise readers.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def request_token_user(request: Any, raw: str) -> User | None:
    """``token_authenticate`` once per request: the idempotency middleware (whose client the
    key belongs to) and the API's auth both ask about the same header."""
    cached = getattr(request, "_truceline_token_user", None)
    if cached is not None and cached[0] == raw:
        return cached[1]  # type: ignore[no-any-return]
    user = token_authenticate(raw)
    request._truceline_token_user = (raw, user)
    return user


def request_bearer_user(request: Any) -> User | None:
    """The user of the request's ``Authorization: Bearer`` token, or None (no bearer token, or
    one that is not live): what the middleware before the API (rate limits, idempotency keys)
    ask, through the one lookup per request."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return request_token_user(request, raw.strip())


# What only a second admin may change of a second-factor person (policy/credentials.py).
HELD_FIELDS = ("role", "organisation", "is_active")


def _held_values(user: User) -> dict[str, Any]:
    return {"role": user.role, "organisation": user.organisation_id, "is_active": user.is_active}


def _user_saved(*, actor: AbstractBaseUser | None, user: User, kind: str, fields: set[str]) -> None:
    """Save ``user`` (an admin has the admin site's flags) and record which fields changed."""
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
    user.save()
    event_append(
        actor=actor,
        kind=kind,
        object_type="user",
        object_id=user.username,
        payload={
            "username": user.username,
            "organisation": user.organisation_id,
            "role": user.role,
            "is_active": user.is_active,
            "fields": sorted(fields),
        },
    )


def user_admin_saved(
    *, actor: AbstractBaseUser | None, user: User, created: bool, changed_fields: list[str]
) -> CredentialChange | None:
    """Save a user edited in the admin and record which fields changed (never the values of
    secrets: a password change is recorded as such).

    Of a person whose role requires a second factor (or who would get such a role), someone
    else's change of role, organisation or activation waits for a second admin: the rest is
    saved, those fields keep their values, and the held change is returned. Deactivating is
    never held (it takes access away). A person made with such a role starts inactive."""
    if user.organisation is not None and user.role:
        _check_role_fits(user.role, user.organisation)
    held: dict[str, Any] = {}
    if created:
        if needs_second_admin(actor, user, after=user) and user.is_active:
            held["is_active"] = True
            user.is_active = False
    else:
        before = User.objects.get(pk=user.pk)
        wanted, was = _held_values(user), _held_values(before)
        changed = {
            f: v for f, v in wanted.items() if v != was[f] and not (f == "is_active" and not v)
        }
        if changed and needs_second_admin(actor, before, after=user):
            held = changed
            for name in changed:
                setattr(user, "organisation_id" if name == "organisation" else name, was[name])
    with transaction.atomic():
        _user_saved(
            actor=actor,
            user=user,
            kind="user.created" if created else "user.changed",
            fields=set(changed_fields) - set(held),
        )
        if not held:
            return None
        from truceline.accounts.credentials import change_hold

        return change_hold(
            actor=actor,  # type: ignore[arg-type]
            user=user,
            kind=ChangeKind.ACCOUNT,
            detail={"fields": held},
        )


def account_apply(*, actor: AbstractBaseUser, user: User, fields: dict[str, Any]) -> None:
    """Make an approved change of role, organisation or activation (accounts/credentials.py),
    on the ledger; the person's tokens (scoped to the old role) and sessions end."""
    for name, value in fields.items():
        if name not in HELD_FIELDS:
            raise ValueError(f"{name!r} is not a held field")
        setattr(user, "organisation_id" if name == "organisation" else name, value)
    if user.organisation is not None and user.role:
        _check_role_fits(user.role, user.organisation)
    _user_saved(actor=actor, user=user, kind="user.changed", fields=set(fields))
    user_sign_out_everywhere(actor=actor, user=user, because="account-changed")
