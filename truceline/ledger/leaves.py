"""From an event to its public ledger leaf, byte for byte.

The event's canonical JSON (RFC 8785) is the object
``{"actor", "kind", "object_id", "object_type", "payload", "time"}``; its *commitment* is
SHA-256(salt ‖ that JSON) with the event's own 32 random bytes of salt; the public *leaf* is
the canonical JSON of ``{"v": 1, "seq", "time", "commitment"}``. The leaf says that something
was recorded and when, nothing of what or by whom; whoever holds the event and its salt can
show which leaf is theirs.

The sequence number is in the leaf, not in the commitment: a row moved to another place in
the log still opens its original commitment, so the verifier can say where it came from.

These functions write the RFC 8785 text directly (members in sorted order, strings as
``json.dumps`` writes them without ASCII escaping, which is RFC 8785's string form): the
verifier runs them a million times. ``tests/test_leaves.py`` holds them to ``rfc8785``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from truceline.core.canonical import canonical_bytes, jsonable

LEAF_VERSION = 1
_sha256 = hashlib.sha256
# The C string encoder behind json.dumps(..., ensure_ascii=False): RFC 8785's string form.
_str = encode_basestring


def time_text(value: dt.datetime) -> str:
    """The event time as the ledger writes it: UTC, ISO 8601, ``Z``."""
    text = jsonable(value)
    assert isinstance(text, str)
    return text


def event_canonical(
    *, actor: str, kind: str, object_type: str, object_id: str, payload: str, time: str
) -> bytes:
    """RFC 8785 JSON of the event; ``payload`` is already canonical JSON text."""
    return (
        f'{{"actor":{_str(actor)},"kind":{_str(kind)},"object_id":{_str(object_id)},'
        f'"object_type":{_str(object_type)},"payload":{payload},"time":{_str(time)}}}'
    ).encode()


def commitment(salt_hex: str, canonical_event: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical_event).hexdigest()


def leaf_bytes(*, seq: int, time: str, commitment_hex: str) -> bytes:
    return (
        f'{{"commitment":"{commitment_hex}","seq":{seq},"time":{_str(time)},"v":{LEAF_VERSION}}}'
    ).encode()


def leaf_of_row(
    seq: int,
    time: str,
    actor: str,
    kind: str,
    object_type: str,
    object_id: str,
    payload: str,
    salt: str,
) -> bytes:
    """``EventRecord(...).leaf()`` in one function, for the verifier's million rows (the
    leaves test holds the two to the same bytes)."""
    t = _str(time)
    canonical = (
        f'{{"actor":{_str(actor)},"kind":{_str(kind)},"object_id":{_str(object_id)},'
        f'"object_type":{_str(object_type)},"payload":{payload},"time":{t}}}'
    ).encode()
    digest = _sha256(bytes.fromhex(salt) + canonical).hexdigest()
    return f'{{"commitment":"{digest}","seq":{seq},"time":{t},"v":1}}'.encode()


@dataclass(slots=True)
class EventRecord:
    """An event as the ledger sees it: a database row, a receipt, or an export line."""

    seq: int
    time: str
    actor: str
    kind: str
    object_type: str
    object_id: str
    payload: str  # canonical JSON text
    salt: str  # hex

    def canonical(self) -> bytes:
        return event_canonical(
            actor=self.actor,
            kind=self.kind,
            object_type=self.object_type,
            object_id=self.object_id,
            payload=self.payload,
            time=self.time,
        )

    def commitment(self) -> str:
        return commitment(self.salt, self.canonical())

    def leaf(self) -> bytes:
        return leaf_bytes(seq=self.seq, time=self.time, commitment_hex=self.commitment())

    def as_json(self) -> dict[str, Any]:
        """The event as a receipt carries it (payload as JSON, not text)."""
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "kind": self.kind,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "payload": json.loads(self.payload),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], salt: str) -> EventRecord:
        return cls(
            seq=int(data["seq"]),
            time=str(data["time"]),
            actor=str(data["actor"]),
            kind=str(data["kind"]),
            object_type=str(data["object_type"]),
            object_id=str(data["object_id"]),
            payload=canonical_bytes(data["payload"]).decode(),
            salt=salt,
        )


def parse_leaf(leaf: bytes) -> dict[str, Any]:
    data = json.loads(leaf)
    if not isinstance(data, dict) or data.get("v") != LEAF_VERSION:
        raise ValueError("not a version 1 ledger leaf")
    return data
