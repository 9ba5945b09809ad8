"""The hand-written canonical JSON of events and leaves is RFC 8785, byte for byte."""

from __future__ import annotations

import json
from dataclasses import astuple

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from truceline.ledger.leaves import EventRecord, leaf_bytes, leaf_of_row

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # no lone surrogates
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(actor=text, kind=text, otype=text, oid=text, time=text, payload=json_values)
def test_event_canonical_is_rfc8785(actor, kind, otype, oid, time, payload) -> None:  # type: ignore[no-untyped-def]
    record = EventRecord(
        seq=7,
        time=time,
        actor=actor,
        kind=kind,
        object_type=otype,
        object_id=oid,
        payload=rfc8785.dumps(payload).decode(),
        salt="00" * 32,
    )
    expected = rfc8785.dumps(
        {
            "actor": actor,
            "kind": kind,
            "object_type": otype,
            "object_id": oid,
            "payload": payload,
            "time": time,
        }
    )
    assert record.canonical() == expected
    assert leaf_of_row(*astuple(record)) == record.leaf()
    assert EventRecord.from_json(json.loads(json.dumps(record.as_json())), record.salt) == record


@settings(max_examples=200, deadline=None)
@given(seq=st.integers(1, 2**53 - 1), time=text, commitment=st.binary(min_size=32, max_size=32))
def test_leaf_is_rfc8785(seq, time, commitment) -> None:  # type: ignore[no-untyped-def]
    got = leaf_bytes(seq=seq, time=time, commitment_hex=commitment.hex())
    assert got == rfc8785.dumps({"v": 1, "seq": seq, "time": time, "commitment": commitment.hex()})
