"""The evidence store on an S3-compatible server: moto's standalone server (a well-kept
fake of S3's HTTP API, started here on 127.0.0.1), reached through django-storages exactly
as production reaches a real bucket."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.management import CommandError, call_command

from truceline.evidence import store
from truceline.evidence.models import Blob
from truceline.testing import files
from truceline.testing.files import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(settings: Any, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="evidence")
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence",
                "endpoint_url": s3_endpoint,
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": False,
            },
        },
    }
    return client


def test_evidence_lives_in_the_bucket_and_is_checked_there(api, s3_store) -> None:  # type: ignore[no-untyped-def]
    photo = files.jpeg_with_gps()
    status, body = upload(api, "pk-liaison", ("p.jpg", photo))
    assert status == 201, body
    item = body["items"][0]
    blob = Blob.objects.get(pk=item["sha256"])
    stored = s3_store.get_object(Bucket="evidence", Key=blob.name)["Body"].read()
    assert stored == photo
    # the same bytes again: one object in the bucket
    upload(api, "af-liaison", ("q.jpg", photo))
    keys = [o["Key"] for o in s3_store.list_objects_v2(Bucket="evidence")["Contents"]]
    assert keys.count(blob.name) == 1
    answer = api.client.get(
        f"/api/v1/evidence/{item['id']}/download",
        HTTP_AUTHORIZATION=f"Bearer {api.token('qa-monitor')}",
    )
    assert b"".join(answer.streaming_content) == photo
    call_command("evidence", "check")
    s3_store.put_object(Bucket="evidence", Key=blob.name, Body=io.BytesIO(b"forged"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("evidence", "check", stderr=err)
    assert "altered" in err.getvalue()
    assert type(store.storage()).__name__ == "S3Storage"
