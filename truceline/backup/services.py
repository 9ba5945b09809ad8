"""Backup and restore of a whole deployment (docs/operations.md, Backup and restore).

A backup is a directory: the database as its own tool snapshots it (SQLite's ``VACUUM INTO``,
PostgreSQL's ``pg_dump``: each one consistent read, while the server keeps writing), every
evidence blob the database knows (blobs are written once and never removed, so those that
exist after the snapshot are a superset of those it names), the ledger's public keys and its
latest signed checkpoint as of before the snapshot, and ``manifest.json`` with the SHA-256 of
every file. Secrets stay out: the secret key and the key passphrase are kept apart from
backups, so a stolen backup signs nothing.

A restore goes only onto an empty deployment, and refuses a backup that does not verify:
a file missing or changed, an evidence blob whose bytes are not its name, a database the
ledger verification finds fault with, or one whose log lacks the checkpoint the backup
recorded. What a refused restore had loaded is removed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from truceline.evidence import store
from truceline.evidence.models import Blob
from truceline.ledger.models import Checkpoint
from truceline.ledger.selectors import public_keys
from truceline.ledger.verify import Key, check_checkpoint_note

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
Progress = Callable[[str], None]


class BackupError(Exception):
    """The backup cannot be made, or the restore refused; the message says why."""


@dataclass
class Summary:
    files: int = 0
    bytes: int = 0
    blobs: int = 0
    entries: int = 0
    checkpoint: int | None = None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on the PATH (Debian's wrapper picks the server's version), or
    the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3])
    )
    if not candidates:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return str(candidates[-1])


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        PGDATABASE=str(db["NAME"]),
        PGUSER=str(db.get("USER") or ""),
        PGPASSWORD=str(db.get("PASSWORD") or ""),
        PGHOST=str(db.get("HOST") or ""),
        PGPORT=str(db.get("PORT") or ""),
    )
    return {k: v for k, v in env.items() if v != ""}


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _snapshot_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:  # one read transaction; writers go on (WAL)
            cursor.execute("VACUUM INTO %s", [str(target)])
    elif connection.vendor == "postgresql":
        argv = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        _run([*argv, "--file", str(target)], _pg_env())
    else:  # pragma: no cover - settings allow only these two
        raise BackupError(f"no backup for {connection.vendor}")


def _blob_names() -> Iterator[str]:
    for sha in Blob.objects.order_by("sha256").values_list("sha256", flat=True).iterator():
        yield Blob(sha256=sha).name


def backup(directory: Path, progress: Progress = lambda _: None) -> Summary:
    """Write a backup of this deployment into ``directory`` (new, or empty)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    # Before the snapshot: the snapshot's log holds this checkpoint, or it and later ones.
    latest = Checkpoint.objects.order_by("-size").first()
    keys = [
        {k: key[k] for k in ("key_id", "name", "purpose", "vkey", "fingerprint")}
        for key in public_keys()
    ]
    progress("database")
    database = directory / DATABASE_FILES[connection.vendor]
    _snapshot_database(database)
    files: dict[str, str] = {database.name: _sha256_file(database)}
    (directory / "keys.json").write_text(json.dumps(keys, indent=1) + "\n")
    files["keys.json"] = _sha256_file(directory / "keys.json")
    if latest is not None:
        (directory / "checkpoint.txt").write_text(latest.note)
        files["checkpoint.txt"] = _sha256_file(directory / "checkpoint.txt")
        summary.checkpoint = latest.size
    evidence = store.storage()
    for name in _blob_names():
        out = directory / "evidence" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with evidence.open(name, "rb") as source, out.open("wb") as sink:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                sink.write(block)
        if digest.hexdigest() != Path(name).name:
            raise BackupError(
                f"the evidence store's {name} is not what its name says; no backup was "
                "finished (`truceline evidence check` names every altered file)"
            )
        files[f"evidence/{name}"] = digest.hexdigest()
        summary.blobs += 1
        if summary.blobs % 500 == 0:
            progress(f"evidence: {summary.blobs} blobs")
    manifest = {
        "format": FORMAT,
        "made_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {"vendor": connection.vendor, "file": database.name},
        "ledger": {
            "origin": settings.TRUCELINE_LEDGER_ORIGIN,
            "checkpoint": summary.checkpoint,
        },
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    for path in directory.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
                summary.bytes += os.fstat(handle.fileno()).st_size
    summary.files = len(files) + 1
    return summary


# --- restore ---------------------------------------------------------------------------------


def _read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory / MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{directory} is not a backup this version reads")
    return manifest


def check_files(directory: Path, manifest: dict[str, Any], progress: Progress) -> list[str]:
    """Every file the manifest names, with the hash it names; nothing else beside them."""
    problems = []
    named: dict[str, str] = manifest.get("files") or {}
    for i, (relative, expected) in enumerate(sorted(named.items()), 1):
        path = directory / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute() or not path.is_file():
            problems.append(f"{relative}: missing")
        elif _sha256_file(path) != expected:
            problems.append(f"{relative}: its SHA-256 is not the manifest's")
        elif relative.startswith("evidence/") and Path(relative).name != expected:
            problems.append(f"{relative}: its bytes are not the blob its name says")
        if i % 500 == 0:
            progress(f"checked {i} of {len(named)} files")
    present = {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    problems.extend(f"{extra}: not in the manifest" for extra in sorted(present - set(named)))
    database = (manifest.get("database") or {}).get("file")
    if database not in named:
        problems.append("the manifest names no database")
    return problems


def _is_empty() -> bool:
    if connection.introspection.table_names():
        return False
    evidence = store.storage()
    try:
        directories, files = evidence.listdir("")
    except (FileNotFoundError, NotImplementedError):
        return True
    return not directories and not files


def _remove_sqlite_files() -> Path:
    """Close the connection and remove the database file with its WAL: the empty state a
    restore starts from, and goes back to. Returns the database's path."""
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return target


def _load_database(path: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"a {vendor} backup restores onto {vendor}, not {connection.vendor} "
            "(to move between databases: dumpdata and loaddata)"
        )
    if vendor == "sqlite":
        target = _remove_sqlite_files()
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
        with os.fdopen(handle, "wb") as sink, path.open("rb") as source:
            shutil.copyfileobj(source, sink, 1 << 20)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, target)
    else:
        argv = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        connection.close()
        env = _pg_env()
        _run([*argv, "--single-transaction", "--dbname", env["PGDATABASE"], str(path)], env)


def _unload_database() -> None:
    """Back to the empty database the restore found."""
    if connection.vendor == "sqlite":
        _remove_sqlite_files()
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def _check_loaded(directory: Path, manifest: dict[str, Any], progress: Progress) -> list[str]:
    from truceline.ledger.audit import verify_database

    problems: list[str] = []
    progress("verifying the ledger")
    report = verify_database()
    problems.extend(f"ledger: {p}" for p in report.problems)
    size = (manifest.get("ledger") or {}).get("checkpoint")
    if size is not None:
        note = (directory / "checkpoint.txt").read_text()
        if not Checkpoint.objects.filter(size=size, note=note).exists():
            problems.append(f"ledger: the database lacks the backup's checkpoint {size}")
        log_keys = [
            Key.from_vkey(k["vkey"])
            for k in json.loads((directory / "keys.json").read_text())
            if k["purpose"] == "log"
        ]
        origin = (manifest.get("ledger") or {}).get("origin")
        wrong = check_checkpoint_note(note, origin, log_keys)
        if wrong is not None:
            problems.append(f"checkpoint.txt: {wrong}")
    named = set(manifest.get("files") or {})
    missing = [n for n in _blob_names() if f"evidence/{n}" not in named]
    problems.extend(f"evidence {n}: in the database, not in the backup" for n in missing[:20])
    return problems


def restore(directory: Path, progress: Progress = lambda _: None) -> Summary:
    """Restore the backup in ``directory`` onto this (empty) deployment, or refuse."""
    manifest = _read_manifest(directory)
    progress("checking every file against the manifest")
    problems = check_files(directory, manifest, progress)
    if problems:
        raise BackupError("the backup does not verify:\n" + "\n".join(problems))
    if not _is_empty():
        raise BackupError("restore goes onto an empty database and evidence store")
    summary = Summary()
    progress("database")
    database = manifest["database"]
    _load_database(directory / database["file"], database["vendor"])
    try:
        problems = _check_loaded(directory, manifest, progress)
    except Exception as exc:  # whatever broke, the load is undone
        problems = [f"the restored database could not be checked: {exc}"]
    if problems:
        _unload_database()
        raise BackupError("the backup does not verify:\n" + "\n".join(problems))
    for relative in sorted(manifest["files"]):
        if relative.startswith("evidence/"):
            with (directory / relative).open("rb") as source:
                store.put(relative.removeprefix("evidence/"), source)
            summary.blobs += 1
            if summary.blobs % 500 == 0:
                progress(f"evidence: {summary.blobs} blobs")
    from truceline.ledger.models import LogHead

    summary.entries = LogHead.objects.values_list("size", flat=True).first() or 0
    summary.checkpoint = (manifest.get("ledger") or {}).get("checkpoint")
    summary.files = len(manifest["files"]) + 1
    return summary
