"""Evidence through the API: what is accepted and refused, stored once but invisibly, handed
out only as attachments, shared by level, and every handling on the ledger."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from truceline.evidence import store
from truceline.evidence.models import Blob, Evidence, Kind
from truceline.ledger.models import Event
from truceline.testing import files
from truceline.testing.files import upload

pytestmark = pytest.mark.django_db


def _stored() -> int:
    root = Path(store.storage().location)  # type: ignore[attr-defined]
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


ACCEPTED = [
    ("photo.jpg", files.jpeg_with_gps, "image/jpeg"),
    ("map.png", files.png, "image/png"),
    ("clip.mp4", files.mp4, "video/mp4"),
    ("statement.pdf", files.pdf, "application/pdf"),
    (
        "statement.docx",
        files.docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("notes.txt", lambda: b"Gul Khan saw the firing at 04:30.\n", "text/plain"),
]


@pytest.mark.parametrize(("name", "make", "media"), ACCEPTED)
def test_real_files_are_accepted_typed_from_their_bytes(api, name, make, media) -> None:  # type: ignore[no-untyped-def]
    # the name lies on purpose: the type comes from the bytes
    content = make()
    status, body = upload(api, "pk-liaison", (name.rsplit(".", 1)[0] + ".bin", content))
    assert status == 201, body
    (item,) = body["items"]
    assert item["media_type"] == media
    assert item["size"] == len(content)


def test_metadata_is_read_from_the_file(api) -> None:  # type: ignore[no-untyped-def]
    _s, photo = upload(api, "pk-liaison", ("p.jpg", files.jpeg_with_gps()))
    meta = photo["items"][0]["metadata"]
    assert meta["camera"] == "Canon EOS 80D"
    assert meta["taken_at"] == "2025-11-02T04:31:10"
    assert meta["gps"] == pytest.approx({"lat": 34.1123, "lon": 71.0981}, abs=1e-3)
    assert (meta["width"], meta["height"]) == (640, 480)
    _s, clip = upload(api, "pk-liaison", ("c.mp4", files.mp4(12)))
    assert clip["items"][0]["metadata"]["duration_s"] == 12
    _s, doc = upload(api, "pk-liaison", ("d.pdf", files.pdf(3)))
    assert doc["items"][0]["metadata"]["pages"] == 3


REFUSED = [
    ("polyglot.jpg", files.polyglot, "hidden second file"),
    ("bomb.docx", files.zip_bomb, "compression bomb"),
    ("page.jpg", files.html_as_jpeg, "not accepted"),
    ("empty.jpg", lambda: b"", "empty"),
    ("archive.zip", lambda: files.polyglot()[len(files.jpeg_with_gps()) :], "Archives"),
    ("program.exe", lambda: b"MZ\x90\x00" + b"\x00" * 200, "not accepted"),
]


@pytest.mark.parametrize(("name", "make", "why"), REFUSED)
def test_dangerous_or_unknown_files_are_refused_and_nothing_is_kept(api, name, make, why) -> None:  # type: ignore[no-untyped-def]
    api.token("pk-liaison")  # made before counting: a token is an event too
    before = (Evidence.objects.count(), Blob.objects.count(), Event.objects.count(), _stored())
    # a good file beside the bad one: the whole submission is refused
    status, body = upload(api, "pk-liaison", ("ok.png", files.png()), (name, make()))
    assert status == 422, body
    assert why in json.dumps(body["error"]["fields"]), body
    assert "files[1]" in body["error"]["fields"]
    after = (Evidence.objects.count(), Blob.objects.count(), Event.objects.count(), _stored())
    assert after == before


def test_a_file_over_the_limit_is_stopped_while_streaming(api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_EVIDENCE_MAX_FILE = 50_000
    before = (Evidence.objects.count(), Blob.objects.count(), _stored())
    temp = Path(settings.FILE_UPLOAD_TEMP_DIR)
    temps = set(temp.iterdir())
    status, body = upload(api, "pk-liaison", ("big.txt", b"x" * 200_000))
    assert status == 413 and "50,000 bytes per file" in body["error"]["message"]
    assert (Evidence.objects.count(), Blob.objects.count(), _stored()) == before
    assert set(temp.iterdir()) == temps  # no temporary file left behind
    settings.TRUCELINE_EVIDENCE_MAX_FILE = 10**9
    settings.TRUCELINE_EVIDENCE_MAX_SUBMISSION = 150_000
    status, body = upload(api, "pk-liaison", ("a.txt", b"a" * 100_000), ("b.txt", b"b" * 100_000))
    assert status == 413 and "per submission" in body["error"]["message"]


def test_the_same_bytes_twice_are_stored_once_and_nobody_can_tell(api) -> None:  # type: ignore[no-untyped-def]
    photo = files.jpeg_with_gps()
    _s, first = upload(api, "pk-liaison", ("a.jpg", photo))
    stored = _stored()
    _s, second = upload(api, "af-liaison", ("b.jpg", photo))
    a, b = first["items"][0], second["items"][0]
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    assert _stored() == stored  # the original bytes were not written again
    assert set(a) == set(b)  # the same answer shape: no "already held" anywhere
    assert Blob.objects.filter(pk=a["sha256"]).count() == 1
    # and neither party can reach the other's item
    assert api.get(f"/evidence/{a['id']}", as_="af-liaison")[0] == 404
    assert api.get(f"/evidence/{b['id']}", as_="pk-liaison")[0] == 404


def test_downloads_are_attachments_and_every_handling_is_on_the_ledger(api) -> None:  # type: ignore[no-untyped-def]
    photo = files.jpeg_with_gps()
    _s, body = upload(api, "pk-liaison", ("p.jpg", photo))
    item = body["items"][0]
    assert body["receipts"][0]["event"]["object_id"] == item["id"]
    answer = api.client.get(
        f"/api/v1/evidence/{item['id']}/download",
        HTTP_AUTHORIZATION=f"Bearer {api.token('qa-monitor')}",
    )
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    assert answer["Content-Type"] == "application/octet-stream"
    assert b"".join(answer.streaming_content) == photo  # the original, untouched
    api.get(f"/evidence/{item['id']}", as_="pk-liaison")
    status, trail = api.get(f"/evidence/{item['id']}/custody", as_="pk-liaison")
    assert status == 200
    # the thumbnail's making is on the original's trail; a monitor is named to the mechanism
    # alone, and is "Qatar's monitor" to the party
    assert [(t["what"], t["by"]) for t in trail["items"]] == [
        ("received", "pk-liaison"),
        ("derived", "pk-liaison"),
        ("downloaded", "Qatar's monitor"),
        ("viewed", "pk-liaison"),
    ]
    status, trail = api.get(f"/evidence/{item['id']}/custody", as_="tr-monitor")
    assert ("downloaded", "qa-monitor") in [(t["what"], t["by"]) for t in trail["items"]]
    thumb = next(c for c in item["copies"] if c["kind"] == "thumbnail")
    status, copy = api.get(f"/evidence/{thumb['id']}", as_="pk-liaison")
    assert copy["derived_from"] == item["id"] and "gps" not in json.dumps(copy["metadata"])


def test_sharing_levels_follow_the_incident(api, people) -> None:  # type: ignore[no-untyped-def]
    from truceline.testing.incidents import make_incident

    _s, body = upload(api, "pk-liaison", ("p.jpg", files.jpeg_with_gps()), sharing="parties")
    item = body["items"][0]["id"]
    incident = make_incident(people, "triaged", evidence=(item,))
    assert Evidence.objects.get(pk=item).incident_id == incident.pk
    assert api.get(f"/evidence/{item}", as_="af-liaison")[0] == 404  # not shared yet
    from truceline.incidents.services import incident_open

    incident_open(incident=incident, actor=people["qa-monitor"])
    status, seen = api.get(f"/evidence/{item}", as_="af-liaison")
    assert status == 200 and "uploaded_by" not in seen and "organisation" not in seen
    assert api.get(f"/evidence/{item}/custody", as_="af-liaison")[0] == 403
    # public: a copy without metadata, and only once published
    assert api.post(f"/evidence/{item}/sharing", {"sharing": "public"}, as_="pk-liaison")[0] == 403
    status, _shared = api.post(f"/evidence/{item}/sharing", {"sharing": "public"}, as_="qa-monitor")
    assert status == 200
    public_copy = Evidence.objects.get(derived_from_id=item, kind=Kind.PUBLIC_COPY)
    with store.storage().open(public_copy.blob.name, "rb") as handle:
        data = handle.read()
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()  # no camera, no time, no GPS
    anonymous = Client()
    assert anonymous.get(f"/api/v1/evidence/{public_copy.id}").status_code == 401
    # a cited item cannot be cited for another incident
    other = make_incident(people, "received")
    from truceline.core.errors import Invalid
    from truceline.evidence.services import evidence_attach

    with pytest.raises(Invalid):
        evidence_attach(actor=people["pk-liaison"], ids=[item], citing=other.reports.get())
    # another party's id is unknown to the filer
    _s, theirs = upload(api, "af-liaison", ("x.png", files.png()))
    with pytest.raises(Invalid):
        evidence_attach(
            actor=people["pk-liaison"], ids=[theirs["items"][0]["id"]], citing=other.reports.get()
        )


def test_evidence_check_finds_a_file_altered_behind_the_applications_back(api) -> None:  # type: ignore[no-untyped-def]
    _s, body = upload(api, "pk-liaison", ("notes.txt", b"first account\n"))
    call_command("evidence", "check")
    blob = Blob.objects.get(pk=body["items"][0]["sha256"])
    path = Path(store.storage().path(blob.name))  # type: ignore[attr-defined]
    path.chmod(0o640)
    path.write_bytes(b"second account\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("evidence", "check", stderr=err)
    assert blob.sha256 in err.getvalue() and "altered" in err.getvalue()
    path.unlink()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("evidence", "check", stderr=err)
    assert "missing" in err.getvalue()


def test_a_resumable_upload_survives_retried_and_lost_chunks(api) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    data = files.mp4(30) + b"\x00" * 300_000
    digest = hashlib.sha256(data).hexdigest()
    status, begun = api.post(
        "/uploads",
        {"filename": "clip.mp4", "size": len(data), "sha256": digest},
        as_="pk-liaison",
    )
    assert status == 201 and begun["offset"] == 0
    url = f"/api/v1/uploads/{begun['id']}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api.token('pk-liaison')}"}

    def put(offset: int, chunk: bytes) -> Any:
        return api.client.put(
            url,
            data=chunk,
            content_type="application/octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
            **auth,
        )

    step = 100_000
    assert put(0, data[:step]).json()["offset"] == step
    assert put(0, data[:step]).json()["offset"] == step  # the answer was lost: sent again
    skipped = put(2 * step, data[2 * step : 3 * step])  # a chunk out of order
    assert skipped.status_code == 409 and skipped.json()["error"]["offset"] == step
    early = api.post(f"/uploads/{begun['id']}/complete", {}, as_="pk-liaison")
    assert early[0] == 409  # bytes still missing
    for offset in range(step, len(data), step):
        assert put(offset, data[offset : offset + step]).status_code == 200
    assert api.get(f"/uploads/{begun['id']}", as_="pk-liaison")[1]["offset"] == len(data)
    # another person cannot see or touch it
    assert api.get(f"/uploads/{begun['id']}", as_="af-liaison")[0] == 404
    status, done = api.post(f"/uploads/{begun['id']}/complete", {}, as_="pk-liaison")
    assert status == 201, done
    item = done["items"][0]
    assert item["sha256"] == digest and item["media_type"] == "video/mp4"
    assert item["metadata"]["duration_s"] == 30


def test_a_resumable_upload_whose_bytes_do_not_match_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    data = b"plain words\n" * 100
    status, begun = api.post(
        "/uploads",
        {"filename": "n.txt", "size": len(data), "sha256": hashlib.sha256(b"other").hexdigest()},
        as_="pk-liaison",
    )
    api.client.put(
        f"/api/v1/uploads/{begun['id']}",
        data=data,
        content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        HTTP_AUTHORIZATION=f"Bearer {api.token('pk-liaison')}",
    )
    before = Evidence.objects.count()
    status, body = api.post(f"/uploads/{begun['id']}/complete", {}, as_="pk-liaison")
    assert status == 422 and "do not match" in json.dumps(body)
    assert Evidence.objects.count() == before
    for bad in (
        {"filename": "x", "size": 0, "sha256": "0" * 64},
        {"filename": "x", "size": 10, "sha256": "XYZ" * 21 + "X"},
    ):
        assert api.post("/uploads", bad, as_="pk-liaison")[0] == 422


def test_a_photos_own_time_and_place_are_set_beside_the_reports(api, people, login) -> None:  # type: ignore[no-untyped-def]
    from truceline.evidence.selectors import against_report
    from truceline.testing.incidents import make_incident

    _s, near = upload(api, "pk-liaison", ("near.jpg", files.jpeg_with_gps(34.11, 71.1)))
    _s, far = upload(api, "pk-liaison", ("far.jpg", files.jpeg_with_gps(31.5, 66.0)))
    near_id, far_id = near["items"][0]["id"], far["items"][0]["id"]
    make_incident(people, "received", evidence=(near_id, far_id))
    close = against_report(Evidence.objects.get(pk=near_id))
    assert close is not None and not close["far"] and close["distance_km"] < 5
    assert close["hours_apart"] < 1 and not close["long_apart"]
    distant = against_report(Evidence.objects.get(pk=far_id))
    assert distant is not None and distant["far"] and distant["distance_km"] > 300
    page = login("pk-liaison").get(f"/evidence/{far_id}/").content.decode()
    assert "That is far: check which is right." in page


def test_the_accused_party_answers_with_a_document_from_the_incident_page(people, login) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from truceline.incidents.models import Response
    from truceline.testing.incidents import make_incident

    incident = make_incident(people, "under-verification")
    client = login("af-liaison")
    document = io.BytesIO(files.pdf(2))
    document.name = "reply.pdf"
    answer = client.post(
        reverse("incidents:action", args=[incident.pk, "respond"]),
        {"text": "Our patrol was elsewhere; the log is attached.", "files": [document]},
    )
    assert answer.status_code in {200, 302}, answer.content[:300]
    response = Response.objects.get(incident=incident)
    (cited,) = response.evidence
    item = Evidence.objects.get(pk=cited)
    assert (item.organisation_id, item.incident_id, item.media_type) == (
        "afghanistan",
        incident.pk,
        "application/pdf",
    )
    # a refused file refuses the answer too, and says so at the field
    bad = io.BytesIO(files.html_as_jpeg())
    bad.name = "x.jpg"
    page = client.post(
        reverse("incidents:action", args=[incident.pk, "respond"]),
        {"text": "A second answer.", "files": [bad]},
    )
    assert page.status_code == 422 and 'id="files-err"' in page.content.decode()
    assert Response.objects.filter(incident=incident).count() == 1


def test_the_report_form_says_when_a_file_is_too_large_and_files_nothing(login, settings) -> None:  # type: ignore[no-untyped-def]
    from truceline.reports.models import Report

    settings.TRUCELINE_EVIDENCE_MAX_FILE = 10_000
    client = login("pk-liaison")
    big = io.BytesIO(b"x" * 50_000)
    big.name = "big.txt"
    before = Report.objects.count()
    page = client.post(
        "/reports/new/",
        {
            "category": "shelling",
            "accused_party": "afghanistan",
            "narrative": "Shelling.",
            "files": [big],
        },
    )
    assert page.status_code == 413
    text = page.content.decode()
    assert 'id="files-error"' in text and "10,000 bytes per file" in text
    assert Report.objects.count() == before
