"""`truceline export`: each format as the download of the same viewer, byte for byte, and the
refusals an operator scripting it would meet."""

from __future__ import annotations

import io
from pathlib import Path

import hxl
import pytest
from django.core.management import CommandError, call_command

from truceline.core.synthetic import generate
from truceline.incidents.models import Incident
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db

DOWNLOAD = {"hxl": "csv", "csv": "csv", "geojson": "geojson", "jsonl": "jsonl", "acled": "acled"}


@pytest.fixture
def incidents(people) -> None:  # type: ignore[no-untyped-def]
    generate(60, seed=11)
    make_incident(people, "published")
    make_incident(people, "under-verification")
    make_incident(people, "received")


def download(client, fmt: str, token: str | None, query: str = "") -> bytes:  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    got = client.get(f"/api/v1/exports/incidents.{DOWNLOAD[fmt]}{query}", **headers)
    assert got.status_code == 200
    return b"".join(got.streaming_content)


def export(tmp_path: Path, fmt: str, *args: str) -> tuple[bytes, str, str]:
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / f"out.{fmt}"
    call_command("export", "--format", fmt, *args, "--out", str(path), stdout=out, stderr=err)
    return path.read_bytes(), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "hxl", "geojson", "jsonl", "acled"])
@pytest.mark.parametrize("username", ["af-liaison", "pk-liaison", "qa-monitor", None])
def test_each_format_is_the_download_of_the_same_viewer(
    api, incidents, tmp_path: Path, fmt: str, username: str | None
) -> None:  # type: ignore[no-untyped-def]
    args = ("--as", username) if username else ()
    written, out, err = export(tmp_path, fmt, *args)
    # no user named: the mechanism's view, which is a monitor's
    token = api.token(username or "qa-monitor")
    expected = download(api.client, fmt, token)
    if fmt == "csv":  # the download's CSV without its hashtag row
        lines = expected.decode().split("\n")
        assert lines[1].startswith("#event+id")
        expected = "\n".join([lines[0], *lines[2:]]).encode()
    assert written == expected
    assert out == "" and err == ""  # not a terminal: no progress, and never on stdout


def test_a_liaison_sees_less_than_the_mechanism(incidents, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    everything, _o, _e = export(tmp_path, "jsonl")
    liaison, _o, _e = export(tmp_path, "jsonl", "--as", "af-liaison")
    assert len(everything.splitlines()) == Incident.objects.count()
    assert 0 < len(liaison.splitlines()) < Incident.objects.count()


def test_hxl_is_read_by_libhxl_with_date_event_and_geo_tags(incidents, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export(tmp_path, "hxl")
    dataset = hxl.data(str(tmp_path / "out.hxl"), hxl.InputOptions(allow_local=True))
    tags = {c.tag for c in dataset.columns}
    assert {"#date", "#event", "#geo"} <= tags
    assert len(list(dataset)) == Incident.objects.count()


def test_filters_are_those_of_the_download(api, incidents, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written, _o, _e = export(tmp_path, "jsonl", "--state", "published", "--from", "2025-10-19")
    token = api.token("qa-monitor")
    assert written == download(api.client, "jsonl", token, "?state=published&from=2025-10-19")
    assert written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xlsx"), "--format: 'xlsx' is not one of csv, hxl, geojson, jsonl, acled"),
        (("--format", "csv", "--as", "nobody"), "--as: no user is named 'nobody'"),
        (("--format", "csv", "--from", "soon"), "--from: a date, as YYYY-MM-DD"),
    ],
)
def test_refusals_name_the_option_and_write_nothing(
    people, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "out"
    with pytest.raises(CommandError) as refused:
        call_command("export", *args, "--out", str(path))
    assert str(refused.value) == message
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_no_partial_file(people, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from truceline.exchange import exports

    def broken(viewer, filters):  # type: ignore[no-untyped-def]
        yield b"id,state\n"
        raise OSError("disk full")

    monkeypatch.setitem(exports.FORMATS, "jsonl", ("", "jsonl", broken))
    (tmp_path / "out.jsonl").write_bytes(b"the previous export")
    with pytest.raises(OSError, match="disk full"):
        call_command("export", "--format", "jsonl", "--out", str(tmp_path / "out.jsonl"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert (tmp_path / "out.jsonl").read_bytes() == b"the previous export"
