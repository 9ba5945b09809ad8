"""The append-only event log: every accepted change, in order, never updated or deleted.

Database triggers (migration 0002) refuse UPDATE and DELETE on the event table on both
SQLite and PostgreSQL, so not even a database administrator's stray query rewrites history
without leaving the guard removed. The ledger's Merkle tree is built over these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    rolls back. The ledger's tree frontier will live beside the size.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="loghead_single_row")]

    def __str__(self) -> str:
        return f"log of {self.size} events"
