"""``truceline bench evidence``: one large upload through the real server, with the server's
memory watched while it streams. Runs ``truceline serve`` on a scratch data directory."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from truceline.core.harness import free_port

BOUNDARY = "truceline-bench-boundary"


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        out.extend(_tree(int(child)))
    return out


def _video_header(total: int) -> bytes:
    """An MP4 whose movie header says 60 s, followed by an mdat box filling ``total`` bytes."""
    ftyp = struct.pack(">I", 20) + b"ftypisom" + struct.pack(">I", 512) + b"isom"
    mvhd_body = b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, 1000, 60_000) + b"\x00" * 80
    mvhd = struct.pack(">I", 8 + len(mvhd_body)) + b"mvhd" + mvhd_body
    moov = struct.pack(">I", 8 + len(mvhd)) + b"moov" + mvhd
    head = ftyp + moov
    return head + struct.pack(">I", total - len(head)) + b"mdat"


def run(size: int, progress: Callable[[str], None]) -> list[tuple[str, str, str]]:
    data_dir = Path(tempfile.mkdtemp(prefix="truceline-bench-"))
    env = dict(
        os.environ,
        TRUCELINE_DATA_DIR=str(data_dir),
        TRUCELINE_HTTPS="0",
        TRUCELINE_DEMO_PASSWORD=secrets.token_urlsafe(16),
        TRUCELINE_EVIDENCE_MAX_FILE=str(size + (1 << 20)),
        TRUCELINE_EVIDENCE_MAX_SUBMISSION=str(size + (2 << 20)),
    )
    env.pop("TRUCELINE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "truceline"]
    subprocess.run([*cli, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [*cli, "token", "create", "pk-liaison"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = [0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_rss_kib(p) for p in _tree(server.pid)[1:]))
            time.sleep(0.05)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        idle = sum(_rss_kib(p) for p in _tree(server.pid)[1:])
        threading.Thread(target=watch, daemon=True).start()
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="sharing"\r\n\r\nparties\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="long.mp4"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        connection.putrequest("POST", "/api/v1/evidence")
        connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
        connection.putheader("Content-Length", str(len(head) + size + len(tail)))
        connection.endheaders()
        started = time.perf_counter()
        connection.send(head)
        video = _video_header(size)
        connection.send(video)
        block = b"\x00" * (1 << 20)
        sent = len(video)
        while sent < size:
            piece = block[: min(len(block), size - sent)]
            connection.send(piece)
            sent += len(piece)
            if sent % (128 << 20) < len(piece):
                progress(f"sent {sent >> 20} MiB")
        connection.send(tail)
        answer = connection.getresponse()
        body = answer.read()
        elapsed = time.perf_counter() - started
        if answer.status != 201:
            raise RuntimeError(f"the upload answered {answer.status}: {body[:300]!r}")
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)
    mib = size / (1 << 20)
    return [
        ("upload size", f"{mib:,.0f} MiB", "one MP4 file, multipart, to POST /api/v1/evidence"),
        (
            "time to 201",
            f"{elapsed:.1f} s",
            f"{mib / elapsed:,.0f} MiB/s: receive, hash, sniff, store",
        ),
        ("server memory, idle", f"{idle / 1024:,.0f} MiB", "RSS of the gunicorn worker"),
        (
            "server memory, peak during the upload",
            f"{peak[0] / 1024:,.0f} MiB",
            "sampled every 50 ms (aim: under 200 MiB)",
        ),
    ]
