"""The accounts' answers: who the caller is, and its tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from truceline.accounts.models import ApiToken


class MeOut(Schema):
    username: str
    organisation: str | None
    role: str
    time_zone: str


class TokenOut(Schema):
    id: str
    name: str
    hint: str
    role: str
    user: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @staticmethod
    def resolve_user(obj: ApiToken) -> str:
        return obj.user.username


def me_out(user: Any) -> dict[str, Any]:
    return {
        "username": user.get_username(),
        "organisation": getattr(user, "organisation_id", None),
        "role": getattr(user, "role", ""),
        "time_zone": getattr(user, "time_zone", ""),
    }
