"""Compartments of notifications: each person's notifications and webhooks are their own
(the secretariat's admins included: a notification may name what only its reader sees)."""

from __future__ import annotations

from django.db import models

from truceline.notify.models import Notification, Webhook
from truceline.policy.core import Viewer, access, register, role_of


def _own(model: type[models.Model]) -> object:
    def visible(user: Viewer) -> models.QuerySet:  # type: ignore[type-arg]
        if role_of(user) == "public":
            return model._default_manager.none()
        return model._default_manager.filter(user_id=user.pk)

    return visible


def access_webhook(user: Viewer, webhook_id: str) -> Webhook:
    """A webhook by the random id its owner sees (never the row's number)."""
    return access(user, Webhook, public_id=webhook_id)


def register_rules() -> None:
    """Notifications' rules: called once, by the policy package (rules.py)."""
    register(Notification, visible=_own(Notification))  # type: ignore[arg-type]
    register(
        Webhook,
        visible=_own(Webhook),  # type: ignore[arg-type]
        actions={"revoke": lambda user, hook: hook.user_id == user.pk and hook.revoked_at is None},
    )
