"""What each viewer receives of a piece of evidence, through every surface (API list, detail,
download, custody; the evidence page, its download and image; the incident page): the
uploading party and the mechanism the original, its name and its metadata; the accused party
and the public only a copy re-encoded from the content, named by the evidence id, once the
object citing it is visible to them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from truceline.evidence.models import Evidence, Kind
from truceline.testing import files, incidents
from truceline.testing.files import upload

pytestmark = pytest.mark.django_db

PHOTO_NAME = "IMG_4031_farida_at_the_post.jpg"
# Nothing of these may reach the accused party or the public: who took the photo, with what
# camera, when and where, and the name it was sent under.
SECRETS = [
    files.ARTIST,
    "Yusufzai",
    f"{files.MAKE} {files.MODEL}",
    files.MODEL,
    files.SERIAL,
    files.TAKEN,
    "2025-11-03T05:42:17",
    "05:42:17",
    "34.1234",
    "71.6543",
    "Lightroom",
    "IMG_4031",
    "farida",
]


def leaks(content: bytes | str, *also: str) -> list[str]:
    """The secrets (and ``also``) found in an answer, matched regardless of case."""
    text = content.decode("latin-1") if isinstance(content, bytes) else content
    lowered = text.lower()
    return [s for s in [*SECRETS, *also] if s.lower() in lowered]


def bearer(api: Any, who: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"}


def fetched(answer: Any) -> bytes:
    assert answer.status_code == 200, answer.status_code
    return b"".join(answer.streaming_content)


def attachment_name(answer: Any) -> str:
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    return disposition.split('filename="', 1)[1].rstrip('"')


def assert_stripped(data: bytes, media: str) -> None:
    """Bytes re-encoded from pixels alone: no EXIF, XMP, ICC profile, comment or text."""
    assert not leaks(data), leaks(data)
    assert b"Exif\x00\x00" not in data and b"xmpmeta" not in data and b"eXIf" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert Image.MIME[image.format or ""] == media
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment", "Author"} & set(image.info)
        assert not getattr(image, "text", {})


PHOTOS = [
    (PHOTO_NAME, files.photo_with_everything, "image/jpeg"),
    ("IMG_4031_farida_map.png", files.png_with_everything, "image/png"),
]


@pytest.mark.parametrize(("name", "make", "media"), PHOTOS, ids=["jpeg", "png"])
def test_the_accused_party_receives_a_copy_without_metadata_and_the_uploader_the_original(  # type: ignore[no-untyped-def]
    api, people, login, name, make, media
) -> None:
    original = make()
    assert {files.ARTIST, files.MODEL, files.SERIAL, files.TAKEN} <= set(leaks(original))
    _s, body = upload(api, "pk-liaison", (name, original), sharing="parties")
    mine = body["items"][0]
    assert mine["filename"] == name and mine["sharing"] == "parties"
    assert mine["shared_copy"] and mine["withheld"] is None
    item_id, original_sha = mine["id"], mine["sha256"]
    incident = incidents.make_incident(people, "under-verification", evidence=(item_id,))
    thumb = Evidence.objects.get(derived_from_id=item_id, kind=Kind.THUMBNAIL).id
    hidden = (original_sha, "pk-liaison")

    # The accused party, through the API: the list, the item, the download, the thumbnail.
    status, listed = api.get("/evidence", as_="af-liaison")
    assert status == 200
    seen = next(i for i in listed["items"] if i["id"] == item_id)
    assert not leaks(str(listed), *hidden), leaks(str(listed), *hidden)
    status, seen = api.get(f"/evidence/{item_id}", as_="af-liaison")
    assert status == 200 and not leaks(str(seen), *hidden), leaks(str(seen), *hidden)
    assert seen["content"] == "copy-without-metadata" and seen["filename"].startswith(item_id)
    assert not {"metadata", "uploaded_by", "organisation", "uploaded_at"} & set(seen)
    answer = api.client.get(f"/api/v1/evidence/{item_id}/download", **bearer(api, "af-liaison"))
    ext = "png" if media == "image/png" else "jpg"
    assert attachment_name(answer) == f"{item_id}.{ext}"
    data = fetched(answer)
    assert data != original and seen["sha256"] != original_sha
    assert_stripped(data, media)
    assert seen["size"] == len(data)
    answer = api.client.get(f"/api/v1/evidence/{thumb}/download", **bearer(api, "af-liaison"))
    assert attachment_name(answer) == f"{thumb}.{ext}"
    assert_stripped(fetched(answer), media)
    assert api.get(f"/evidence/{item_id}/custody", as_="af-liaison")[0] == 403
    assert api.get(f"/evidence/{thumb}/custody", as_="af-liaison")[0] == 403

    # The accused party, through the pages: the incident, the item, its download and image.
    client = login("af-liaison")
    for url in (f"/incidents/{incident.id}/", f"/evidence/{item_id}/", f"/evidence/{thumb}/"):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert not leaks(text, *hidden), (url, leaks(text, *hidden))
        assert "Chain of custody" not in text
    assert item_id in client.get(f"/incidents/{incident.id}/").content.decode()
    answer = client.get(f"/evidence/{item_id}/download")
    assert attachment_name(answer) == f"{item_id}.{ext}"
    assert_stripped(fetched(answer), media)
    answer = client.get(f"/evidence/{thumb}/image")
    assert (
        str(thumb) in answer["Content-Disposition"] and "IMG" not in answer["Content-Disposition"]
    )
    assert_stripped(fetched(answer), media)
    assert client.get(f"/evidence/{item_id}/image").status_code == 404  # never the original
    # its own views and downloads are on the ledger, and the receipts it may fetch of them
    # name the copy it received, never the original's hash
    from truceline.ledger.models import Event

    mine_seen = Event.objects.filter(actor=people["af-liaison"], object_id=item_id)
    assert {e.kind for e in mine_seen} == {"evidence.viewed", "evidence.downloaded"}
    for event in mine_seen:
        status, kept = api.get(f"/ledger/receipts/{event.seq}", as_="af-liaison")
        assert status == 200 and kept["event"]["payload"]["served"] != item_id
        assert not leaks(str(kept), *hidden), leaks(str(kept), *hidden)

    # The uploading party and a monitor: the original, its name, its metadata, its trail.
    for who in ("pk-liaison", "qa-monitor"):
        status, full = api.get(f"/evidence/{item_id}", as_=who)
        assert full["filename"] == name and full["sha256"] == original_sha
        if media == "image/jpeg":
            meta = full["metadata"]
            assert meta["camera"] == f"{files.MAKE} {files.MODEL}"
            assert meta["taken_at"] == "2025-11-03T05:42:17"
            assert meta["gps"] == pytest.approx({"lat": files.LAT, "lon": files.LON}, abs=1e-4)
        answer = api.client.get(f"/api/v1/evidence/{item_id}/download", **bearer(api, who))
        assert attachment_name(answer) == name
        assert fetched(answer) == original  # the exact bytes received
        assert api.get(f"/evidence/{item_id}/custody", as_=who)[0] == 200
    page = login("pk-liaison").get(f"/evidence/{item_id}/").content.decode()
    assert name in page and "Chain of custody" in page
    if media == "image/jpeg":
        assert f"{files.MAKE} {files.MODEL}" in page


def test_the_public_receives_only_the_copy_of_published_material(api, people) -> None:  # type: ignore[no-untyped-def]
    original = files.photo_with_everything()
    _s, body = upload(api, "pk-liaison", (PHOTO_NAME, original), sharing="parties")
    item_id, original_sha = body["items"][0]["id"], body["items"][0]["sha256"]
    incident = incidents.make_incident(people, "published", evidence=(item_id,))
    public = Client()
    assert item_id not in public.get(f"/incidents/{incident.id}/").content.decode()  # not yet
    assert (
        api.post(f"/evidence/{item_id}/sharing", {"sharing": "public"}, as_="qa-monitor")[0] == 200
    )
    copy = Evidence.objects.get(derived_from_id=item_id, kind=Kind.PUBLIC_COPY)
    thumb = Evidence.objects.get(derived_from_id=item_id, kind=Kind.THUMBNAIL)
    page = public.get(f"/incidents/{incident.id}/").content.decode()
    assert copy.id in page and not leaks(page, original_sha, "pk-liaison")
    detail = public.get(f"/evidence/{copy.id}/")
    assert detail.status_code == 200
    assert not leaks(detail.content.decode(), original_sha, "pk-liaison", item_id)
    answer = public.get(f"/evidence/{copy.id}/download")
    assert attachment_name(answer) == f"{copy.id}.jpg"
    assert_stripped(fetched(answer), "image/jpeg")
    assert_stripped(fetched(public.get(f"/evidence/{copy.id}/image")), "image/jpeg")
    for never in (item_id, thumb.id):  # the original and its thumbnail are not the public's
        assert public.get(f"/evidence/{never}/").status_code == 404
        assert public.get(f"/evidence/{never}/download").status_code == 404
    assert public.get(f"/api/v1/evidence/{copy.id}").status_code == 401


def _answered_before_publication(
    people: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    cites: list[str],
    look: Callable[..., Any],
) -> Any:
    """An incident driven to publication, the accused party answering (citing ``cites``)
    before the finding is drafted; ``look(incident)`` runs just after the answer."""
    from truceline.incidents.services import response_submit

    draft = incidents.finding_draft

    def answer_then_draft(*, incident: Any, actor: Any, data: Any) -> Any:
        response_submit(
            incident=incident,
            actor=people["af-liaison"],
            text="Our patrol was elsewhere that morning.",
            evidence=cites,
        )
        look(incident)
        return draft(incident=incident, actor=actor, data=data)

    monkeypatch.setattr(incidents, "finding_draft", answer_then_draft)
    return incidents.make_incident(people, "published")


def test_evidence_of_an_answer_reaches_the_filer_only_with_the_answer(  # type: ignore[no-untyped-def]
    api, people, login, monkeypatch
) -> None:
    _s, body = upload(
        api, "af-liaison", (PHOTO_NAME, files.photo_with_everything()), sharing="parties"
    )
    shared = body["items"][0]["id"]
    _s, body = upload(api, "af-liaison", ("patrol-roster.txt", b"Names of the patrol\n"))
    kept = body["items"][0]["id"]  # mechanism only: the default
    thumb = Evidence.objects.get(derived_from_id=shared, kind=Kind.THUMBNAIL).id
    before: dict[str, Any] = {}

    def look(incident: Any) -> None:
        before["item"] = api.get(f"/evidence/{shared}", as_="pk-liaison")[0]
        before["thumb"] = api.get(f"/evidence/{thumb}", as_="pk-liaison")[0]
        before["list"] = str(api.get("/evidence", as_="pk-liaison")[1])
        before["page"] = login("pk-liaison").get(f"/incidents/{incident.id}/").content.decode()
        before["download"] = login("pk-liaison").get(f"/evidence/{shared}/download").status_code

    incident = _answered_before_publication(people, monkeypatch, [shared, kept], look)
    assert before["item"] == before["thumb"] == before["download"] == 404
    assert shared not in before["list"] and shared not in before["page"]

    # published: the answer is the filer's to read, and with it the copy of what it cites
    status, seen = api.get(f"/evidence/{shared}", as_="pk-liaison")
    assert status == 200 and seen["content"] == "copy-without-metadata"
    assert not leaks(str(seen), "af-liaison"), leaks(str(seen))
    answer = api.client.get(f"/api/v1/evidence/{shared}/download", **bearer(api, "pk-liaison"))
    assert attachment_name(answer) == f"{shared}.jpg"
    assert_stripped(fetched(answer), "image/jpeg")
    # what the answer cites at the mechanism-only level stays out of sight, even by id
    assert api.get(f"/evidence/{kept}", as_="pk-liaison")[0] == 404
    status, shown = api.get(f"/incidents/{incident.id}", as_="pk-liaison")
    (response,) = shown["responses"]
    assert response["evidence"] == [shared]
    status, shown = api.get(f"/incidents/{incident.id}", as_="af-liaison")
    assert shown["responses"][0]["evidence"] == [shared, kept]  # the answering party: all
    # the public: a parties-level item is never public
    assert shared not in Client().get(f"/incidents/{incident.id}/").content.decode()


def test_a_report_kept_from_the_accused_keeps_its_evidence_from_it(api, people) -> None:  # type: ignore[no-untyped-def]
    _s, body = upload(
        api, "pk-liaison", (PHOTO_NAME, files.photo_with_everything()), sharing="parties"
    )
    item = body["items"][0]["id"]
    incidents.make_incident(
        people, "under-verification", confidentiality="mechanism", evidence=(item,)
    )
    assert api.get(f"/evidence/{item}", as_="af-liaison")[0] == 404
    assert item not in str(api.get("/evidence", as_="af-liaison")[1])


def test_a_type_that_cannot_be_stripped_is_withheld_until_a_monitor_makes_a_copy(  # type: ignore[no-untyped-def]
    api, people, login
) -> None:
    original = files.pdf_with_author()
    assert files.ARTIST.encode() in original
    name = "IMG_4031_statement_farida.pdf"
    _s, body = upload(api, "pk-liaison", (name, original), sharing="parties")
    mine = body["items"][0]
    assert mine["strippable"] is False and mine["shared_copy"] is None
    assert "cannot be stripped" in mine["withheld"]
    item_id = mine["id"]
    incident = incidents.make_incident(people, "under-verification", evidence=(item_id,))
    # held back from the accused party on every surface, and said so to the uploader
    assert api.get(f"/evidence/{item_id}", as_="af-liaison")[0] == 404
    assert (
        api.client.get(
            f"/api/v1/evidence/{item_id}/download", **bearer(api, "af-liaison")
        ).status_code
        == 404
    )
    assert item_id not in str(api.get("/evidence", as_="af-liaison")[1])
    assert item_id not in login("af-liaison").get(f"/incidents/{incident.id}/").content.decode()
    assert login("af-liaison").get(f"/evidence/{item_id}/download").status_code == 404
    page = login("pk-liaison").get(f"/evidence/{item_id}/").content.decode()
    assert "Not shared yet" in page and "cannot be stripped" in page
    status, seen = api.get(f"/evidence/{item_id}", as_="qa-monitor")
    assert "cannot be stripped" in seen["withheld"]

    # a monitor cannot have it re-encoded here, and a party cannot make the copy at all
    def make_copy(who: str, *sent: tuple[str, bytes]) -> Any:
        data: dict[str, Any] = {}
        if sent:
            handle = io.BytesIO(sent[0][1])
            handle.name = sent[0][0]
            data["file"] = handle
        return api.client.post(f"/api/v1/evidence/{item_id}/copy", data=data, **bearer(api, who))

    refused = make_copy("qa-monitor")
    assert refused.status_code == 422 and "cannot be stripped" in refused.content.decode()
    assert make_copy("pk-liaison", ("c.pdf", files.pdf(1))).status_code == 403
    assert make_copy("af-liaison", ("c.pdf", files.pdf(1))).status_code == 404
    # the monitor's copy, prepared without metadata, from the evidence page
    clean = files.pdf(1)
    handle = io.BytesIO(clean)
    handle.name = "IMG_4031_clean_copy.pdf"
    monitor = login("qa-monitor")
    assert "Make the copy others receive" in monitor.get(f"/evidence/{item_id}/").content.decode()
    assert monitor.post(f"/evidence/{item_id}/copy", {"file": handle}).status_code == 302
    copy = Evidence.objects.get(derived_from_id=item_id, kind=Kind.PUBLIC_COPY)
    assert copy.filename == f"{copy.id}.pdf" and copy.uploaded_by.username == "qa-monitor"
    assert make_copy("qa-monitor", ("again.pdf", files.pdf(1))).status_code == 409  # one copy

    # now the accused party receives the copy, named by the id, and nothing of the original
    status, seen = api.get(f"/evidence/{item_id}", as_="af-liaison")
    assert status == 200 and seen["filename"] == f"{item_id}.pdf"
    assert not leaks(str(seen), mine["sha256"], "qa-monitor")
    answer = api.client.get(f"/api/v1/evidence/{item_id}/download", **bearer(api, "af-liaison"))
    assert attachment_name(answer) == f"{item_id}.pdf"
    data = fetched(answer)
    assert data == clean and not leaks(data)
    # the uploader's trail: the copy's making and the accused party's download, people
    # shown as organisation and role; the mechanism sees their names
    status, trail = api.get(f"/evidence/{item_id}/custody", as_="pk-liaison")
    entries = [(t["what"], t["by"]) for t in trail["items"]]
    assert ("derived", "Qatar's monitor") in entries
    assert ("downloaded", "Afghanistan's liaison") in entries
    assert not leaks(str(trail), "qa-monitor", "af-liaison")
    download = next(t for t in trail["items"] if t["by"] == "Afghanistan's liaison")
    assert download["served"] == copy.id  # the copy, not the original, was handed out
    status, trail = api.get(f"/evidence/{item_id}/custody", as_="tr-monitor")
    entries = [(t["what"], t["by"]) for t in trail["items"]]
    assert ("derived", "qa-monitor") in entries and ("downloaded", "af-liaison") in entries
    page = login("pk-liaison").get(f"/evidence/{item_id}/").content.decode()
    assert "Afghanistan&#x27;s liaison" in page and "af-liaison" not in page
    assert "qa-monitor" not in page


def test_plain_text_is_shared_as_its_characters_alone(api, people) -> None:  # type: ignore[no-untyped-def]
    sent = "\ufeffWitness statement\r\nSeen at dawn.\r\n".encode()
    _s, body = upload(api, "pk-liaison", ("farida-statement.txt", sent), sharing="parties")
    item_id = body["items"][0]["id"]
    incidents.make_incident(people, "under-verification", evidence=(item_id,))
    answer = api.client.get(f"/api/v1/evidence/{item_id}/download", **bearer(api, "af-liaison"))
    assert attachment_name(answer) == f"{item_id}.txt"
    assert fetched(answer) == b"Witness statement\nSeen at dawn.\n"


def test_the_sharing_level_is_mechanism_only_unless_the_filer_chooses(  # type: ignore[no-untyped-def]
    api, people, login
) -> None:
    import hashlib

    from truceline.incidents.models import Response

    # the API, in one request and resumable
    handle = io.BytesIO(files.photo_with_everything())
    handle.name = PHOTO_NAME
    answer = api.client.post(
        "/api/v1/evidence", data={"files": [handle]}, **bearer(api, "pk-liaison")
    )
    assert answer.status_code == 201 and answer.json()["items"][0]["sharing"] == "mechanism"
    assert answer.json()["items"][0]["shared_copy"] is None  # nothing made for others
    data = b"resumable notes\n"
    _s, begun = api.post(
        "/uploads",
        {"filename": "n.txt", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
        as_="pk-liaison",
    )
    api.client.put(
        f"/api/v1/uploads/{begun['id']}",
        data=data,
        content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **bearer(api, "pk-liaison"),
    )
    _s, done = api.post(f"/uploads/{begun['id']}/complete", {}, as_="pk-liaison")
    assert done["items"][0]["sharing"] == "mechanism"

    # the report form: "mechanism only" comes first and is chosen unless the filer changes it
    client = login("pk-liaison")
    form = client.get("/reports/new/").content.decode()
    select = form.split('name="sharing"', 1)[1].split("</select>", 1)[0]
    assert select.index('value="mechanism"') < select.index('value="parties"')
    assert "selected" not in select
    photo = io.BytesIO(files.photo_with_everything())
    photo.name = PHOTO_NAME
    before = set(Evidence.objects.values_list("pk", flat=True))
    filed = client.post(
        "/reports/new/",
        {
            "category": "shelling",
            "accused_party": "afghanistan",
            "occurred_at": "2025-11-03T05:30",
            "time_precision": "exact",
            "lat": "34.1",
            "lon": "71.1",
            "location_precision": "near",
            "narrative": "Shelling near the post.",
            "confidentiality": "parties",
            "files": [photo],
        },
    )
    assert filed.status_code == 302, filed.content[:500]
    (new,) = Evidence.objects.exclude(pk__in=before).filter(kind=Kind.ORIGINAL)
    assert new.sharing == "mechanism"
    assert not Evidence.objects.filter(derived_from=new, kind=Kind.PUBLIC_COPY).exists()

    # the answer form likewise
    incident = incidents.make_incident(people, "under-verification")
    client = login("af-liaison")
    page = client.get(f"/incidents/{incident.id}/").content.decode()
    select = page.split('id="response-sharing"', 1)[1].split("</select>", 1)[0]
    assert select.index('value="mechanism"') < select.index('value="parties"')
    assert "selected" not in select
    document = io.BytesIO(files.pdf(1))
    document.name = "reply.pdf"
    answered = client.post(
        f"/incidents/{incident.id}/respond/", {"text": "Denied.", "files": [document]}
    )
    assert answered.status_code in {200, 302}, answered.content[:300]
    (cited,) = Response.objects.get(incident=incident).evidence
    assert Evidence.objects.get(pk=cited).sharing == "mechanism"


def test_an_amendment_that_drops_an_item_keeps_it_from_the_accused(api, people) -> None:  # type: ignore[no-untyped-def]
    from truceline.incidents.services import incident_open, incident_triage

    photos = [
        upload(api, "pk-liaison", (f"{n}.jpg", files.photo_with_everything()), sharing="parties")
        for n in ("kept", "dropped")
    ]
    kept, dropped = (body["items"][0]["id"] for _status, body in photos)
    _s, theirs = upload(api, "af-liaison", ("x.png", files.png()))
    report = {
        "category": "shelling",
        "accused_party": "afghanistan",
        "occurred_at": "2025-11-03T05:30:00Z",
        "location": {"lat": 34.1, "lon": 71.1, "precision": "near"},
        "narrative": "Shelling near the post.",
        "evidence": [kept, dropped],
    }
    status, filed = api.post("/reports", report, as_="pk-liaison")
    assert status == 201, filed
    report_id = filed["report"]["id"]
    # an amendment is checked like a new report: another party's item is refused
    refused = {**report, "evidence": [kept, theirs["items"][0]["id"]]}
    assert api.post(f"/reports/{report_id}/amend", refused, as_="pk-liaison")[0] == 422
    status, _amended = api.post(
        f"/reports/{report_id}/amend", {**report, "evidence": [kept]}, as_="pk-liaison"
    )
    assert status == 200
    incident = Evidence.objects.get(pk=kept).incident
    incident_triage(incident=incident, actor=people["qa-monitor"], admissible=True, reason="")
    incident_open(incident=incident, actor=people["qa-monitor"])
    assert api.get(f"/evidence/{kept}", as_="af-liaison")[0] == 200
    assert api.get(f"/evidence/{dropped}", as_="af-liaison")[0] == 404
    status, trail = api.get(f"/evidence/{dropped}/custody", as_="pk-liaison")
    assert "uncited" in [t["what"] for t in trail["items"]]
