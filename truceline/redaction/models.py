"""Seals: redaction without deletion.

A monitor seals a passage (or a whole field) of a report, a response or a question that
endangers someone — a witness's name in a narrative. Below the mechanism's own people the
passage reads "[sealed]" in every view; the original stays stored, and on the ledger as a
commitment; the seal itself is an event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from truceline.core.ids import new_id

# What can be sealed: object type -> its free-text fields.
SEALABLE: dict[str, tuple[str, ...]] = {
    "report": ("narrative", "sources"),
    "response": ("text", "counter_claims"),
    "question": ("text", "answer"),
}
MARK = "[sealed]"


def new_seal_id() -> str:
    return new_id("SEL")


class Seal(models.Model):
    id = models.CharField(max_length=16, primary_key=True, default=new_seal_id, editable=False)
    object_type = models.CharField(max_length=16)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=32)
    passage = models.TextField(blank=True, help_text="the words sealed; empty seals the field")
    reason = models.TextField()
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["sealed_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.id} on {self.object_type}:{self.object_id}.{self.field}"
