"""A world with a secret in every compartment: the story of one allegation driven through the
API, with a unique word (a canary) planted in each confidential field, and the surfaces each
role can read of it. The leak canaries and the existence-oracle checks walk it.

Planted: a sealed passage of a report, the report's confidential source, a photo's file name
and its EXIF artist and camera, the accused party's answer before publication (and the
evidence it cites), a draft finding's summary, the name of a person a request concerns, and
the usernames of each party's officer.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

from django.test import Client
from django.utils import timezone
from PIL import Image

from truceline.accounts.testing import force_sign_in

ROLES = ["pk-liaison", "af-liaison", "qa-monitor", "qa-signatory", "admin", "public"]
MECHANISM = {"qa-monitor", "qa-signatory", "admin"}

SEALED = "Zarqun7Sealed"
SOURCE = "Kestrel4Source"
FILE_NAME = "Vortan9Filename"
ARTIST = "Miravel2Artist"
CAMERA = "Quorix5Camera"
ANSWER = "Tessaly8Answer"
ANSWER_FILE = "Brindle6Answerfile"
DRAFT = "Ulmeth3Draft"
SUBJECT = "Pellow1Subject"
RESEALED = "Orvane5Witness"  # a sealed passage of an answer the public edition prints

# canary -> who wrote it: a receipt proves what its holder submitted, so it carries the
# author's own words, sealed since or not (the compartment table gives the filing party all
# of its own report; the seal keeps the passage from everyone else)
AUTHOR = {SEALED: "pk-liaison", SOURCE: "pk-liaison", RESEALED: "af-liaison"}
# canary -> who may see it (everyone else must not)
ALLOWED: dict[str, set[str]] = {
    SEALED: MECHANISM,
    SOURCE: MECHANISM | {"pk-liaison"},
    FILE_NAME: MECHANISM | {"pk-liaison"},
    ARTIST: MECHANISM | {"pk-liaison"},
    CAMERA: MECHANISM | {"pk-liaison"},
    ANSWER: MECHANISM | {"af-liaison"},  # the filer sees the answer only once published
    ANSWER_FILE: MECHANISM | {"af-liaison"},
    DRAFT: MECHANISM,
    SUBJECT: MECHANISM | {"pk-liaison", "af-liaison"},
    RESEALED: MECHANISM,
    # officers by name: one's own side and the mechanism only
    "pk-liaison": MECHANISM | {"pk-liaison"},
    "af-liaison": MECHANISM | {"af-liaison"},
}


def photo() -> bytes:
    image = Image.new("RGB", (320, 240), (120, 90, 60))
    exif = Image.Exif()
    exif[271] = CAMERA
    exif[272] = f"{CAMERA} Pro"
    exif[315] = ARTIST
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def upload(api: Any, who: str, name: str, content: bytes) -> str:
    handle = io.BytesIO(content)
    handle.name = name
    answer = api.client.post(
        "/api/v1/evidence",
        data={"sharing": "parties", "files": [handle]},
        HTTP_AUTHORIZATION=f"Bearer {api.token(who)}",
    )
    assert answer.status_code == 201, answer.content[:300]
    return str(answer.json()["items"][0]["id"])


def plant(api: Any) -> dict[str, str]:
    """The story, through the API, with a canary in every confidential field."""
    ids: dict[str, str] = {}
    ids["evidence"] = upload(api, "pk-liaison", f"{FILE_NAME}.jpg", photo())
    report = {
        "category": "militant-attack",
        "accused_party": "afghanistan",
        "occurred_at": (timezone.now() - dt.timedelta(days=2)).isoformat(),
        "time_precision": "exact",
        "location": {"lat": 34.11, "lon": 71.09, "precision": "near", "place": "torkham"},
        "narrative": f"Militants attacked the post. The informant {SEALED} saw them cross.",
        "confidentiality": "parties",
        "sources": [f"Informant {SOURCE}"],
        "evidence": [ids["evidence"]],
    }
    status, body = api.post("/reports", report, as_="pk-liaison")
    assert status == 201, body
    ids["report"], ids["incident"] = body["report"]["id"], body["incident"]["id"]
    incident = ids["incident"]
    assert api.post(f"/incidents/{incident}/triage", {"admissible": True}, as_="qa-monitor")[0]
    seal = {
        "object_type": "report",
        "object_id": ids["report"],
        "field": "narrative",
        "passage": SEALED,
        "reason": "protects a person",
    }
    assert api.post("/seals", seal, as_="qa-monitor")[0] == 201
    assert api.post(f"/incidents/{incident}/open", as_="qa-monitor")[0] == 200
    ids["answer_evidence"] = upload(
        api, "af-liaison", f"{ANSWER_FILE}.txt", f"Statement {ANSWER_FILE}\n".encode()
    )
    status, body = api.post(
        f"/incidents/{incident}/responses",
        {"text": f"Not our territory. {ANSWER}", "evidence": [ids["answer_evidence"]]},
        as_="af-liaison",
    )
    assert status == 201, body
    status, body = api.post(
        f"/incidents/{incident}/finding",
        {
            "determination": "likely-violation",
            "confidence": "medium",
            "attribution": {"grade": "undetermined"},
            "intent": "unknown",
            "clauses": [],
            "summary": f"Draft: {DRAFT}",
        },
        as_="qa-monitor",
    )
    assert status in (200, 201), body
    ids["finding"] = body["id"]
    status, body = api.post(
        "/requests",
        {
            "to_party": "afghanistan",
            "kind": "hand-over",
            "subjects": [{"name": SUBJECT, "details": ""}],
            "grounds": "Led the attack.",
            "deadline": (timezone.now() + dt.timedelta(days=5)).isoformat(),
        },
        as_="pk-liaison",
    )
    assert status == 201, body
    ids["request"] = body["id"]
    # the other way: an allegation against Pakistan that no monitor has opened yet, which
    # Pakistan's liaison may not know exists
    status, body = api.post(
        "/reports",
        {
            **report,
            "accused_party": "pakistan",
            "origin": "pakistan",
            "narrative": "Shells landed in the village overnight.",
            "sources": [],
            "evidence": [],
        },
        as_="af-liaison",
    )
    assert status == 201, body
    ids["unopened_report"], ids["unopened_incident"] = body["report"]["id"], body["incident"]["id"]
    return ids


def client_for(role: str, people: dict[str, Any]) -> Client:
    client = Client()
    return client if role == "public" else force_sign_in(client, people[role])


def api_paths(client: Client, ids: dict[str, str]) -> list[str]:
    """Every GET operation of the served OpenAPI document, with the story's ids filled in."""
    document = json.loads(client.get("/api/v1/openapi.json").content)
    fill = {
        "incident_id": ids["incident"],
        "report_id": ids["report"],
        "finding_id": ids["finding"],
        "evidence_id": ids["evidence"],
        "request_id": ids["request"],
    }
    paths = []
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"\{(\w+)\}", path)
        if any(n not in fill and n != "fmt" for n in names):
            continue  # an id the story does not make (a webhook's, a token's)
        if "{fmt}" in path:
            paths += [path.replace("{fmt}", f) for f in ("csv", "geojson", "jsonl", "acled")]
            continue
        for n in names:
            path = path.replace("{" + n + "}", fill[n])
        paths.append(path)
    paths += [f"/api/v1/evidence/{ids['answer_evidence']}/download"]
    return paths


def pdf_text(data: bytes) -> str:
    """What a PDF tells its reader: the text of every page, the document information and the
    XMP metadata, and the bytes themselves."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() for page in reader.pages]
    parts += [f"{k}: {v}" for k, v in (reader.metadata or {}).items()]
    xmp = reader.xmp_metadata
    if xmp is not None:
        parts.append(xmp.rdf_root.toxml())
    parts.append(data.decode("latin-1"))
    return "\n".join(parts)


def ledger_paths(size: int) -> list[str]:
    """The ledger as a viewer reads it: every entry (the leaves, decoded by read_entries),
    and every receipt by its number, through the API and the page."""
    paths = [f"/api/v1/ledger/entries?start=0&end={size}"]
    for seq in range(1, size + 1):
        paths += [f"/api/v1/ledger/receipts/{seq}", f"/ledger/receipts/{seq}.json"]
    return paths


def read_entries(answer: Any) -> str:
    """A page of ledger entries with each leaf's bytes decoded."""
    import base64

    text = read(answer)
    if answer.status_code == 200:
        for item in answer.json().get("entries", []):
            leaf = item.get("leaf", "") if isinstance(item, dict) else str(item)
            text += "\n" + base64.b64decode(leaf).decode("latin-1")
    return text


def read(answer: Any) -> str:
    if getattr(answer, "streaming", False):
        data = b"".join(answer.streaming_content)
    else:
        data = answer.content
    return data.decode("utf-8", "replace") + data.decode("latin-1")


def published_with_sealed_answer(people: dict[str, Any], passage: str) -> Any:
    """An incident filed by Pakistan, answered by Afghanistan with ``passage`` in its answer,
    the passage sealed by a monitor, and the finding endorsed and published (by the
    services): what the public edition of the report prints, seals applied."""
    from truceline.accounts.testing import fresh_code
    from truceline.findings.services import (
        finding_acknowledge,
        finding_draft,
        finding_publish,
        finding_vote,
        parties_concerned,
    )
    from truceline.incidents.services import response_submit
    from truceline.redaction.services import seal_create
    from truceline.testing.incidents import FINDING, make_incident

    incident = make_incident(people, "under-verification")
    answer = response_submit(
        incident=incident,
        actor=people["af-liaison"],
        text=f"Our posts did not fire. {passage} was there that night.",
        evidence=[],
    )
    seal_create(
        actor=people["qa-monitor"],
        target=answer,
        field="text",
        passage=passage,
        reason="protects a witness",
    )
    finding = finding_draft(incident=incident, actor=people["qa-monitor"], data=FINDING)
    for signatory in ("qa-signatory", "tr-signatory"):
        finding_vote(
            finding=finding,
            actor=people[signatory],
            vote="endorse",
            reasons="",
            code=fresh_code(people[signatory]),
        )
    concerned = parties_concerned(finding)
    for liaison in ("pk-liaison", "af-liaison"):
        if people[liaison].organisation_id in concerned:
            finding_acknowledge(finding=finding, actor=people[liaison])
    finding_publish(finding=finding, actor=people["qa-monitor"])
    incident.refresh_from_db()
    return incident
