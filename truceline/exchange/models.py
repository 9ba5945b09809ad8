"""Background history imported from ACLED and UCDP: others' published records, kept apart from
the mechanism's own reports and incidents (imports.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    ACLED = "acled", "ACLED"
    UCDP = "ucdp", "UCDP GED"


class ImportBatch(models.Model):
    """One import that changed something: the file (by its SHA-256) and what it changed."""

    source = models.CharField(max_length=8, choices=Source.choices)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name}"


class HistoricEvent(models.Model):
    source = models.CharField(max_length=8, choices=Source.choices)
    source_id = models.CharField(max_length=40, help_text=_("the source's own event id"))
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="events")
    digest = models.CharField(max_length=64, help_text=_("of the row's values"))
    event_date = models.DateField()
    end_date = models.DateField()
    date_precision = models.PositiveSmallIntegerField(default=1)
    event_type = models.CharField(max_length=120)
    sub_event_type = models.CharField(max_length=200, blank=True)
    actor1 = models.CharField(max_length=300, blank=True)
    actor2 = models.CharField(max_length=300, blank=True)
    country_name = models.CharField(max_length=120, help_text=_("as the source names it"))
    admin1 = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=300, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    geo_precision = models.PositiveSmallIntegerField(default=0)
    fatalities = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    reported_by = models.CharField(max_length=300, blank=True)
    # derived here, as for the mechanism's own records
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO code of the point"))
    border_km = models.FloatField(null=True, blank=True)
    sector = models.ForeignKey(
        "scenario.Sector", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["event_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="one_row_per_source_id")
        ]
        indexes = [models.Index(fields=["event_date"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"
