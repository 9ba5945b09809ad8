"""A border post's connection drops in the middle of an upload: the served product keeps
nothing of it — no evidence, no blob, no temporary file."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BOUNDARY = "drop-test-boundary"


def test_an_upload_cut_off_midway_leaves_nothing(live) -> None:  # type: ignore[no-untyped-def]
    base, env = live
    token = subprocess.run(
        [sys.executable, "-m", "truceline", "token", "create", "pk-liaison"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    def count() -> int:
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{base}/api/v1/evidence?limit=1", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback
            return int(json.load(answer)["count"])

    before = count()
    temp = Path(env["TRUCELINE_DATA_DIR"]) / "uploads"
    leftovers = {p.name for p in temp.iterdir()} if temp.exists() else set()
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="v.mp4"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    host = urllib.parse.urlsplit(base)
    with socket.create_connection((host.hostname, host.port)) as conn:
        conn.sendall(
            (
                "POST /api/v1/evidence HTTP/1.1\r\n"
                f"Host: {host.netloc}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {len(head) + 50_000_000}\r\n\r\n"
            ).encode()
            + head
        )
        for _ in range(40):  # 10 MB of a promised 50, then the line goes dead
            conn.sendall(b"\x00" * 256_000)
        deadline = time.monotonic() + 10
        while not ({p.name for p in temp.iterdir()} - leftovers):  # it is being received
            assert time.monotonic() < deadline, "the upload never reached a temporary file"
            time.sleep(0.1)
        conn.shutdown(socket.SHUT_RDWR)
    deadline = time.monotonic() + 15
    while True:
        now = {p.name for p in temp.iterdir()} if temp.exists() else set()
        if now <= leftovers or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert now <= leftovers, f"temporary files left behind: {now - leftovers}"
    assert count() == before
