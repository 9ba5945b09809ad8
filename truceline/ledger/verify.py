"""Checking the ledger: one receipt, the whole database, or an export — each without
trusting the server that made them.

``verify_rows`` is the heart of ``truceline ledger verify``: it re-derives every leaf from the
event rows, compares each with the leaf the ledger holds, rebuilds the tree and compares its
roots with the signed checkpoints. Every difference is named by its sequence number.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truceline.ledger import merkle, notes
from truceline.ledger.leaves import EventRecord, leaf_of_row, parse_leaf


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    checkpoints: int = 0
    cosignatures: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SignedCheckpoint:
    size: int
    root: bytes
    note: str


@dataclass(frozen=True)
class Key:
    name: str
    purpose: str
    public: bytes

    @classmethod
    def from_vkey(cls, text: str) -> Key:
        """A C2SP verifier key; its algorithm byte says what it signs."""
        name, alg, public = notes.parse_vkey(text)
        return cls(name, "log" if alg == notes.ALG_ED25519 else "witness", public)

    @property
    def alg(self) -> int:
        return notes.ALG_ED25519 if self.purpose == "log" else notes.ALG_COSIGNATURE_V1


def check_checkpoint_note(note: str, origin: str | None, log_keys: Iterable[Key]) -> str | None:
    """Why the note is not a checkpoint signed by one of the log keys, or None."""
    try:
        body, sigs = notes.split_note(note)
        cp = notes.parse_checkpoint(body)
    except notes.NoteError as exc:
        return f"not a signed checkpoint: {exc}"
    if origin is not None and cp.origin != origin:
        return f"origin is {cp.origin!r}, expected {origin!r}"
    for key in log_keys:
        sig = notes.find_signature(sigs, key.name, key.public, notes.ALG_ED25519)
        if sig is not None and notes.verify_signed(body, sig, key.public):
            return None
    return "no valid signature by the log's key"


# --- receipts -----------------------------------------------------------------------------


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


def check_receipt(receipt: Any, trusted: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(problems, facts) of one receipt. ``trusted`` are verifier keys (vkeys) the checker
    trusts for the log; without them the key the receipt carries is used, and the facts say
    so — compare its fingerprint with the one the portal and the parties publish."""
    facts: list[str] = []
    try:
        if not isinstance(receipt, dict) or receipt.get("v") != 1:
            return ["not a version 1 Truceline receipt"], facts
        record = EventRecord.from_json(receipt["event"], str(receipt["salt"]))
        bytes.fromhex(record.salt)
        leaf = _b64(receipt["leaf"])
        index = int(receipt["index"])
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return [f"the receipt is not well formed ({exc})"], facts
    problems = []
    if record.leaf() != leaf:
        problems.append("the event and salt do not open the leaf's commitment")
    elif index != record.seq - 1:
        problems.append("the leaf index does not match the event's sequence number")
    else:
        facts.append(
            f"event #{record.seq} ({record.kind}, {record.time}) is the ledger's leaf {index}"
        )
    if receipt.get("checkpoint") is None:
        promise = receipt.get("promise") or {}
        problems.append(
            "no checkpoint yet: fetch the receipt again from "
            f"{promise.get('fetch', 'the server')} to complete it"
        )
        return problems, facts
    try:
        body, _sigs = notes.split_note(str(receipt["checkpoint"]))
        cp = notes.parse_checkpoint(body)
        inclusion = receipt["inclusion"]
        hashes = [_b64(h) for h in inclusion["hashes"]]
        keys_text = trusted or [str(receipt["log_key"])]
        keys = [Key.from_vkey(text) for text in keys_text]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return [*problems, f"the checkpoint part is not well formed ({exc})"], facts
    why = check_checkpoint_note(str(receipt["checkpoint"]), receipt.get("origin"), keys)
    if why:
        problems.append(f"checkpoint: {why}")
    else:
        who = "a trusted key" if trusted else "the key in the receipt (check its fingerprint)"
        fps = ", ".join(notes.fingerprint(k.public) for k in keys)
        facts.append(f"checkpoint of size {cp.size} signed by {who}: {fps}")
    if int(inclusion.get("size", -1)) != cp.size:
        problems.append("the inclusion proof is for another tree size than the checkpoint")
    elif not merkle.verify_inclusion(merkle.leaf_hash(leaf), index, cp.size, hashes, cp.root):
        problems.append("the inclusion proof does not lead to the checkpoint's root")
    else:
        facts.append(f"leaf {index} is included in the tree of size {cp.size}")
    return problems, facts


# --- the whole log ------------------------------------------------------------------------


@dataclass
class RowCheck:
    """One stretch of the log checked: the leaf hash at each place (from its row; from the
    held leaf where the row is gone) and what is wrong, by sequence number."""

    hashes: list[bytes]
    problems: list[str]
    entries: int


Row = tuple[int, str, str, str, str, str, str, str]  # EventRecord's fields, in order


def check_rows(
    rows: Iterator[Row],
    stored: Iterator[tuple[int, bytes]],
    reopen: Callable[[], Iterator[tuple[int, bytes]]],
    first: int = 1,
    end: int | None = None,
) -> RowCheck:
    """Compare the event rows with seq in [first, end) (in order) with the stored leaves of
    the same places. Rows changed, deleted, inserted or moved are named by seq. Both are
    streamed side by side; ``reopen`` reads all leaves again, only to say where a moved row
    came from. ``end=None``: to the end of the log, rows past it included."""
    problems: list[str] = []
    hashes: list[bytes] = []
    held_at = _Cursor(stored)
    by_commitment: dict[str, int] | None = None
    sha = hashlib.sha256
    expected = first
    count = 0

    def gone(seq: int) -> None:
        held = held_at(seq - 1)
        if held is None:
            problems.append(f"entry #{seq}: neither its event row nor its leaf is there")
        else:
            problems.append(f"entry #{seq}: the event row is missing (deleted)")
        hashes.append(sha(b"\x00" + (held or b"")).digest())

    append = hashes.append
    for row in rows:
        seq = row[0]
        while expected < seq:  # a gap: rows deleted
            gone(expected)
            expected += 1
        derived = leaf_of_row(*row)
        held = held_at(seq - 1)
        if held is None:
            problems.append(f"entry #{seq}: not in the ledger (row inserted)")
        elif derived != held:
            if by_commitment is None:
                by_commitment = {parse_leaf(v)["commitment"]: i for i, v in reopen()}
            origin_index = by_commitment.get(EventRecord(*row).commitment())
            if origin_index is not None:
                problems.append(
                    f"entry #{seq}: holds the event recorded as #{origin_index + 1} "
                    "(rows reordered)"
                )
            else:
                problems.append(
                    f"entry #{seq}: the event row differs from its ledger leaf (changed)"
                )
        append(sha(b"\x00" + derived).digest())
        count += 1
        expected += 1
    if end is not None:
        while expected < end:
            gone(expected)
            expected += 1
    else:
        for index, leaf in held_at.rest(expected - 1):
            problems.append(f"entry #{index + 1}: the event row is missing (deleted)")
            hashes.append(sha(b"\x00" + leaf).digest())
    return RowCheck(hashes, problems, count)


def roots_at(leaf_hashes: list[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """The tree's root at each of ``sizes``: every level built once from the leaf hashes
    (n - 1 hashes in all), then each root folded from O(log n) of its perfect subtrees."""
    levels = [leaf_hashes]
    node = merkle.node_hash
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    out = {}
    for size in sizes:
        if not 0 < size <= len(leaf_hashes):
            continue
        parts = merkle.perfect_parts(0, size)
        acc = levels[parts[-1][0]][parts[-1][1]]
        for level, k in reversed(parts[:-1]):
            acc = node(levels[level][k], acc)
        out[size] = acc
    return out


def check_checkpoints(
    checkpoints: list[SignedCheckpoint],
    roots: dict[int, bytes],
    keys: list[Key],
    origin: str | None,
) -> list[str]:
    problems = []
    log_keys = [k for k in keys if k.purpose == "log"]
    for cp in checkpoints:
        why = check_checkpoint_note(cp.note, origin, log_keys)
        if why:
            problems.append(f"checkpoint {cp.size}: {why}")
        root = roots.get(cp.size)
        if root is None:
            problems.append(f"checkpoint {cp.size}: the log has fewer entries")
        elif root != cp.root:
            problems.append(f"checkpoint {cp.size}: the rows do not rebuild its signed root")
    return problems


class _Cursor:
    """The stored leaves, read once in index order alongside the rows."""

    def __init__(self, stored: Iterator[tuple[int, bytes]]) -> None:
        self.it = iter(stored)
        self.current = next(self.it, None)

    def __call__(self, index: int) -> bytes | None:
        while self.current is not None and self.current[0] < index:
            self.current = next(self.it, None)
        if self.current is not None and self.current[0] == index:
            return self.current[1]
        return None

    def rest(self, start: int) -> Iterator[tuple[int, bytes]]:
        """The leaves from ``start`` on: those after the last row."""
        while self.current is not None:
            if self.current[0] >= start:
                yield self.current
            self.current = next(self.it, None)


# --- exports ------------------------------------------------------------------------------


def verify_export(directory: Path, trusted: list[str] | None = None) -> Report:
    """Check an export (``truceline ledger export``) with no database: every checkpoint's
    signature, its root rebuilt from the leaves, and every cosignature."""
    report = Report()
    try:
        manifest = json.loads((directory / "ledger.json").read_text())
        keys = [
            Key(k["name"], k["purpose"], notes.parse_vkey(k["vkey"])[2]) for k in manifest["keys"]
        ]
        origin = manifest["origin"]
        checkpoints = [
            (c["size"], c["note"], c.get("cosignatures", []))
            for c in map(json.loads, (directory / "checkpoints.jsonl").read_text().splitlines())
        ]
    except (OSError, ValueError, KeyError, TypeError, notes.NoteError) as exc:
        report.problems.append(f"not a Truceline ledger export: {exc}")
        return report
    if trusted:
        pinned = {notes.parse_vkey(v)[2] for v in trusted}
        for key in keys:
            if key.purpose == "log" and key.public not in pinned:
                report.problems.append(f"log key {key.name} is not one you trust")
        keys = [k for k in keys if k.purpose != "log" or k.public in pinned]
    hashes = []
    with (directory / "entries.jsonl").open() as handle:
        for n, line in enumerate(handle):
            item = json.loads(line)
            if item["index"] != n:
                report.problems.append(f"entries: index {item['index']} where {n} was due")
                break
            hashes.append(merkle.leaf_hash(base64.b64decode(item["leaf"])))
            report.entries += 1
    roots = roots_at(hashes, [size for size, _n, _c in checkpoints])
    log_keys = [k for k in keys if k.purpose == "log"]
    witness_keys = [k for k in keys if k.purpose == "witness"]
    for size, note, cosigs in checkpoints:
        report.checkpoints += 1
        why = check_checkpoint_note(note, origin, log_keys)
        if why:
            report.problems.append(f"checkpoint {size}: {why}")
            continue
        body, _ = notes.split_note(note)
        cp = notes.parse_checkpoint(body)
        if roots.get(cp.size) != cp.root:
            report.problems.append(f"checkpoint {size}: the leaves do not rebuild its root")
        for line in cosigs:
            _b, sigs = notes.split_note(body + "\n" + line + "\n")
            sig = sigs[0]
            signer = next((k for k in witness_keys if k.name == sig.name), None)
            if signer is None or notes.verify_cosigned(body, sig, signer.public) is None:
                report.problems.append(f"checkpoint {size}: cosignature by {sig.name} is bad")
            else:
                report.cosignatures += 1
    return report
