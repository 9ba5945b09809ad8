"""The stored public editions of the periodic report (editions.py builds them).

Each row is one version of the public edition of one fixed period (a calendar month, a
quarter, or the whole time since the ceasefire) in one language: the HTML and the PDF made
from the same render, so that both say the same. A rebuild appends a version and never
replaces one; the database refuses DELETE (migration 0002).
"""

from __future__ import annotations

from django.db import models


class Edition(models.Model):
    """One version of the public edition of one fixed period, in one language."""

    period = models.CharField(max_length=16)  # "2025-10", "2025-Q4" or "all"
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=8)
    start = models.DateField()
    end = models.DateField()
    built_at = models.DateTimeField()
    # SHA-256 of the edition's content less the time it was made and the checkpoint it names:
    # a rebuild that finds the same fingerprint appends nothing
    fingerprint = models.CharField(max_length=64)
    checkpoint_size = models.PositiveBigIntegerField(null=True)
    html = models.TextField()  # with NONCE where the page's style element takes its nonce
    pdf = models.BinaryField()
    html_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "language", "version"], name="edition_one_version"
            )
        ]
        indexes = [models.Index(fields=["period", "language", "-version"])]

    def __str__(self) -> str:
        return f"{self.period} {self.language} v{self.version}"
