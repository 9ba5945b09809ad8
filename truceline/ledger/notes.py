"""C2SP signed notes, checkpoints and cosignatures (c2sp.org/signed-note, tlog-checkpoint,
tlog-cosignature), with Ed25519. Pure functions: the server, the witness and the offline
verifier share them.

A checkpoint is the note body ``origin\\nsize\\nbase64(root)\\n``; after a blank line come
signature lines ``— <key name> base64(key id ‖ signature)``. The log signs the body
(algorithm byte 0x01); a witness cosigns ``cosignature/v1\\ntime <t>\\n`` + the body
(algorithm byte 0x04, the signature prefixed with the 8-byte big-endian time).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
DASH = "\u2014"


class NoteError(ValueError):
    """A note, checkpoint or key that is not well formed."""


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public: bytes, alg: int) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]


def check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError("a key name is non-empty, without spaces or '+'")
    return name


def vkey(name: str, public: bytes, alg: int = ALG_ED25519) -> str:
    """The verifier key text: ``name+keyid(hex)+base64(alg ‖ public key)``."""
    check_name(name)
    encoded = base64.b64encode(bytes([alg]) + public).decode()
    return f"{name}+{key_id(name, public, alg).hex()}+{encoded}"


def parse_vkey(text: str) -> tuple[str, int, bytes]:
    """(name, algorithm byte, 32-byte public key) of a verifier key, checked."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise NoteError("not a verifier key (name+keyid+base64)") from exc
    if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError("not an Ed25519 verifier key")
    if key_id(name, raw[1:], raw[0]).hex() != hex_id.lower():
        raise NoteError("the key id does not match the key")
    return check_name(name), raw[0], raw[1:]


def fingerprint(public: bytes) -> str:
    """SHA-256 of the raw public key, as people compare it: groups of four hex digits."""
    digest = hashlib.sha256(public).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


# --- checkpoints --------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint body is origin, size and root hash lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
        raise NoteError("bad origin or tree size line")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as exc:
        raise NoteError("the root hash is not base64") from exc
    if len(root) != 32:
        raise NoteError("the root hash is not 32 bytes")
    return Checkpoint(origin=origin, size=int(size_text), root=root)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    data: bytes  # what follows the key id: a signature, or time ‖ signature

    def line(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.data).decode()}\n"


def split_note(text: str) -> tuple[str, list[Signature]]:
    """The body (with its final newline) and the signature lines of a signed note."""
    if "\r" in text:
        raise NoteError("a note has no carriage returns")
    body, sep, rest = text.partition("\n\n")
    if not sep:
        raise NoteError("a signed note has a blank line before its signatures")
    sigs = []
    for line in rest.split("\n"):
        if not line:
            continue
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError("a signature line is '— name base64'")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError as exc:
            raise NoteError("a signature is not base64") from exc
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        sigs.append(Signature(name=parts[1], key_id=raw[:4], data=raw[4:]))
    if not sigs:
        raise NoteError("the note has no signatures")
    return body + "\n", sigs


def join_note(body: str, signatures: list[Signature]) -> str:
    return body + "\n" + "".join(s.line() for s in signatures)


def sign_body(body: str, name: str, private: Ed25519PrivateKey) -> Signature:
    return Signature(
        name=check_name(name),
        key_id=key_id(name, public_bytes(private), ALG_ED25519),
        data=private.sign(body.encode()),
    )


def _verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def find_signature(sigs: list[Signature], name: str, public: bytes, alg: int) -> Signature | None:
    kid = key_id(name, public, alg)
    return next((s for s in sigs if s.name == name and s.key_id == kid), None)


def verify_signed(body: str, sig: Signature, public: bytes) -> bool:
    return len(sig.data) == 64 and _verify(public, sig.data, body.encode())


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign_body(body: str, name: str, private: Ed25519PrivateKey, timestamp: int) -> Signature:
    signature = private.sign(_cosigned_message(body, timestamp))
    return Signature(
        name=check_name(name),
        key_id=key_id(name, public_bytes(private), ALG_COSIGNATURE_V1),
        data=struct.pack(">Q", timestamp) + signature,
    )


def verify_cosigned(body: str, sig: Signature, public: bytes) -> int | None:
    """The cosignature's time when it verifies, else None."""
    if len(sig.data) != 72:
        return None
    (timestamp,) = struct.unpack(">Q", sig.data[:8])
    if timestamp >= 2**63:
        return None
    return timestamp if _verify(public, sig.data[8:], _cosigned_message(body, timestamp)) else None
