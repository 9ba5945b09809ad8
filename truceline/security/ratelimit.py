"""Rate limits on sign-in, submissions and exports (docs/security.md, Rate limits).

Fixed windows counted in the database, so that every web process of a deployment counts
together (a per-process cache would give each of N workers its own allowance). One upsert per
limited request, whose commit does not wait for the disk (core.durability): a count lost in a
power cut only forgives a few requests.

Rules are named in ``TRUCELINE_RATE_LIMITS`` (``{"signin": "30/h", ...}``); a rule set to
``""`` is off. Each rule says which requests it counts and by whom: a signed-in client by its
token or its session's user (never the cookie itself), anyone else by address.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpRequest

from truceline.accounts.services import request_bearer_user
from truceline.core.clientip import client_address
from truceline.core.durability import unflushed
from truceline.core.middleware import API_PREFIX
from truceline.security.models import RateCount
from truceline.security.services import record_rate_limited

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_PERIOD = 86400
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rule:
    name: str
    method: str
    path: re.Pattern[str]
    by_address: bool  # sign-in: no client yet


RULES = (
    Rule("signin", "POST", re.compile(r"^/(signin|admin/login)/$"), by_address=True),
    Rule("submit", "POST", re.compile(rf"^(/reports/new/|{API_PREFIX}v1/reports)$"), False),
    Rule("export", "GET", re.compile(rf"^({API_PREFIX}v1)?/exports/incidents\.\w+$"), False),
    Rule("report", "GET", re.compile(r"^/reports/periodic/any/$"), False),
)


def parse_rate(text: str) -> tuple[int, int] | None:
    """``"30/h"`` -> (30, 3600); ``"100/5m"`` -> (100, 300); ``""`` -> None (no limit)."""
    if not text.strip():
        return None
    match = RATE.match(text)
    if match is None:
        raise ValueError(f"not a rate: {text!r} (say 30/m, 100/5m, 1000/d)")
    count, multiple, unit = match.groups()
    period = int(multiple or 1) * PERIODS[unit]
    if not 0 < period <= MAX_PERIOD:
        raise ValueError(f"{text!r}: a window of one second to one day")
    return int(count), period


def _rule_for(request: HttpRequest) -> Rule | None:
    for rule in RULES:
        if request.method == rule.method and rule.path.match(request.path):
            return rule
    return None


def _session_user_id(request: HttpRequest) -> str | None:
    """The user id the session cookie names, once the session store has vouched for it: a
    cookie anyone can invent (a fresh one per request, or a guess at another's) counts by
    address, so it neither escapes a limit nor spends someone else's."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    user_id = session.get(SESSION_KEY)
    return str(user_id) if user_id is not None else None


def _client(request: HttpRequest, rule: Rule) -> str:
    """Who is counted: the token's user, the signed-in session's user, or (signing in, or no
    one) the client's address behind the trusted proxies (core.clientip)."""
    if not rule.by_address:
        user = request_bearer_user(request)
        if user is not None:
            return f"u{user.pk}"
        user_id = _session_user_id(request)
        if user_id is not None:
            return f"u{user_id}"
    return "a" + (client_address(request) or "-")


def _count(bucket: str, window: int) -> int:
    table = connection.ops.quote_name(RateCount._meta.db_table)
    with unflushed(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, period_start, hits) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (bucket, period_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [bucket, window],
        )
        (hits,) = cursor.fetchone()
    return int(hits)


def retry_after(request: HttpRequest) -> int | None:
    """Count this request; seconds until its client may try again when it is over the limit,
    else None."""
    rule = _rule_for(request)
    if rule is None:
        return None
    rate = parse_rate(settings.TRUCELINE_RATE_LIMITS.get(rule.name, ""))
    if rate is None:
        return None
    limit, period = rate
    now = time.time()
    window = int(now // period) * period
    hits = _count(f"{rule.name}:{_client(request, rule)}"[:120], window)
    if hits == 1:  # the first of a new window: forget windows long gone
        RateCount.objects.filter(period_start__lt=window - 2 * MAX_PERIOD).delete()
    if hits <= limit:
        return None
    if hits == limit + 1:  # once per client and window, however long the flood
        record_rate_limited(request, rule.name, limit, period)
    return max(1, int(window + period - now + 0.999))
