"""The append-only event log: every accepted change, in order, never updated or deleted.

Database triggers (migration 0002) refuse UPDATE and DELETE on the event table on both
SQLite and PostgreSQL, so not even a database administrator's stray query rewrites history
without leaving the guard removed. The ledger's Merkle tree is built over these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.scenario.models import Organisation


class Event(models.Model):
    """One accepted change: who did what to which object, as canonical JSON with a salt."""

    seq = models.BigIntegerField(primary_key=True, help_text="1, 2, 3, ... without gaps")
    recorded_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, help_text="username, or 'system'")
    kind = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    payload = models.TextField(help_text="RFC 8785 canonical JSON")
    salt = models.CharField(max_length=64, help_text="32 random bytes, hex; for commitments")

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.object_type}:{self.object_id}"


class LogHead(models.Model):
    """The single row that serialises appends and knows the log's size.

    Appenders lock it (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    already serialise writers), so sequence numbers have no gaps even when a transaction
    rolls back. Beside the size it keeps the Merkle tree's frontier (the hashes of its
    perfect subtrees, largest first), so an append costs O(log n) whatever the log's size.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"", help_text="32-byte hashes, largest subtree first")
    checkpoint_size = models.BigIntegerField(default=0, help_text="size of the latest checkpoint")
    pending_since = models.DateTimeField(
        null=True, blank=True, help_text="time of the oldest entry no checkpoint covers yet"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="loghead_single_row")]

    def __str__(self) -> str:
        return f"log of {self.size} events"


class Entry(models.Model):
    """One public ledger leaf: the exact bytes of ``{"v", "seq", "time", "commitment"}``."""

    index = models.BigIntegerField(primary_key=True, help_text="0, 1, 2, ...: event seq - 1")
    leaf = models.BinaryField()

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"leaf {self.index}"


class Node(models.Model):
    """The hash of one perfect subtree, by its flat in-order id (see ``merkle.node_id``)."""

    id = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField()

    def __str__(self) -> str:
        return f"node {self.id}"


class KeyPurpose(models.TextChoices):
    LOG = "log", _("Signs the ledger's checkpoints")
    WITNESS = "witness", _("Cosigns checkpoints as a witness")


class LedgerKey(models.Model):
    """An Ed25519 key that signs (the log) or cosigns (a witness) checkpoints.

    The private half, when the server holds it, is PKCS #8 encrypted with the passphrase
    from the environment; a witness's private half normally stays with the witness, and only
    the public half is registered. A rotated key is retired, never deleted: the checkpoints
    and cosignatures it made stay verifiable.
    """

    key_id = models.CharField(max_length=8, primary_key=True, help_text="C2SP key id, hex")
    name = models.CharField(max_length=200, help_text="C2SP key name")
    purpose = models.CharField(max_length=8, choices=KeyPurpose.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_key = models.BinaryField(help_text="raw 32 bytes")
    private_key = models.BinaryField(
        blank=True, default=b"", help_text="encrypted PKCS #8 PEM; empty when held offline"
    )
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"


class Checkpoint(models.Model):
    """A signed tree head: the log's signed note for one tree size."""

    size = models.BigIntegerField(primary_key=True)
    root = models.BinaryField()
    note = models.TextField(help_text="the C2SP signed note, with the log's signature line")
    key = models.ForeignKey(LedgerKey, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Cosignature(models.Model):
    """A witness's cosignature line on one of the log's checkpoints."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    key = models.ForeignKey(LedgerKey, on_delete=models.PROTECT, related_name="+")
    line = models.TextField(help_text="the signature line, as the witness wrote it")
    signed_at = models.DateTimeField(help_text="the cosignature's own timestamp")
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["checkpoint", "received_at"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "key"], name="one_cosignature_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key_id} cosigned {self.checkpoint_id}"


class SplitView(models.Model):
    """A checkpoint signed by the log's key that contradicts the log's own: the loudest
    alarm the mechanism has. Shown on the portal; never cleared."""

    size = models.BigIntegerField()
    note = models.TextField(help_text="the contradicting checkpoint as presented")
    reported_by = models.ForeignKey(LedgerKey, on_delete=models.PROTECT, related_name="+")
    detail = models.TextField()
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"split view at size {self.size}"
