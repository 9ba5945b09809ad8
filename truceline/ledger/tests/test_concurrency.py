"""Several processes append to one log at once: no gaps, no duplicates, no "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WRITER = """
import django, os
django.setup()
from django.db import transaction
from truceline.ledger.services import event_append
for i in range(int(os.environ["N"])):
    with transaction.atomic():
        event_append(
            actor=None, kind="load", object_type="w", object_id=os.environ["W"], payload={"i": i}
        )
"""

COUNT = """
import django
django.setup()
from truceline.ledger.models import Event
loads = Event.objects.filter(kind="load").count()
seqs = list(Event.objects.values_list("seq", flat=True))
print(loads, len(seqs), min(seqs), max(seqs), len(set(seqs)))
"""


def test_concurrent_writers_share_the_log(tmp_path: Path) -> None:
    base = os.environ.get("TRUCELINE_DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"tl_conc_{os.getpid()}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    env = dict(
        os.environ,
        TRUCELINE_DATABASE_URL=url,
        TRUCELINE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="truceline.settings",
        N="40",
    )
    subprocess.run([sys.executable, "-m", "truceline", "migrate", "-v0"], env=env, check=True)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER], env=dict(env, W=str(w)), stderr=subprocess.PIPE
        )
        for w in range(4)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in writers]
    assert all(p.returncode == 0 for p in writers), errors
    out = subprocess.run(
        [sys.executable, "-c", COUNT], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    loads, total, low, high, distinct = map(int, out)
    assert loads == 160
    assert total == distinct == high and low == 1  # contiguous: no gaps between writers
    # and the tree the writers built in turns is the tree the rows rebuild
    verify = subprocess.run(
        [sys.executable, "-m", "truceline", "ledger", "verify", "--workers", "2"],
        env=env,
        capture_output=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.processes]
