"""Authenticator keys encrypted at rest.

django-otp keeps a TOTP key as hex in ``otp_totp_totpdevice.key``: whoever reads the database
(or a backup of it) could compute every officer's codes. Ours hold instead ``s1:`` and the hex
of AES-SIV (RFC 5297) over the key, with the owner's user id as associated data, so that a
sealed key copied onto another person's row does not open (and an edited one fails its tag).

The AES key comes from the same secret as the ledger's and the guarantors' private keys
(``ledger.keys._passphrase``: ``TRUCELINE_KEY_PASSPHRASE``, else one derived from the secret
key), through HKDF with its own label: a database dump alone yields no key. Change that secret
and every authenticator must be set up again, as the signing keys must be re-encrypted.

AES-SIV because the column holds 80 characters: a 20-byte key sealed is 36 bytes (72 hex
digits and the prefix), where AES-GCM's nonce would not fit. SIV is deterministic, which costs
nothing here: every key is random, so equal ciphertexts would mean equal random keys.
"""

from __future__ import annotations

import binascii

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from truceline.ledger.keys import _passphrase as key_passphrase

PREFIX = "s1:"


class Unsealable(ValueError):
    """A stored key that is not sealed by this server for this person (in clear, edited,
    copied from another row, or sealed under another secret)."""


def _cipher() -> AESSIV:
    key = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=b"truceline authenticator keys"
    ).derive(key_passphrase())
    return AESSIV(key)


def _context(user_id: int) -> list[bytes]:
    return [f"user:{user_id}".encode()]


def seal(key: bytes, *, user_id: int) -> str:
    """The column's text for a raw TOTP key of the person ``user_id``."""
    return PREFIX + _cipher().encrypt(key, _context(user_id)).hex()


def unseal(stored: str, *, user_id: int) -> bytes:
    """The raw key, or Unsealable."""
    if not stored.startswith(PREFIX):
        raise Unsealable("not sealed")
    try:
        return _cipher().decrypt(bytes.fromhex(stored[len(PREFIX) :]), _context(user_id))
    except (InvalidTag, ValueError, binascii.Error) as exc:
        raise Unsealable("does not open") from exc


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)
