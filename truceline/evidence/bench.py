"""``truceline bench evidence``: one large upload through the real server, with the server's
memory watched while it streams. Runs ``truceline serve`` on a scratch data directory."""

from __future__ import annotations

import http.client
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from truceline.core.harness import Deployment

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
    limits = {
        "TRUCELINE_EVIDENCE_MAX_FILE": str(size + (1 << 20)),
        "TRUCELINE_EVIDENCE_MAX_SUBMISSION": str(size + (2 << 20)),
    }
    with Deployment(None, workers=1, env_extra=limits, demo_args=()) as deployment:
        token = deployment.token("pk-liaison")
        deployment.start()
        assert deployment.process is not None
        return _upload(deployment.port, deployment.process.pid, token, size, progress)


def _upload(
    port: int, server: int, token: str, size: int, progress: Callable[[str], None]
) -> list[tuple[str, str, str]]:
    """One upload of ``size`` bytes, the server's workers' memory watched meanwhile."""
    peak = [0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_rss_kib(p) for p in _tree(server)[1:]))
            time.sleep(0.05)

    try:
        idle = sum(_rss_kib(p) for p in _tree(server)[1:])
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
