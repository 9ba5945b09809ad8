"""A witness on its own machine: `truceline ledger witness` against the served product,
with a key the server never sees, and what it cosigned shown on the public portal."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

TRUCELINE = [sys.executable, "-m", "truceline"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TRUCELINE, *args], env=env, capture_output=True, text=True)


def test_a_witness_cosigns_from_its_own_machine(live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, server_env = live
    # the witness's machine: its own data dir, no database of the mechanism's
    mine = dict(server_env, TRUCELINE_DATA_DIR=str(tmp_path), TRUCELINE_KEY_PASSPHRASE="pw-9f3k")
    mine.pop("TRUCELINE_DATABASE_URL", None)
    made = run("ledger", "keygen", "witness.pakistan/1", "--out", str(tmp_path / "w.key"), env=mine)
    assert made.returncode == 0, made.stderr
    vkey = made.stdout.strip()
    assert oct((tmp_path / "w.key").stat().st_mode & 0o777) == "0o600"
    assert b"ENCRYPTED" in (tmp_path / "w.key").read_bytes()
    # the secretariat registers the public half
    registered = run(
        "ledger",
        "register-witness",
        "witness.pakistan/1",
        vkey,
        "--organisation",
        "pakistan",
        env=server_env,
    )
    assert registered.returncode == 0, registered.stderr
    keys = run("ledger", "keys", env=server_env).stdout
    log_vkey = next(line.split("\t")[2] for line in keys.splitlines() if line.startswith("log"))
    checkpoint = run("ledger", "checkpoint", env=server_env)
    assert checkpoint.returncode == 0, checkpoint.stderr
    witness = [
        "ledger",
        "witness",
        "--url",
        base,
        "--key",
        str(tmp_path / "w.key"),
        "--name",
        "witness.pakistan/1",
        "--state",
        str(tmp_path / "state"),
        "--log-key",
        log_vkey,
    ]
    first = run(*witness, env=mine)
    assert first.returncode == 0, first.stderr
    assert "cosigned the tree of" in first.stdout
    note = urllib.request.urlopen(f"{base}/api/v1/ledger/checkpoint").read().decode()  # noqa: S310
    assert "\u2014 witness.pakistan/1 " in note
    portal = urllib.request.urlopen(f"{base}/ledger/").read().decode()  # noqa: S310
    assert "witness.pakistan/1 (Pakistan)" in portal
    # the log's own verification agrees with what was witnessed
    verified = run("ledger", "verify", env=server_env)
    assert verified.returncode == 0, verified.stderr
    # a wrong passphrase never signs anything
    wrong = run(*witness, env=dict(mine, TRUCELINE_KEY_PASSPHRASE="nope"))
    assert wrong.returncode != 0
