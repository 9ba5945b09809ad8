"""A witness: fetch the log's latest checkpoint, check it against the last one this witness
saw, cosign it and post the cosignature. Run by a party or a guarantor on its own machine
(``truceline ledger witness``); it needs no database and trusts nothing the server says
that it cannot check.

A split view — the same size with another root, a tree that shrank, or a newer tree that is
not an extension of the older — stops the witness before it cosigns: it keeps both
checkpoints as evidence in its state directory and reports loudly.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from truceline.ledger import merkle, notes
from truceline.ledger.verify import Key, check_checkpoint_note

# (method, path, body) -> (status, body)
Transport = Callable[[str, str, bytes | None], tuple[int, bytes]]


class WitnessError(Exception):
    """The checkpoint could not be checked (network, format, signature)."""


class SplitView(Exception):
    """The log showed this witness two histories. The message says which, and where the
    evidence was written."""


def http_transport(base_url: str, timeout: float = 30.0) -> Transport:
    base = base_url.rstrip("/")

    def call(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 (the operator's own URL)
            base + path,
            data=body,
            method=method,
            headers={"Content-Type": "application/json"} if body is not None else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError) as exc:
            raise WitnessError(f"cannot reach {base}: {exc}") from exc

    return call


@dataclass
class Outcome:
    size: int
    previous: int | None
    cosigned: bool
    message: str


class Witness:
    def __init__(
        self,
        *,
        transport: Transport,
        name: str,
        private: Ed25519PrivateKey,
        state: Path,
        log_keys: list[str] | None = None,
    ) -> None:
        self.call = transport
        self.name = notes.check_name(name)
        self.private = private
        self.state = state
        self.state.mkdir(parents=True, exist_ok=True)
        self.pinned = self.state / "log-keys.json"
        if log_keys:
            self.pinned.write_text(json.dumps(log_keys))

    def _get(self, path: str) -> bytes:
        status, body = self.call("GET", path, None)
        if status != 200:
            raise WitnessError(f"GET {path} answered {status}: {body[:200]!r}")
        return body

    def _log_keys(self) -> list[Key]:
        if not self.pinned.exists():  # first run without --log-key: trust on first use
            keys = json.loads(self._get("/api/v1/ledger/keys"))["keys"]
            self.pinned.write_text(json.dumps([k["vkey"] for k in keys if k["purpose"] == "log"]))
        return [Key.from_vkey(text) for text in json.loads(self.pinned.read_text())]

    def _evidence(self, *texts: str) -> Path:
        path = self.state / f"split-view-{int(time.time())}.txt"
        path.write_text("\n\n".join(texts))
        return path

    def run(self) -> Outcome:
        note = self._get("/api/v1/ledger/checkpoint").decode()
        why = check_checkpoint_note(note, None, self._log_keys())
        if why:
            raise WitnessError(f"the checkpoint does not verify: {why}")
        body, _sigs = notes.split_note(note)
        cp = notes.parse_checkpoint(body)
        last_path = self.state / "last-checkpoint"
        previous = None
        if last_path.exists():
            old_note = last_path.read_text()
            old = notes.parse_checkpoint(notes.split_note(old_note)[0])
            previous = old.size
            if old.origin != cp.origin:
                raise WitnessError(f"this state is for {old.origin}, the log says {cp.origin}")
            if cp.size < old.size:
                path = self._evidence(old_note, note)
                raise SplitView(
                    f"SPLIT VIEW: the tree shrank from {old.size} to {cp.size} entries "
                    f"(evidence: {path})"
                )
            if cp.size == old.size and cp.root != old.root:
                path = self._evidence(old_note, note)
                raise SplitView(
                    f"SPLIT VIEW: two different trees of {cp.size} entries (evidence: {path})"
                )
            if cp.size > old.size and old.size > 0:
                proof = self._consistency(old.size, cp.size)
                if not merkle.verify_consistency(old.size, cp.size, old.root, cp.root, proof):
                    path = self._evidence(old_note, note, json.dumps([p.hex() for p in proof]))
                    raise SplitView(
                        f"SPLIT VIEW: the tree of {cp.size} entries does not extend the tree "
                        f"of {old.size} this witness cosigned before (evidence: {path})"
                    )
        last_path.write_text(note)
        cosig = notes.cosign_body(body, self.name, self.private, int(time.time()))
        payload = json.dumps({"checkpoint": notes.join_note(body, [*_sigs, cosig])}).encode()
        status, answer = self.call("POST", "/api/v1/ledger/cosignatures", payload)
        if status == 409 and b"split_view" in answer:
            raise SplitView(f"SPLIT VIEW reported by the log itself: {answer.decode()[:300]}")
        if status != 201:
            raise WitnessError(f"posting the cosignature answered {status}: {answer[:300]!r}")
        return Outcome(cp.size, previous, True, f"cosigned the tree of {cp.size} entries")

    def _consistency(self, first: int, second: int) -> list[bytes]:
        data: Any = json.loads(
            self._get(f"/api/v1/ledger/proof/consistency?first={first}&second={second}")
        )
        try:
            return [base64.b64decode(h, validate=True) for h in data["hashes"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise WitnessError("the consistency proof is not well formed") from exc
