"""`truceline bench export`: each export format of a million incidents, streamed through
Django's stack, each in a fresh process whose peak resident memory is measured.

Fills the database up to ``--incidents`` with the synthetic generator, then runs, for a monitor
(every incident) and the public (the published ones), one child process per format that
downloads the export with the test client and discards it. A child that only sets Django up
and counts the incidents gives the floor: the memory of the process before any export.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.test import Client

from truceline.accounts.models import User
from truceline.accounts.testing import force_sign_in
from truceline.core.synthetic import generate
from truceline.incidents.models import Incident

AIM_MB = 250.0
FORMATS = ["csv", "geojson", "jsonl", "acled"]
VIEWERS = [("monitor", "qa-monitor"), ("public", "")]


def one(fmt: str, username: str) -> dict[str, float]:
    """In the child: stream one export to nowhere; bytes, seconds, peak memory."""
    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        force_sign_in(client, User.objects.get(username=username))
    started = time.perf_counter()
    size = 0
    lines = 0
    if fmt != "none":
        response = client.get(f"/exports/incidents.{fmt}")
        if response.status_code != 200:
            raise RuntimeError(f"{fmt} answered {response.status_code}")
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
            lines += chunk.count(b"\n")
    else:
        Incident.objects.count()
    seconds = time.perf_counter() - started
    return {"bytes": size, "lines": lines, "seconds": seconds, "peak_mb": _peak_kb() / 1024}


def _peak_kb() -> int:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: Linux carries
    ru_maxrss over fork and exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(fmt: str, username: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "truceline", "bench", "export", "--one", f"{fmt}:{username}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(incidents: int, progress: Callable[[str], None]) -> list[tuple[str, str, str]]:
    have = Incident.objects.count()
    if have < incidents:
        progress(f"generating {incidents - have:,} synthetic incidents (about 7 minutes a million)")
        generate(incidents - have, seed=have + 1)
    total = Incident.objects.count()
    published = Incident.objects.filter(state="published").count()
    floor = _child("none", "")
    lines = [
        (
            "floor: the process set up, no export",
            f"{floor['peak_mb']:.0f} MB",
            "peak resident memory of a child that only sets Django up and counts",
        )
    ]
    for label, username in VIEWERS:
        rows = total if username else published
        for fmt in FORMATS:
            progress(f"{fmt}, {label} ({rows:,} rows)")
            got = _child(fmt, username)
            verdict = "under the aim" if got["peak_mb"] < AIM_MB else "OVER the aim"
            lines.append(
                (
                    f"{fmt}, {label}: {rows:,} incidents",
                    f"peak {got['peak_mb']:.0f} MB; {got['seconds']:.0f} s "
                    f"({rows / max(got['seconds'], 1e-9):,.0f} rows/s); "
                    f"{got['bytes'] / 1e6:,.0f} MB out",
                    f"{got['peak_mb'] / AIM_MB:.2f}× the 250 MB aim ({verdict}); "
                    f"{got['peak_mb'] - floor['peak_mb']:+.0f} MB over the floor",
                )
            )
    return lines
