"""The policy's machinery: a registry of visibility and action rules per model, and of the
actions that have no object yet (filing a report, making a request: ``"<thing>.<verb>"``).

An action's rule says who may take it; where the object's state matters too, the rule is a
``Step``: ``who`` (refused: 403) and ``when`` (refused: 409). ``can()`` answers both, for the
pages' and the API's offers of the steps a viewer may take now; a service that tells a
refusal from a conflict asks ``can(..., any_state=True)`` first and then checks the state
itself, under its lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from truceline.core.errors import NotFound

Viewer = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=models.Model)

Visibility = Callable[[Viewer], "models.QuerySet[Any]"]
Rule = Callable[[Viewer, Any], bool]


@dataclass(frozen=True)
class Step:
    """An action on an object in a state: ``who`` may take it, and ``when`` (the object's
    state) it may be taken."""

    who: Rule
    when: Callable[[Any], bool]


_VISIBILITY: dict[type[models.Model], Visibility] = {}
_ACTIONS: dict[tuple[type[models.Model], str], Rule | Step] = {}
_OBJECTLESS: dict[str, Callable[[Viewer], bool]] = {}


def role_of(user: Viewer) -> str:
    """The user's role, or "public" for anonymous and inactive users."""
    if not user.is_authenticated or not user.is_active:
        return "public"
    return str(getattr(user, "role", "") or "public")


def organisation_of(user: Viewer) -> str | None:
    if not user.is_authenticated:
        return None
    return getattr(user, "organisation_id", None)


def is_mediator(user: Viewer) -> bool:
    """Monitors, signatories and secretariat admins: the mechanism's own people."""
    return role_of(user) in {"monitor", "signatory", "admin"}


def liaison_org(user: Viewer) -> str | None:
    """The party a liaison speaks for; None for anyone else."""
    return organisation_of(user) if role_of(user) == "liaison" else None


def is_party_user(user: Viewer) -> bool:
    return role_of(user) == "liaison" and organisation_of(user) is not None


def register(
    model: type[M],
    *,
    visible: Callable[[Viewer], models.QuerySet[M]],
    actions: dict[str, Callable[[Viewer, M], bool] | Step] | None = None,
) -> None:
    """Declare a model's visibility rule and the rules of its actions."""
    _VISIBILITY[model] = visible
    for action, rule in (actions or {}).items():
        _ACTIONS[(model, action)] = rule


def register_actions(actions: dict[str, Callable[[Viewer], bool]]) -> None:
    """Declare actions that have no object yet, named ``"<thing>.<verb>"``."""
    for action, rule in actions.items():
        if "." not in action:
            raise ValueError(f"an action without an object is named <thing>.<verb>: {action}")
        _OBJECTLESS[action] = rule


def registered_actions() -> dict[str, set[str]]:
    """Every action a rule decides: per model name, and ``""`` for those without an object."""
    out: dict[str, set[str]] = {"": set(_OBJECTLESS)}
    for model, action in _ACTIONS:
        out.setdefault(model.__name__, set()).add(action)
    return out


def visible_to(user: Viewer, model: type[M]) -> models.QuerySet[M]:
    """Every row of ``model`` this user may see. Unregistered models are nobody's."""
    rule = _VISIBILITY.get(model)
    if rule is None:
        raise LookupError(f"no visibility rule for {model.__name__}")
    return rule(user)


def access(user: Viewer, model: type[M], **lookup: Any) -> M:
    """The object, if it exists and this user may see it; otherwise the one 404."""
    obj = visible_to(user, model).filter(**lookup).first()
    if obj is None:
        from truceline.security.services import record_denial

        record_denial(user, model, lookup)  # recorded if it exists; the answer is the same
        raise NotFound()
    return obj


def can(
    user: Viewer, action: str, obj: models.Model | None = None, *, any_state: bool = False
) -> bool:
    """Whether this user may do ``action`` on ``obj`` now ("view" is visibility itself), or,
    without an object, the action ``"<thing>.<verb>"``. With ``any_state``, whether this user
    is one who may, whatever the object's state (the service then checks the state: 409)."""
    if obj is None:
        objectless = _OBJECTLESS.get(action)
        return objectless is not None and objectless(user)
    model = type(obj)
    if action == "view":
        return visible_to(user, model).filter(pk=obj.pk).exists()
    rule = _ACTIONS.get((model, action))
    if rule is None:
        return False
    if isinstance(rule, Step):
        return rule.who(user, obj) and (any_state or rule.when(obj))
    return rule(user, obj)
