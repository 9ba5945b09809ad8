"""Evidence: each upload its own record; the bytes stored once, by their SHA-256.

A ``Blob`` is the stored bytes, named by their hash. An ``Evidence`` item is one upload (or a
copy derived from one): its own id, who sent it, what it was sniffed to be, its metadata and
its sharing level. Two uploads of the same bytes are two items over one blob, and nothing any
user can see says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.scenario.models import Organisation


class Blob(models.Model):
    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.sha256

    @property
    def name(self) -> str:
        """The blob's name in the evidence storage."""
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"


class Sharing(models.TextChoices):
    MECHANISM = "mechanism", _("Mechanism only")
    PARTIES = "parties", _("Parties to the incident")
    PUBLIC = "public", _("Public (a copy without metadata)")


class Kind(models.TextChoices):
    """An original, or a copy made from its content alone (re-encoded: no metadata survives).

    ``public-copy`` is the full copy without metadata: what anyone outside the uploading
    organisation and the mechanism receives — the other party once shared, the public once
    published (its value predates that wider use)."""

    ORIGINAL = "original", _("Original, as received")
    THUMBNAIL = "thumbnail", _("Thumbnail")
    PUBLIC_COPY = "public-copy", _("Copy without metadata")


def _evidence_id() -> str:
    return new_id("EVD")


class Evidence(models.Model):
    id = models.CharField(max_length=16, primary_key=True, default=_evidence_id, editable=False)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORIGINAL)
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    filename = models.CharField(max_length=255, help_text="as sent; shown, never trusted")
    media_type = models.CharField(max_length=100, help_text="sniffed from the bytes")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    metadata = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.MECHANISM)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_items",
        help_text="set when a report or response first cites it",
    )

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.id


class Citation(models.Model):
    """An original cited by a report or a response. Anyone outside the uploading organisation
    and the mechanism reaches the item only where a citing object is visible to them
    (policy/evidence.py); an amendment that drops the item marks its citation dropped."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="citations")
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.ForeignKey(
        "incidents.Response", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cited_at = models.DateTimeField()
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, response__isnull=True)
                | models.Q(report__isnull=True, response__isnull=False),
                name="evidence_citation_one_citer",
            ),
            models.UniqueConstraint(
                fields=["evidence", "report"], name="evidence_cited_once_by_report"
            ),
            models.UniqueConstraint(
                fields=["evidence", "response"], name="evidence_cited_once_by_response"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} in {self.report_id or self.response_id}"


def _upload_id() -> str:
    return new_id("UPL")


class UploadState(models.TextChoices):
    OPEN = "open", _("Receiving chunks")
    DONE = "done", _("Complete: became evidence")
    FAILED = "failed", _("Failed: the bytes did not match the declared hash")


class ChunkedUpload(models.Model):
    """A resumable upload in progress: the client declares size and SHA-256, sends chunks at
    offsets (a retried chunk is harmless), and completes it; only then is it evidence."""

    id = models.CharField(max_length=16, primary_key=True, default=_upload_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    offset = models.BigIntegerField(default=0)
    state = models.CharField(max_length=8, choices=UploadState.choices, default=UploadState.OPEN)
    created_at = models.DateTimeField()
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.id
