"""Backup while the server takes submissions, restore onto an empty deployment, compare
everything; a backup that does not verify is refused and leaves the deployment empty."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest

from truceline.core.harness import Client, Deployment
from truceline.testing.story import REPORT

SERVER = os.environ.get("TRUCELINE_DATABASE_URL") or None
pytestmark = pytest.mark.processes


def _upload(client: Client, name: str, content: bytes) -> None:
    boundary = secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", client.port, client.timeout)
    connection.request(
        "POST",
        "/api/v1/evidence",
        body,
        {
            "Authorization": f"Bearer {client.token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    response = connection.getresponse()
    assert response.status == 201, response.read()
    connection.close()


def _submit_until(client: Client, stop: threading.Event, answered: list[str]) -> None:
    while not stop.is_set():
        key = uuid.uuid4().hex
        status, body, _ = client.request(
            "POST",
            "/reports",
            {**REPORT, "narrative": f"Shelling, {key}."},
            {"Idempotency-Key": key},
        )
        assert status == 201, body
        answered.append(body["report"]["id"])


def _dump(deployment: Deployment) -> list[dict[str, object]]:
    rows = json.loads(deployment.manage("dumpdata", "--indent", "0"))
    return sorted(rows, key=lambda r: (r["model"], str(r["pk"])))


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _restore(deployment: Deployment, directory: Path) -> str:
    return deployment.manage("restore", str(directory))


def test_backup_while_serving_and_restore_onto_an_empty_deployment(tmp_path: Path) -> None:
    env = {"TRUCELINE_CHECKPOINT_ENTRIES": "1", "TRUCELINE_RATE_SUBMIT": ""}
    with Deployment(SERVER, workers=2, demo_args=("--incidents", "5"), env_extra=env) as source:
        client = Client(0, source.token("pk-liaison"))
        source.start()
        client.port = source.port
        _upload(client, "log.txt", os.urandom(100_000).hex().encode())
        _upload(client, "note.txt", b"The crater, measured at 09:40.\n")
        stop, answered = threading.Event(), []
        submitting = threading.Thread(target=_submit_until, args=(client, stop, answered))
        submitting.start()
        try:
            source.manage("backup", str(tmp_path / "during"))
        finally:
            stop.set()
            submitting.join()
        assert answered, "no submission ran while the backup was made"
        source.stop()
        source.manage("backup", str(tmp_path / "after"))
        secret = {"TRUCELINE_SECRET_KEY": source.env["TRUCELINE_SECRET_KEY"]}

        with Deployment(SERVER, demo_args=None, env_extra=secret) as target:
            assert "OK restored" in _restore(target, tmp_path / "after")
            assert _dump(target) == _dump(source)
            assert _files(target.data_dir / "evidence") == _files(source.data_dir / "evidence")
            assert len(_files(target.data_dir / "evidence")) == 2
            assert "OK database" in target.manage("ledger", "verify")
            # the same secret: the restored deployment signs its next checkpoint with its key
            target.manage("demo", "--no-serve", "--incidents", "1")
            assert "OK database" in target.manage("ledger", "verify")

        # the backup made under load is one consistent state: a verified ledger, and every
        # report in it is one the source has
        with Deployment(SERVER, demo_args=None, env_extra=secret) as target:
            _restore(target, tmp_path / "during")
            reports = {r["pk"] for r in _dump(target) if r["model"] == "reports.report"}
            source_reports = {r["pk"] for r in _dump(source) if r["model"] == "reports.report"}
            assert reports <= source_reports and reports != source_reports


def _refused(target: Deployment, directory: Path, reason: str) -> None:
    with pytest.raises(RuntimeError, match=reason):
        _restore(target, directory)
    assert "[X]" not in target.manage("showmigrations")  # nothing applied: an empty database
    evidence = target.data_dir / "evidence"
    assert not evidence.exists() or not _files(evidence)


def test_a_backup_that_does_not_verify_is_refused(tmp_path: Path) -> None:
    with Deployment(SERVER, workers=1, env_extra={"TRUCELINE_CHECKPOINT_ENTRIES": "1"}) as source:
        client = Client(0, source.token("pk-liaison"))
        source.start()
        client.port = source.port
        _upload(client, "log.txt", os.urandom(5_000).hex().encode())
        source.stop()
        good = tmp_path / "good"
        source.manage("backup", str(good))
        manifest = json.loads((good / "manifest.json").read_text())
        database = good / manifest["database"]["file"]

        with Deployment(SERVER, demo_args=None) as target:
            # one byte of evidence changed
            blob = next(p for p in (good / "evidence").rglob("*") if p.is_file())
            original = blob.read_bytes()
            blob.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
            _refused(target, good, "SHA-256 is not the manifest")
            blob.write_bytes(original)
            # a file gone, a file added
            (good / "keys.json").rename(tmp_path / "keys.json")
            _refused(target, good, "keys.json: missing")
            (tmp_path / "keys.json").rename(good / "keys.json")
            (good / "extra.sql").write_text("DROP TABLE reports_report;")
            _refused(target, good, "extra.sql: not in the manifest")
            (good / "extra.sql").unlink()
            if source.engine == "sqlite":
                # a ledger event edited, and the manifest's hash made to match: the ledger
                # verification finds it, and the restore takes back what it loaded
                with sqlite3.connect(database) as db:  # past the append-only triggers, too
                    triggers = db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                        " AND tbl_name = 'ledger_event'"
                    ).fetchall()
                    for (name,) in triggers:
                        db.execute(f'DROP TRIGGER "{name}"')
                    db.execute("UPDATE ledger_event SET payload = '{}' WHERE seq = 2")
                manifest["files"][database.name] = hashlib.sha256(database.read_bytes()).hexdigest()
                (good / "manifest.json").write_text(json.dumps(manifest))
                _refused(target, good, "ledger: ")
            else:
                database.write_bytes(database.read_bytes()[:-10])
                _refused(target, good, "SHA-256 is not the manifest")

        fresh = tmp_path / "fresh"
        source.manage("backup", str(fresh))
        with pytest.raises(RuntimeError, match="onto an empty database"):
            _restore(source, fresh)  # a deployment in use
