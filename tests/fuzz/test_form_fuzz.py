"""Every form on every page, fed bad input: oversized, malformed, of the wrong type, in the wrong
encoding, and injection attempts.

The forms are not listed by hand. Each role signs in and crawls the site from its home page,
following its own links (one page per URL shape), and every ``<form>`` met on the way is
collected with its fields. Each form is then submitted with the bad values below, the whole
form at once and one field at a time, plus bodies that are broken as a whole. A new form on
any page is fuzzed without anyone remembering to add it here.

Every answer must be a deliberate one:

- no 500 (each one is collected with its role, form and input, its trace goes to the log, and
  the test fails listing them all);
- a refusal (4xx) changes nothing: the event log has no new event;
- nothing sent comes back as live markup (the script tag comes back escaped or not at all).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes, urlencode, urljoin, urlsplit

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from truceline.accounts.testing import force_sign_in
from truceline.ledger.models import Event
from truceline.testing.builders import (
    make_evidence,
    make_measure,
    make_osint,
    make_question,
    make_reconsideration,
    make_recorded_round,
    make_request,
)
from truceline.testing.incidents import make_incident

SCRIPT = "<script>alert('fuzz')</script>"
# One value per kind of bad input; each is tried in every field of every form.
BAD_VALUES: dict[str, object] = {
    "empty": "",
    "oversized": "Ω" * 100_000,
    "nul": "report\x00; rm -rf /",
    "wrong-type-number": "1e309",
    "wrong-type-huge": "9" * 400,
    "wrong-type-date": "2025-13-45T25:61",
    "negative": "-1",
    "sql": "' OR '1'='1'; DROP TABLE incidents_incident; --",
    "markup": SCRIPT,
    "template": "{{ settings.SECRET_KEY }}{% debug %}${7*7}",
    "path": "../../../../etc/passwd",
    "header": "x\r\nSet-Cookie: session=stolen",
    "unicode": "\u202eevil\ufeff\U0001f600" * 50,
    "repeated": ["one", "two"],  # a single-valued field sent twice
}
# Bytes that are not UTF-8 (a lone surrogate, a stray continuation byte, overlong form).
BAD_BYTES = b"\xed\xa0\x80\xff\xfe\xc0\xaf"
UPLOADS = {
    "empty-file": ("empty.pdf", b""),
    "lying-file": ("photo.jpg", b"MZ\x90\x00 this is a Windows program"),
    "traversal-name": ("../../../etc/cron.d/x", b"%PDF-1.4\n"),
    "long-name": ("a" * 300 + ".txt", b"plain"),
    "nul-name": ("evil\x00.txt", b"plain"),
}
# Events that record a reading, not a change: a page that names people records each showing,
# refusals included.
READINGS = ["request.subjects-read"]
ROLES = ["anonymous", "pk-liaison", "af-liaison", "qa-monitor", "qa-signatory", "admin"]
SKIP = re.compile(r"^/(admin|api|static|media)/|^/signout/|\.(atom|json|csv|pdf|geojson|xlsx)$")
START = ["/", "/account/two-factor/"]  # pages no link leads to (the account's own)
MAX_PAGES = 200  # per role
PER_SHAPE = 6  # pages of one URL shape (incidents in different states show different forms)


@dataclass
class Form:
    role: str
    page: str
    method: str
    action: str
    multipart: bool
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> default values
    files: list[str] = field(default_factory=list)

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Forms of one kind (the same fields, posted to the same part of the site) count once:
        the triage form of one incident stands for every incident's."""
        section = urlsplit(self.action).path.strip("/").split("/")[0]
        return (self.method, section, tuple(sorted(self.fields) + self.files))


def shape(url: str) -> str:
    """A URL with its ids folded, so that one page per kind is crawled."""
    parts = urlsplit(url)
    path = re.sub(r"[A-Z]{3}-[0-9A-Za-z]+", "{id}", parts.path)
    path = re.sub(r"/[\d-]+(?=/|$|\.)", "/{n}", path)
    keys = sorted({kv.split("=")[0] for kv in parts.query.split("&") if kv})
    return path + ("?" + "&".join(keys) if keys else "")


def client_for(role: str, people) -> Client:  # type: ignore[no-untyped-def]
    # A view's exception becomes the 500 a user would get (and its trace in the log), so that
    # one run lists every fault instead of stopping at the first.
    client = Client(raise_request_exception=False)
    return client if role == "anonymous" else force_sign_in(client, people[role])


def crawl(client: Client, role: str) -> Iterator[Form]:
    visited: set[str] = set()
    per_shape: Counter[str] = Counter()
    queue = list(START)
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        if url in visited or per_shape[shape(url)] >= PER_SHAPE or SKIP.search(url):
            continue
        visited.add(url)
        per_shape[shape(url)] += 1
        response = client.get(url)
        assert response.status_code < 500, (role, url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        doc = lxml.html.fromstring(response.content)
        for href in doc.xpath("//a/@href"):
            target = urljoin(url, href).split("#")[0]
            if target.startswith("/") and target not in visited:
                queue.append(target)
        for node in doc.forms:
            yield parse_form(node, role, url)


def parse_form(node, role: str, page: str) -> Form:  # type: ignore[no-untyped-def]
    method = (node.get("method") or "get").upper()
    action = urljoin(page, node.get("action") or page)
    multipart = (node.get("enctype") or "") == "multipart/form-data"
    form = Form(role, page, method, action, multipart)
    for element in node.xpath(".//input|.//select|.//textarea|.//button"):
        name = element.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        kind = (element.get("type") or "").lower()
        if element.tag == "input" and kind == "file":
            form.files.append(name)
            continue
        if element.tag == "select":
            options = element.xpath(".//option/@value")
            value = options[-1] if options else ""
        elif kind in {"checkbox", "radio"} and name in form.fields:
            continue
        else:
            value = element.get("value") or element.text or ""
        form.fields.setdefault(name, []).append(value)
    return form


def discovered(people) -> list[Form]:  # type: ignore[no-untyped-def]
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    for role in ROLES:
        for form in crawl(client_for(role, people), role):
            forms.setdefault(form.key(), form)
    return list(forms.values())


def submissions(form: Form) -> Iterator[tuple[str, dict[str, object]]]:
    """(what is wrong, the data to send): every bad value in all fields, then in each field."""
    defaults: dict[str, object] = {
        name: values if len(values) > 1 else values[0] for name, values in form.fields.items()
    }
    for kind, bad in BAD_VALUES.items():
        yield f"all fields {kind}", {name: bad for name in form.fields}
    kinds = list(BAD_VALUES.items())
    for i, name in enumerate(form.fields):
        for kind, bad in (kinds[i % len(kinds)], kinds[(i + 5) % len(kinds)]):
            yield f"{name} {kind}", {**defaults, name: bad}
    for kind, (filename, content) in UPLOADS.items():
        if form.files:
            files = {name: SimpleUploadedFile(filename, content) for name in form.files}
            yield f"files {kind}", {**defaults, **files}


def raw_bodies(form: Form) -> Iterator[tuple[str, bytes, str]]:
    """Bodies broken as a whole: (what is wrong, body, content type)."""
    names = list(form.fields) or ["field"]
    bad = quote_from_bytes(BAD_BYTES)
    yield (
        "not UTF-8",
        "&".join(f"{quote_from_bytes(n.encode())}={bad}" for n in names).encode(),
        "application/x-www-form-urlencoded",
    )
    yield (
        "declared UTF-16, sent Latin-1",
        urlencode({n: "café" for n in names}, encoding="latin-1").encode(),
        "application/x-www-form-urlencoded; charset=utf-16",
    )
    yield (
        "unknown charset",
        urlencode({n: "x" for n in names}).encode(),
        "application/x-www-form-urlencoded; charset=no-such-charset",
    )
    yield ("broken multipart", b"--x\r\nContent-Disposition: form\r\n\r\n", "multipart/form-data")
    yield (
        "multipart, no end",
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n' + BAD_BYTES,
        "multipart/form-data; boundary=b",
    )
    yield ("JSON instead of a form", b'{"narrative": [1, {"x": null}]}', "application/json")
    yield (
        "too many fields",
        "&".join(f"f{i}=x" for i in range(3000)).encode(),
        "application/x-www-form-urlencoded",
    )


def changes() -> int:
    return Event.objects.exclude(kind__in=READINGS).count()


def faults(response, form: Form, what: str, events_before: int) -> list[str]:  # type: ignore[no-untyped-def]
    where = f"{form.role} {form.method} {form.action} (from {form.page}): {what}"
    found = []
    if response.status_code >= 500:
        found.append(f"{response.status_code}: {where}")
    if response.status_code >= 400 and changes() != events_before:
        found.append(f"a refusal changed something: {where}")
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8", "replace")
    if SCRIPT in body:
        found.append(f"sent markup came back live: {where}")
    return found


@pytest.mark.django_db
def test_every_form_refuses_bad_input_cleanly(people, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_RATE_LIMITS = {}  # a thousand posts in a minute: each must reach its form
    for state in ("received", "under-verification", "finding-drafted", "endorsed", "published"):
        make_incident(people, state)
    make_incident(people, "triaged", confidentiality="mechanism")
    make_evidence(people, "parties")
    make_osint("candidate")
    make_question(people, "afghanistan")
    make_reconsideration(people, "pakistan")
    make_request(people, "made")
    make_measure(people, "announced")
    make_recorded_round(people)

    forms = discovered(people)
    # The crawl must reach the forms the site is made of; if it stops finding them the test
    # would pass vacuously.
    actions = {shape(f.action) for f in forms}
    for expected in ("/signin/", "/reports/new/", "/incidents/{id}/{n}/", "/evidence/"):
        assert any(a.startswith(expected.split("{")[0]) for a in actions), (expected, actions)
    assert len(forms) >= 20, sorted(actions)

    sent = 0
    found: list[str] = []
    clients: dict[str, Client] = {}
    for form in forms:
        for what, data in submissions(form):
            client = clients.setdefault(form.role, client_for(form.role, people))
            before = changes()
            if form.method == "GET":
                flat = {k: v for k, v in data.items() if not hasattr(v, "read")}
                response = client.get(form.action, flat)
            else:
                response = client.post(form.action, data)
            found += faults(response, form, what, before)
            sent += 1
        for what, body, content_type in raw_bodies(form) if form.method == "POST" else ():
            client = clients.setdefault(form.role, client_for(form.role, people))
            before = changes()
            response = client.generic("POST", form.action, body, content_type=content_type)
            found += faults(response, form, what, before)
            sent += 1
        if urlsplit(form.action).path == "/signout/":
            clients.pop(form.role)  # signed out: the next form starts a new session
    assert not found, "\n".join(found)
    assert sent > 500
