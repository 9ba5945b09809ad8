"""Idempotency keys: the first answer to a create request, kept for the client's retries.

A row is written (and committed) when a keyed request begins, with no answer yet: while it has
none, the request is in flight. The answer is stored in the same transaction as whatever the
request created, so "created" and "answer stored" commit together or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused (422).
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2048)
    # Which attempt owns the key: a retry that takes over from a dead attempt writes its own,
    # and an attempt that finds another's here gives up without committing anything.
    attempt = models.CharField(max_length=32)
    started_at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    location = models.CharField(max_length=2048, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")
        ]
        indexes = [models.Index(fields=["started_at"], name="idempotency_started")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
