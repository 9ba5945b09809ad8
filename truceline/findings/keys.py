"""Guarantors' Ed25519 signing keys: public halves in the database, private halves as files
under the data dir (mode 0600), PKCS #8 encrypted with the ledger keys' passphrase
(``ledger.keys``), never in the database or a backup of it."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from truceline.findings.models import SigningKey
from truceline.ledger.keys import decrypt_private, encrypt_private
from truceline.ledger.services import event_append
from truceline.scenario.models import Organisation


def _key_dir() -> Path:
    path = Path(settings.DATA_DIR) / "keys"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def signing_key_create(*, actor: object, organisation: Organisation) -> SigningKey:
    """Make a new key for a guarantor; older keys stay valid for the votes they signed."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = f"{organisation.slug}-{hashlib.sha256(public).hexdigest()[:12]}"
    path = _key_dir() / f"{key_id}.ed25519"
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(encrypt_private(private))
    with transaction.atomic():
        key = SigningKey.objects.create(
            key_id=key_id,
            organisation=organisation,
            public_key=base64.b64encode(public).decode(),
            created_at=timezone.now(),
        )
        event_append(
            actor=actor,  # type: ignore[arg-type]
            kind="key.created",
            object_type="key",
            object_id=key_id,
            payload={"organisation": organisation.slug, "public_key": key.public_key},
        )
    return key


def current_key(organisation_id: str) -> SigningKey | None:
    return (
        SigningKey.objects.filter(organisation_id=organisation_id, retired_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def _private(key: SigningKey) -> Ed25519PrivateKey:
    stored = (_key_dir() / f"{key.key_id}.ed25519").read_bytes()
    if stored.startswith(b"-----BEGIN"):
        return decrypt_private(stored)
    return Ed25519PrivateKey.from_private_bytes(stored)  # a key made before encryption


def sign(key: SigningKey, message: bytes) -> str:
    return base64.b64encode(_private(key).sign(message)).decode()


def verify(public_key_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        public.verify(base64.b64decode(signature_b64), message)
    except (InvalidSignature, ValueError):
        return False
    return True
