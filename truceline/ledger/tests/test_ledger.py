"""The ledger as the parties use it: entries, proofs and checkpoints over the API, receipts,
witnesses and their cosignatures, split views, keys, exports and offline checks."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from truceline.ledger import merkle, notes
from truceline.ledger.keys import log_key_create, witness_register
from truceline.ledger.models import Checkpoint, Entry, LedgerKey, LogHead, SplitView
from truceline.ledger.selectors import consistency_proof, inclusion_proof, receipt
from truceline.ledger.services import checkpoint_now, event_append
from truceline.ledger.verify import check_receipt
from truceline.ledger.witness import SplitView as SplitViewError
from truceline.ledger.witness import Witness

pytestmark = pytest.mark.django_db


def append(n: int, tag: str = "t", actor: Any = None) -> list[Any]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                event_append(
                    actor=actor, kind="test", object_type=tag, object_id=str(i), payload={"i": i}
                )
            )
    return out


def b64d(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def memory_tree() -> merkle.MemoryTree:
    tree = merkle.MemoryTree()
    for entry in Entry.objects.order_by("index"):
        tree.append(bytes(entry.leaf))
    return tree


def test_the_stored_tree_answers_what_a_tree_built_from_its_leaves_answers(api) -> None:  # type: ignore[no-untyped-def]
    append(150)
    tree = memory_tree()
    head = LogHead.objects.get()
    assert tree.size == head.size
    assert merkle.frontier_root(merkle.unpack(bytes(head.frontier))) == tree.root()
    rng = random.Random(5)
    for _ in range(60):
        size = rng.randint(1, tree.size)
        index = rng.randrange(size)
        first = rng.randint(1, size)
        assert inclusion_proof(index, size) == tree.inclusion(index, size)
        assert consistency_proof(first, size) == tree.consistency(first, size)
        status, body = api.get(f"/ledger/proof/inclusion?index={index}&size={size}")
        assert status == 200 and b64d(body["hashes"]) == tree.inclusion(index, size)
        status, body = api.get(f"/ledger/proof/consistency?first={first}&second={size}")
        assert status == 200 and b64d(body["hashes"]) == tree.consistency(first, size)
    status, body = api.get("/ledger/entries?start=3&end=7")
    assert status == 200 and [e["index"] for e in body["entries"]] == [3, 4, 5, 6]  # end exclusive
    leaf = json.loads(base64.b64decode(body["entries"][0]["leaf"]))
    assert set(leaf) == {"v", "seq", "time", "commitment"} and leaf["seq"] == 4
    for bad in (
        "/ledger/entries?start=5&end=5",
        f"/ledger/entries?start={tree.size}&end={tree.size + 9}",
        f"/ledger/proof/inclusion?index={tree.size}&size={tree.size}",
        f"/ledger/proof/inclusion?index=0&size={tree.size + 1}",
        "/ledger/proof/consistency?first=9&second=3",
        "/ledger/proof/consistency?first=0&second=3",
        "/ledger/entries?start=-1&end=3",
    ):
        status, body = api.get(bad)
        assert status == 422 and body["error"]["code"] == "invalid", bad


def test_checkpoints_are_signed_c2sp_notes_made_after_n_entries_or_t_seconds(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_CHECKPOINT_ENTRIES = 5
    settings.TRUCELINE_CHECKPOINT_SECONDS = 30
    checkpoint_now()
    start = LogHead.objects.get().size
    append(4)
    assert Checkpoint.objects.order_by("-size").first().size == start  # 4 wait: not yet
    append(1)
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest.size == start + 5
    client = Client()
    answer = client.get("/api/v1/ledger/checkpoint")
    assert answer["Content-Type"].startswith("text/plain")
    text = answer.content.decode()
    origin, size, root, blank, sig, end = text.split("\n")
    assert (origin, int(size), blank, end) == (settings.TRUCELINE_LEDGER_ORIGIN, start + 5, "", "")
    assert base64.b64decode(root) == memory_tree().root(start + 5)
    assert sig.startswith("\u2014 " + settings.TRUCELINE_LEDGER_KEY_NAME + " ")
    keys = client.get("/api/v1/ledger/keys").json()["keys"]
    (log_key,) = [k for k in keys if k["purpose"] == "log" and not k["retired_at"]]
    name, _alg, public = notes.parse_vkey(log_key["vkey"])
    body, sigs = notes.split_note(text)
    assert notes.verify_signed(body, notes.find_signature(sigs, name, public, 1), public)
    assert not notes.verify_signed(body.replace(size, str(int(size) + 1)), sigs[0], public)
    # one entry waits; 30 seconds later a reader gets the checkpoint that covers it
    (event,) = append(1)
    first = receipt(event)
    assert first["checkpoint"] is None and first["promise"]["checkpoint_within_seconds"] <= 30
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=31)):
        text = client.get("/api/v1/ledger/checkpoint").content.decode()
        assert text.split("\n")[1] == str(start + 6)
        later = receipt(event)
    problems, _facts = check_receipt(later, [log_key["vkey"]])
    assert not problems, problems


def test_receipts_are_their_makers_and_verify_offline(api, people, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_CHECKPOINT_ENTRIES = 1
    (event,) = append(1, actor=people["pk-liaison"])
    status, mine = api.get(f"/ledger/receipts/{event.seq}", as_="pk-liaison")
    assert status == 200 and mine["index"] == event.seq - 1 and mine["checkpoint"]
    assert api.get(f"/ledger/receipts/{event.seq}", as_="qa-monitor")[0] == 200
    assert api.get(f"/ledger/receipts/{event.seq}", as_="af-liaison")[0] == 404
    assert api.get(f"/ledger/receipts/{event.seq}")[0] == 404
    assert api.get("/ledger/receipts/999999", as_="qa-monitor")[0] == 404
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(mine))
    call_command("ledger", "check-receipt", str(path))
    status, verdict = api.post("/ledger/check-receipt", {"receipt": mine})
    assert status == 200 and verdict["ok"], verdict
    forged = json.loads(json.dumps(mine))
    forged["event"]["payload"] = {"i": 1}
    path.write_text(json.dumps(forged))
    with pytest.raises(CommandError):
        call_command("ledger", "check-receipt", str(path))
    status, verdict = api.post("/ledger/check-receipt", {"receipt": forged})
    assert status == 200 and not verdict["ok"]
    assert "do not open the leaf" in verdict["problems"][0]
    # a receipt signed by a key the checker does not trust fails, however well it verifies
    stranger = Ed25519PrivateKey.generate()
    other = notes.vkey("someone-else", notes.public_bytes(stranger))
    problems, _facts = check_receipt(mine, [other])
    assert problems and "no valid signature" in problems[0]
    status, verdict = api.post("/ledger/check-receipt", {"receipt": {"v": 1}})
    assert status == 200 and not verdict["ok"]


def _transport(client: Client):  # type: ignore[no-untyped-def]
    def call(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data=body, content_type="application/json")
        return answer.status_code, answer.content

    return call


def _witness(tmp_path: Path, name: str = "witness.qa/w1") -> Witness:
    private = Ed25519PrivateKey.generate()
    witness_register(name=name, public=notes.public_bytes(private), organisation=None)
    return Witness(transport=_transport(Client()), name=name, private=private, state=tmp_path)


class _Rollback(Exception):
    pass


def test_a_witness_cosigns_and_the_portal_shows_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    witness = _witness(tmp_path)
    append(3)
    first = checkpoint_now()
    assert witness.run().size == first.size
    text = Client().get("/api/v1/ledger/checkpoint").content.decode()
    assert "\u2014 witness.qa/w1 " in text
    append(5)
    second = checkpoint_now()
    outcome = witness.run()  # checks consistency with the size it saw before
    assert (outcome.previous, outcome.size) == (first.size, second.size)
    assert second.cosignatures.count() == 1
    assert "witness.qa/w1" in Client().get("/ledger/").content.decode()


def test_a_forked_log_is_caught_by_its_witness(tmp_path) -> None:  # type: ignore[no-untyped-def]
    witness = _witness(tmp_path)
    append(4)
    checkpoint_now()
    witness.run()
    try:  # the witness sees one history...
        with transaction.atomic():
            append(3, tag="first-history")
            seen = checkpoint_now()
            witness.run()
            raise _Rollback
    except _Rollback:
        pass
    # ...which the log then rewrites (a restored backup, a rewritten table): same size,
    # another root
    append(3, tag="second-history")
    assert checkpoint_now().size == seen.size
    with pytest.raises(SplitViewError, match="two different trees"):
        witness.run()
    # and extends: the bigger tree is not an extension of the one the witness cosigned
    append(5, tag="second-history")
    checkpoint_now()
    with pytest.raises(SplitViewError, match="does not extend"):
        witness.run()
    assert len(list(tmp_path.glob("split-view-*.txt"))) >= 1
    # the log learns of it too when the witness shows it the checkpoint it was given
    bad = Client().post(
        "/api/v1/ledger/cosignatures",
        data=json.dumps({"checkpoint": _cosigned(witness, seen.note)}),
        content_type="application/json",
    )
    assert bad.status_code == 409 and bad.json()["error"]["split_view"] is True
    assert SplitView.objects.filter(size=seen.size).exists()
    assert "Split view" in Client().get("/ledger/").content.decode()


def _cosigned(witness: Witness, note: str) -> str:
    body, sigs = notes.split_note(note)
    return notes.join_note(body, [*sigs, notes.cosign_body(body, witness.name, witness.private, 1)])


def test_cosignatures_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    witness = _witness(tmp_path)
    append(2)
    cp = checkpoint_now()

    def post(text: str) -> Any:
        return Client().post(
            "/api/v1/ledger/cosignatures",
            data=json.dumps({"checkpoint": text}),
            content_type="application/json",
        )

    stranger = Ed25519PrivateKey.generate()
    body, sigs = notes.split_note(cp.note)
    unknown = notes.join_note(body, [*sigs, notes.cosign_body(body, "nobody", stranger, 1)])
    assert post(unknown).status_code == 422
    origin, size, root, _ = body.split("\n")
    forged = _cosigned(witness, cp.note).replace(body, f"{origin}\n{int(size) + 1}\n{root}\n", 1)
    assert post(forged).status_code == 422
    assert post("not a note").status_code == 422
    assert post(_cosigned(witness, cp.note)).status_code == 201
    assert cp.cosignatures.count() == 1


def test_rotating_the_log_key_keeps_old_checkpoints_verifiable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    append(2)
    old = checkpoint_now()
    with transaction.atomic():
        log_key_create()
    append(2)
    new = checkpoint_now()
    assert old.key_id != new.key_id
    keys = Client().get("/api/v1/ledger/keys").json()["keys"]
    assert {k["key_id"] for k in keys} >= {old.key_id, new.key_id}
    assert [k["retired_at"] is None for k in keys if k["key_id"] == old.key_id] == [False]
    call_command("ledger", "verify")
    call_command("ledger", "export", str(tmp_path / "export"))
    call_command("ledger", "verify", "--export", str(tmp_path / "export"))


def test_an_export_verifies_without_the_database_and_catches_an_edit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    append(20)
    checkpoint_now()
    out = tmp_path / "export"
    call_command("ledger", "export", str(out))
    call_command("ledger", "verify", "--export", str(out))
    lines = (out / "entries.jsonl").read_text().splitlines()
    item = json.loads(lines[7])
    item["leaf"] = base64.b64encode(
        base64.b64decode(item["leaf"]).replace(b'"v":1', b'"v":2')
    ).decode()
    lines[7] = json.dumps(item)
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError):
        call_command("ledger", "verify", "--export", str(out))


def test_a_mangled_receipt_is_refused_with_reasons_never_an_error(people, settings) -> None:  # type: ignore[no-untyped-def]
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    settings.TRUCELINE_CHECKPOINT_ENTRIES = 1
    (event,) = append(1, actor=people["pk-liaison"])
    good = receipt(event)
    assert not check_receipt(good)[0]
    junk = st.one_of(
        st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3)
    )

    @hsettings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        key=st.sampled_from(sorted(good)), value=junk, inner=st.sampled_from(sorted(good["event"]))
    )
    def mangle(key: str, value: Any, inner: str) -> None:
        bad = json.loads(json.dumps(good))
        bad[key] = value
        problems, _facts = check_receipt(bad)
        # the origin line that counts is the signed one inside the checkpoint
        assert problems or key in {"promise", "origin"} or value == good[key]
        worse = json.loads(json.dumps(good))
        worse["event"][inner] = value
        assert check_receipt(worse)[0] or value == good["event"][inner]

    mangle()


def test_the_portal_publishes_every_key_and_private_halves_are_encrypted(people, settings) -> None:  # type: ignore[no-untyped-def]
    from truceline.findings.keys import sign as vote_sign
    from truceline.findings.keys import signing_key_create, verify
    from truceline.scenario.models import Organisation

    vote_key = signing_key_create(actor=None, organisation=Organisation.objects.get(pk="qatar"))
    stored = (Path(settings.DATA_DIR) / "keys" / f"{vote_key.key_id}.ed25519").read_bytes()
    assert stored.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert verify(vote_key.public_key, b"m", vote_sign(vote_key, b"m"))
    log_key = LedgerKey.objects.get(purpose="log", retired_at__isnull=True)
    assert bytes(log_key.private_key).startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    page = Client().get("/ledger/").content.decode()
    assert vote_key.key_id in page and "signs Qatar" in page
    assert notes.fingerprint(bytes(log_key.public_key)) in page
