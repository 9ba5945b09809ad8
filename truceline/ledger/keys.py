"""Ed25519 keys for the ledger: made by a command, private halves encrypted at rest.

The server's private keys are PKCS #8 PEM encrypted with ``TRUCELINE_KEY_PASSPHRASE`` (or,
when that is unset, a passphrase derived from the secret key, so a database dump alone never
yields a signing key). A key held outside the server is registered by its public half only;
``truceline sign`` makes its signatures where the private half lives.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.core.errors import ApiError, Invalid
from truceline.ledger import notes
from truceline.ledger.models import KeyPurpose, LedgerKey
from truceline.scenario.models import Organisation


def _passphrase() -> bytes:
    explicit = os.environ.get("TRUCELINE_KEY_PASSPHRASE", "")
    if explicit:
        return explicit.encode()
    return hashlib.sha256(b"truceline ledger keys\n" + settings.SECRET_KEY.encode()).digest()


def encrypt_private(private: Ed25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    return private.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(passphrase or _passphrase())
    )


def decrypt_private(pem: bytes, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    key = load_pem_private_key(pem, password=passphrase or _passphrase())
    if not isinstance(key, Ed25519PrivateKey):
        raise ApiError("invalid", gettext("Not an Ed25519 private key."))
    return key


def write_key_file(path: Path, private: Ed25519PrivateKey, passphrase: bytes) -> None:
    """A private key file for someone who keeps their key off the server (mode 0600)."""
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(encrypt_private(private, passphrase))


def read_key_file(path: Path, passphrase: bytes) -> Ed25519PrivateKey:
    return decrypt_private(path.read_bytes(), passphrase)


def _record(
    *,
    name: str,
    purpose: str,
    public: bytes,
    private_pem: bytes,
    organisation: Organisation | None,
    actor: object = None,
    append: Callable[..., object] | None = None,
) -> LedgerKey:
    from truceline.ledger.services import event_append

    append = append or event_append  # type: ignore[assignment]
    alg = notes.ALG_ED25519 if purpose == KeyPurpose.LOG else notes.ALG_COSIGNATURE_V1
    kid = notes.key_id(notes.check_name(name), public, alg).hex()
    if LedgerKey.objects.filter(key_id=kid).exists():
        raise ApiError("conflict", gettext("That key is already registered."))
    key = LedgerKey.objects.create(
        key_id=kid,
        name=name,
        purpose=purpose,
        organisation=organisation,
        public_key=public,
        private_key=private_pem,
        created_at=timezone.now(),
    )
    append(
        actor=actor,  # type: ignore[arg-type]
        kind="ledger.key.registered",
        object_type="ledger-key",
        object_id=kid,
        payload={
            "name": name,
            "purpose": purpose,
            "organisation": organisation.pk if organisation else None,
            "vkey": notes.vkey(name, public, alg),
        },
    )
    return key


def log_key_create(
    *, actor: object = None, name: str | None = None, append: Callable[..., object] | None = None
) -> LedgerKey:
    """A new key for the log's checkpoints; the one it replaces is retired, not removed."""
    private = Ed25519PrivateKey.generate()
    with transaction.atomic():
        now = timezone.now()
        LedgerKey.objects.filter(purpose=KeyPurpose.LOG, retired_at__isnull=True).update(
            retired_at=now
        )
        return _record(
            name=name or settings.TRUCELINE_LEDGER_KEY_NAME,
            purpose=KeyPurpose.LOG,
            public=notes.public_bytes(private),
            private_pem=encrypt_private(private),
            organisation=None,
            actor=actor,
            append=append,
        )


def witness_register(
    *, name: str, public: bytes, organisation: Organisation | None, actor: object = None
) -> LedgerKey:
    """Register a witness's public key; its private half stays with the witness."""
    if len(public) != 32:
        raise Invalid({"public_key": [gettext("An Ed25519 public key is 32 bytes.")]})
    with transaction.atomic():
        return _record(
            name=name,
            purpose=KeyPurpose.WITNESS,
            public=public,
            private_pem=b"",
            organisation=organisation,
            actor=actor,
        )


def key_retire(key: LedgerKey, *, actor: object = None) -> None:
    from truceline.ledger.services import event_append

    with transaction.atomic():
        if key.retired_at is not None:
            raise ApiError("conflict", gettext("That key is already retired."))
        key.retired_at = timezone.now()
        key.save(update_fields=["retired_at"])
        event_append(
            actor=actor,  # type: ignore[arg-type]
            kind="ledger.key.retired",
            object_type="ledger-key",
            object_id=key.key_id,
            payload={"retired_at": key.retired_at},
        )


def current_log_key() -> LedgerKey | None:
    return LedgerKey.objects.filter(purpose=KeyPurpose.LOG, retired_at__isnull=True).last()


def vkey_of(key: LedgerKey) -> str:
    alg = notes.ALG_ED25519 if key.purpose == KeyPurpose.LOG else notes.ALG_COSIGNATURE_V1
    return notes.vkey(key.name, bytes(key.public_key), alg)
