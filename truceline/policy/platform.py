"""Compartments of the platform's objects: the scenario, people, tokens, the event log."""

from __future__ import annotations

from django.db import models

from truceline.accounts.models import ApiToken, Role, User
from truceline.ledger.models import Event
from truceline.policy.core import (
    Step,
    Viewer,
    access,
    is_mediator,
    organisation_of,
    register,
    register_actions,
    role_of,
)
from truceline.scenario import models as scenario


def _rounds_visible(user: Viewer) -> models.QuerySet[scenario.Round]:
    """A round the mechanism recorded is the mediators' until a guarantor announces it."""
    if is_mediator(user):
        return scenario.Round.objects.all()
    return scenario.Round.objects.filter(announced_at__isnull=False)


def access_round(user: Viewer, slug: str) -> scenario.Round:
    return access(user, scenario.Round, pk=slug)


def _users_visible(user: Viewer) -> models.QuerySet[User]:
    """Mediators see everyone; a liaison sees the people of its own party; the public nobody.

    A party never learns who the other party's officers are.
    """
    if is_mediator(user):
        return User.objects.all()
    if role_of(user) == Role.LIAISON:
        return User.objects.filter(organisation_id=organisation_of(user))
    return User.objects.none()


def _tokens_visible(user: Viewer) -> models.QuerySet[ApiToken]:
    """Tokens are their owner's; the secretariat's admins see every token (never its secret)."""
    if role_of(user) == Role.ADMIN:
        return ApiToken.objects.all()
    if user.is_authenticated and role_of(user) != "public":
        return ApiToken.objects.filter(user_id=user.pk)
    return ApiToken.objects.none()


def _events_visible(user: Viewer) -> models.QuerySet[Event]:
    """Event contents are the mechanism's; the public gets the ledger's hashes, and each
    person the events they made themselves (their receipts: what they submitted, and when)."""
    if is_mediator(user):
        return Event.objects.all()
    if user.is_authenticated and role_of(user) != "public":
        return Event.objects.filter(actor_id=user.pk)
    return Event.objects.none()


def access_user(user: Viewer, username: str) -> User:
    return access(user, User, username=username)


def access_token(user: Viewer, token_id: str) -> ApiToken:
    return access(user, ApiToken, pk=token_id)


def access_event(user: Viewer, seq: int) -> Event:
    return access(user, Event, seq=seq)


def register_rules() -> None:
    """The platform's rules: called once, by the policy package (rules.py)."""
    # The scenario is public: parties, mediators, categories, commitments, places, actors; rounds
    # once announced (those from the scenario file are).
    for _model in (
        scenario.Scenario,
        scenario.Organisation,
        scenario.Category,
        scenario.Commitment,
        scenario.Sector,
        scenario.Place,
        scenario.Actor,
    ):
        register(
            _model,
            visible=lambda user, _m=_model: _m.objects.all(),  # type: ignore[misc]
            actions={"change": lambda user, obj: role_of(user) == Role.ADMIN},
        )
    register(
        scenario.Round,
        visible=_rounds_visible,
        actions={
            "change": lambda user, obj: role_of(user) == Role.ADMIN,
            # a guarantor's signatory, a round not yet announced (409 once it is)
            "announce": Step(
                who=lambda user, obj: role_of(user) == Role.SIGNATORY,
                when=lambda obj: obj.announced_at is None,
            ),
        },
    )
    register(
        User,
        visible=_users_visible,
        actions={"change": lambda user, obj: role_of(user) == Role.ADMIN},
    )
    register(
        ApiToken,
        visible=_tokens_visible,
        actions={
            "revoke": lambda user, obj: role_of(user) == Role.ADMIN or obj.user_id == user.pk,
        },
    )
    register(Event, visible=_events_visible, actions={})
    register_actions(
        {
            # the mediators record a round of talks; a guarantor announces it (above)
            "round.record": is_mediator,
            # the secretariat revokes tokens in bulk from the admin (Django's superuser flag)
            "token.revoke-many": lambda user: bool(getattr(user, "is_superuser", False)),
        }
    )


def desk_of(user: Viewer) -> str:
    """Which home page a viewer has: its role's queues (``liaison``, ``monitor``,
    ``signatory``, ``admin``), or the public portal (``public``)."""
    return role_of(user)


def audience(role: str, organisations: set[str] | None = None) -> models.QuerySet[User]:
    """The active people of a role (of these organisations): whom a notification or a mail
    meant for that role reaches."""
    found = User.objects.filter(role=role, is_active=True)
    if organisations is not None:
        found = found.filter(organisation_id__in=organisations)
    return found


def may_administer(user: Viewer) -> bool:
    """Django's admin: an active staff member whose session has verified its second factor."""
    from truceline.policy.factors import second_factor_pending

    return bool(
        user.is_active and getattr(user, "is_staff", False) and not second_factor_pending(user)
    )
