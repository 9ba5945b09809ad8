"""No write without its CSRF token: a page that a signed-in person's browser can be made to post
to, from another site, refuses the post unless it carries the token only our pages hold.

Nothing here is listed by hand:

- every URL pattern of the URL configuration (the admin's included) is posted to without a
  token, as each role, and must answer Django's CSRF refusal; the only views exempt from the
  CSRF middleware are the API's operations, whose answer follows;
- every ``<form method="post">`` the crawler (``truceline.testing.crawl``) meets as each role is
  sent as that role with its own fields and without its token: refused, and the same form with
  the token is not (so the refusal was the token's, not the policy's);
- every write operation of the served OpenAPI document, from a signed-in, verified session
  without ``X-CSRFToken``, is refused: a bearer token's operation does not take the session at
  all (401), one that takes the session wants the token (403). Writes made with a bearer token
  carry no cookie, so there is nothing to forge: they are exempt by design.

Each refusal changes nothing: the row count of every table of the mechanism's records and the
ledger's length are the same after as before.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from truceline.accounts.testing import force_sign_in
from truceline.ledger.models import Event
from truceline.testing.crawl import crawl
from truceline.testing.world import ROLES, plant

REFUSED = b"CSRF verification failed"
# Tables whose rows are bookkeeping, not records: a refused request may still be counted.
BOOKKEEPING = {"security_ratecount": "a rate limit counts requests, refused ones too"}
# Write operations that act for nobody (no session, no token): nothing for a forger to borrow.
ACT_FOR_NOBODY = {
    "post /api/v1/ledger/check-receipt": "checks a receipt sent in the body; writes nothing",
    "post /api/v1/ledger/cosignatures": "a witness's signature is its credential",
}
CANDIDATES = ["x", "1", "all", "2025-01", "x/y"]


def _refused(url: str, answer: Any) -> bool:
    """Django's CSRF refusal: its page, or under /api/ the same 403 in the API's error shape
    (core.middleware.ApiErrorShapeMiddleware)."""
    if answer.status_code != 403:
        return False
    if url.startswith("/api/"):
        return bool(answer.json()["error"]["code"] == "forbidden")
    return REFUSED in answer.content


def _counts() -> dict[str, int]:
    """Rows of every table of Truceline's apps (the ledger's among them)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.proxy:
            continue  # no table of its own (security.Authenticator is django-otp's)
        if model.__module__.startswith("truceline.") and table not in BOOKKEEPING:
            counts[table] = model._base_manager.count()
    counts["ledger length"] = Event.objects.count()
    return counts


def _patterns(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(pattern text, view) for every URL pattern, nested ones with their prefixes."""
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _patterns(p.url_patterns, prefix + str(p.pattern).lstrip("^"))
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern).lstrip("^"), p.callback))
    return out


def _concrete(pattern: str, view: Any, ids: dict[str, str]) -> str:
    """A URL that the pattern matches and resolves to its view: each parameter filled with the
    world's id of that name, or the first value that fits."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", pattern)
    url = pattern.rstrip("$")
    for route_name, regex_name, body in names:
        name = route_name or regex_name
        literal = body.split("|")[0] if body and re.fullmatch(r"[\w|.-]+", body) else None
        choices = [ids[name]] if name in ids else []
        choices += ([literal] if literal else []) + CANDIDATES
        holder = re.compile(
            re.escape(f"<{name}>")
            + "|"
            + r"<\w+:"
            + re.escape(name)
            + ">|"
            + re.escape(f"(?P<{name}>{body})")
        )
        for choice in choices:
            trial = holder.sub(choice, url, count=1)
            probe = re.sub(r"<(?:\w+:)?\w+>|\(\?P<\w+>(?:[^()]|\([^()]*\))*\)", "1", trial)
            try:
                if resolve("/" + probe.replace("\\", "")).func is view:
                    url = trial
                    break
            except Resolver404:
                continue
        else:
            raise AssertionError(f"no URL found for the pattern {pattern!r} ({name})")
    url = "/" + url.replace("\\", "")
    assert resolve(url).func is view, (pattern, url)
    return url


def _client(role: str, people: dict[str, Any]) -> Client:
    client = Client(enforce_csrf_checks=True)
    return client if role == "public" else force_sign_in(client, people[role])


def _ids(ids: dict[str, str]) -> dict[str, str]:
    return {
        "incident_id": ids["incident"],
        "report_id": ids["report"],
        "finding_id": ids["finding"],
        "evidence_id": ids["evidence"],
        "request_id": ids["request"],
    }


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_its_csrf_token(api, people) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(plant(api))
    exempt, urls = [], []
    for pattern, view in _patterns(get_resolver().url_patterns):
        if getattr(view, "csrf_exempt", False):
            exempt.append((pattern, view))
            continue
        urls.append(_concrete(pattern, view, ids))
    # the only views the CSRF middleware lets through are the API's operations (next test)
    assert {view.__module__ for _p, view in exempt} == {"ninja.operation"}, exempt
    assert all(p.startswith("api/v1/") for p, _v in exempt)
    assert any(u.startswith("/admin/") for u in urls) and "/account/password/" in urls
    before = _counts()
    let_through = []
    for role in ROLES:
        client = _client(role, people)
        for url in urls:
            answer = client.post(url, {"anything": "1"})
            if not _refused(url, answer):
                let_through.append(f"{role} POST {url}: {answer.status_code}")
    assert let_through == [], "\n".join(let_through)
    assert _counts() == before


def _forms(page_url: str, html: str) -> list[tuple[str, dict[str, str]]]:
    """(action, fields) of every form posted by method POST on a page."""
    tree = lxml.html.fromstring(html)
    out = []
    for form in tree.forms:
        if (form.method or "GET").upper() != "POST":
            continue
        action = urljoin(page_url, form.action or page_url)
        parts = urlsplit(action)
        if parts.netloc:
            continue
        fields = {
            name: value if isinstance(value, str) else ""
            for name, value in form.form_values()
            if name != "csrfmiddlewaretoken"
        }
        out.append((parts.path + (f"?{parts.query}" if parts.query else ""), fields))
    return out


@pytest.mark.django_db
def test_every_form_refuses_its_post_without_its_csrf_token(api, people) -> None:  # type: ignore[no-untyped-def]
    ids = plant(api)
    start = ["/", "/account/two-factor/", "/account/password/", f"/incidents/{ids['incident']}/"]
    found: list[tuple[str, str, dict[str, str]]] = []
    for role in ROLES:
        client = _client(role, people)
        seen = set()
        for page in crawl(client, start=start, per_shape=2):
            for action, fields in _forms(page.url, page.html):
                key = (resolve(urlsplit(action).path).route, tuple(sorted(fields)))
                if key not in seen:
                    seen.add(key)
                    found.append((role, action, fields))
    routes = {resolve(urlsplit(a).path).route for _r, a, _f in found}
    # the walk met the forms of every kind of person (a check of nothing proves nothing)
    assert {r for r, _a, _f in found} >= set(ROLES), found
    assert len(routes) >= 15, routes
    before = _counts()
    let_through = []
    for role, action, fields in found:
        answer = _client(role, people).post(action, fields)
        if not _refused(action, answer):
            let_through.append(f"{role} POST {action}: {answer.status_code}")
    assert let_through == [], "\n".join(let_through)
    assert _counts() == before
    # The same forms with their token are not refused by it: the refusal above was the token's.
    for role, action, fields in found:
        client = _client(role, people)
        client.get("/account/two-factor/" if role != "public" else "/signin/")
        token = client.cookies["csrftoken"].value
        answer = client.post(action, {**fields, "csrfmiddlewaretoken": token})
        assert REFUSED not in answer.content, (role, action)


@pytest.mark.django_db
def test_no_session_writes_to_the_api_without_its_csrf_token(api, people) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(plant(api))
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    writes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "head", "options"}:
                continue
            if not operation.get("security"):
                assert f"{method} {path}" in ACT_FOR_NOBODY, (method, path)
                continue
            schemes = {name for item in operation["security"] for name in item}
            url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), path)
            writes.append((method, url, schemes))
    assert len(writes) >= 30, writes
    before = _counts()
    let_through = []
    for role in [r for r in ROLES if r != "public"]:
        client = _client(role, people)
        assert client.get("/api/v1/map").status_code == 200  # the session is good for reads
        for method, url, schemes in writes:
            answer = getattr(client, method)(url, "{}", content_type="application/json")
            code = answer.json().get("error", {}).get("code") if answer.content else None
            allowed = {401: "unauthenticated"} if schemes == {"Bearer"} else {403: "forbidden"}
            if schemes != {"Bearer"}:
                allowed[401] = "unauthenticated"  # not signed in for this operation
            if allowed.get(answer.status_code) != code:
                let_through.append(f"{role} {method.upper()} {url}: {answer.status_code} {code}")
    assert let_through == [], "\n".join(let_through)
    assert _counts() == before
