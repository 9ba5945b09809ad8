"""The two-person rule: a change to a second-factor person's credentials, asked for by someone
else, waits for a second admin (who may: policy/credentials.py).

``change_hold`` records the request (a ledger entry; the person and the other admins told by
email); ``change_approve`` makes it, in the name of the admin who approved, through the same
code that makes an unheld change (its own ledger entries, tokens and sessions ended);
``change_refuse`` closes it. Each step is on the ledger. The services that change credentials
(``user_set_password``, ``twofactor.authenticator_remove``, ``user_admin_saved``) call
``change_hold`` themselves, so no caller — the admin's forms included — goes around it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import ApiError, Forbidden
from truceline.ledger.services import event_append
from truceline.policy.credentials import may_decide_change, told_of_change
from truceline.security.models import ChangeKind, ChangeState, CredentialChange


def _tell(change: CredentialChange, subject: str, body: str) -> None:
    """Email the person the change is about and every other admin, after the commit."""
    to = told_of_change(change)
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, to, fail_silently=True))


def _payload(change: CredentialChange) -> dict[str, Any]:
    return {
        "change": change.id,
        "username": change.user.username,
        "kind": change.kind,
        "requested_by": change.requested_by.username,
    }


def change_hold(
    *, actor: AbstractBaseUser, user: User, kind: str, detail: dict[str, Any]
) -> CredentialChange:
    """Record a change that waits for a second admin, instead of making it."""
    with transaction.atomic():
        change = CredentialChange.objects.create(
            user=user,
            kind=kind,
            detail=detail,
            requested_by=actor,  # type: ignore[misc]
        )
        event_append(
            actor=actor,
            kind="user.change-requested",
            object_type="user",
            object_id=user.username,
            payload=_payload(change),
        )
        _tell(
            change,
            gettext("[Truceline] A change to your account awaits a second admin"),
            gettext(
                "%(by)s asked to change the account %(user)s: %(what)s (%(id)s). It is made "
                "only when another admin approves it. If you did not expect it, tell the "
                "secretariat now."
            )
            % {
                "by": actor.get_username(),
                "user": user.username,
                "what": ChangeKind(kind).label,
                "id": change.id,
            },
        )
    return change


def _locked_pending(change: CredentialChange, actor: AbstractBaseUser) -> CredentialChange:
    locked = (
        CredentialChange.objects.select_for_update()
        .select_related("user", "requested_by")
        .get(pk=change.pk)
    )
    if not may_decide_change(actor, locked):
        raise Forbidden(
            gettext("a second admin decides: not the one who asked, nor the person it is about")
        )
    if locked.state != ChangeState.PENDING:
        raise ApiError("conflict", gettext("this change was already decided"))
    return locked


def _close(locked: CredentialChange, actor: AbstractBaseUser, state: str) -> None:
    locked.state = state
    locked.decided_by = actor  # type: ignore[assignment]
    locked.decided_at = timezone.now()
    locked.detail = {k: v for k, v in locked.detail.items() if k != "password"}
    locked.save(update_fields=["state", "decided_by", "decided_at", "detail"])


def change_approve(*, actor: AbstractBaseUser, change: CredentialChange) -> CredentialChange:
    """A second admin approves: the change is made now, in the approver's name."""
    from truceline.accounts import services, twofactor

    with transaction.atomic():
        locked = _locked_pending(change, actor)
        user = User.objects.select_for_update().get(pk=locked.user_id)
        event_append(
            actor=actor,
            kind="user.change-approved",
            object_type="user",
            object_id=user.username,
            payload=_payload(locked),
        )
        detail = locked.detail
        if locked.kind in {ChangeKind.PASSWORD_SET, ChangeKind.PASSWORD_DISABLED}:
            services.password_apply(actor=actor, user=user, encoded=detail.get("password"))
        elif locked.kind == ChangeKind.SECOND_FACTOR_REMOVED:
            twofactor.authenticator_remove_apply(actor=actor, device_id=detail["device"])
        else:
            services.account_apply(actor=actor, user=user, fields=detail["fields"])
        _close(locked, actor, ChangeState.APPROVED)
        _tell(
            locked,
            gettext("[Truceline] A change to your account was made"),
            gettext("%(by)s approved the change %(id)s to the account %(user)s: %(what)s.")
            % {
                "by": actor.get_username(),
                "id": locked.id,
                "user": user.username,
                "what": locked.get_kind_display(),
            },
        )
    return locked


def change_refuse(*, actor: AbstractBaseUser, change: CredentialChange) -> CredentialChange:
    """A second admin refuses: nothing is changed, and the request is closed."""
    with transaction.atomic():
        locked = _locked_pending(change, actor)
        event_append(
            actor=actor,
            kind="user.change-refused",
            object_type="user",
            object_id=locked.user.username,
            payload=_payload(locked),
        )
        _close(locked, actor, ChangeState.REFUSED)
        _tell(
            locked,
            gettext("[Truceline] A change to your account was refused"),
            gettext("%(by)s refused the change %(id)s to the account %(user)s: %(what)s.")
            % {
                "by": actor.get_username(),
                "id": locked.id,
                "user": locked.user.username,
                "what": locked.get_kind_display(),
            },
        )
    return locked
