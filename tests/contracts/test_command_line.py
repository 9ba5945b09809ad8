"""Every command of DESIGN.md's command-line contract, run as a script would run it: `truceline`
in a process of its own, on a scratch data directory, with the documented options. A contract
that goes missing (a command renamed, an option dropped, output where a script reads one line)
fails here.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from truceline.core.harness import free_port

pytestmark = pytest.mark.processes

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
CLI = [sys.executable, "-m", "truceline"]


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if ok:
        assert done.returncode == 0, f"truceline {' '.join(args)}: {done.stderr or done.stdout}"
    return done


def scratch(tmp_path: Path, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRUCELINE_DATABASE_URL"}
    env.update(
        TRUCELINE_DATA_DIR=str(tmp_path / name),
        TRUCELINE_HTTPS="0",
        TRUCELINE_SECRET_KEY=secrets.token_urlsafe(50),
        TRUCELINE_DEMO_PASSWORD=secrets.token_urlsafe(16),
    )
    return env


def serves(env: dict[str, str], *args: str) -> None:
    """`truceline serve ARGS` starts and answers /healthz; stopped again afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    return
            except OSError:
                assert server.poll() is None, "truceline serve stopped"
                assert time.monotonic() < deadline, "truceline serve did not answer"
                time.sleep(0.2)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_every_command_of_the_contract(tmp_path: Path) -> None:
    env = scratch(tmp_path, "data")
    port = str(free_port())
    run(env, "demo", "--incidents", "12", "--no-serve", "--port", port)
    # the demo's people, with the password the environment set
    token = run(env, "token", "create", "pk-liaison").stdout
    assert token.count("\n") == 1 and len(token.strip()) > 20 and " " not in token.strip()

    serves(env, "--workers", "1")
    run(env, "worker", "--batch")

    ledger = tmp_path / "ledger"
    run(env, "ledger", "verify")
    run(env, "ledger", "export", str(ledger))  # the public ledger as files, checked offline
    run(env, "ledger", "verify", "--export", str(ledger))

    for fmt in ("csv", "hxl", "geojson", "jsonl", "acled"):
        out = tmp_path / f"export.{fmt}"
        done = run(env, "export", "--format", fmt, "--out", str(out))
        assert done.stdout == "" and out.stat().st_size > 0
        run(env, "export", "--format", fmt, "--as", "af-liaison", "--out", str(out))
    refused = run(env, "export", "--format", "pdf", "--out", str(out), ok=False)
    assert refused.returncode != 0 and "--format" in refused.stderr

    # ACLED's own columns as the mechanism exports them, read back as background history
    with (tmp_path / "export.acled").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert {"event_id_cnty", "event_date", "latitude", "longitude"} <= set(header)
    acled = tmp_path / "acled.csv"
    acled.write_text(
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
        "actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,"
        "fatalities\nPAK900,12 October 2025,2025,1,Political violence,Battles,Armed clash,"
        "Military Forces of Pakistan,Military Forces of Afghanistan,Pakistan,"
        "Khyber Pakhtunkhwa,Torkham,34.13,71.09,1,Dawn,Clashes at the border.,5\n",
        encoding="utf-8",
    )
    run(env, "import", "acled", str(acled))
    ucdp = SHARED / "events" / "ucdp-ged-23.1-afg-pak-sample.csv"
    run(env, "import", "ucdp", str(ucdp))

    today = time.strftime("%Y-%m-%d", time.gmtime())
    for edition in ("public", "parties"):
        pdf = tmp_path / f"report-{edition}.pdf"
        run(env, "report", "--from", "2025-10-19", "--to", today, "--edition", edition,
            "--out", str(pdf))  # fmt: skip
        assert pdf.read_bytes().startswith(b"%PDF")
    html = tmp_path / "report.html"
    run(env, "report", "--from", "2025-10-19", "--to", today, "--out", str(html))
    assert "<html" in html.read_text(encoding="utf-8")
    assert "25 years" in run(env, "report", "--help").stdout

    run(env, "evidence", "check")

    articles = SHARED / "news"
    run(env, "ingest", str(articles / "dev-001.txt"))
    scores = json.loads(run(env, "eval-extraction", str(articles), "--json").stdout)
    assert set(scores) >= {"events", "event_dates", "event_places", "statements"}
    for field in scores.values():
        assert set(field) >= {"precision", "recall"}

    backup = tmp_path / "backup"
    run(env, "backup", str(backup))
    restored = scratch(tmp_path, "restored")
    restored["TRUCELINE_SECRET_KEY"] = env["TRUCELINE_SECRET_KEY"]
    run(restored, "restore", str(backup))
    run(restored, "ledger", "verify")
    run(restored, "evidence", "check")

    production = dict(
        env,
        TRUCELINE_HTTPS="1",
        TRUCELINE_DEBUG="0",
        TRUCELINE_SECRET_KEY=secrets.token_urlsafe(64),
        TRUCELINE_ALLOWED_HOSTS="truceline.example.org",
    )
    production.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run(production, "check", "--deploy")

    # and every one of them is named by `truceline --help`
    listed = run(env, "help").stdout
    for command in ("demo", "serve", "worker", "token", "ledger", "export", "import", "report",
                    "evidence", "backup", "restore", "ingest", "eval_extraction"):  # fmt: skip
        assert command in listed, command
