"""Derived geography on located records, and crossing status over time.

``Derived`` is the set of columns derive.py fills once, when a located record is written;
reports and incidents carry it. Crossing status changes are records of their own, never edits:
the current status of a crossing is its latest change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.scenario.models import Place, Sector


class Derived(models.Model):
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO code; empty at sea"))
    border_km = models.FloatField(null=True, blank=True)
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    crossing = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    crossing_km = models.FloatField(null=True, blank=True)
    nearest_place = models.CharField(max_length=160, blank=True)
    nearest_km = models.FloatField(null=True, blank=True)
    province = models.CharField(max_length=120, blank=True)
    district = models.CharField(max_length=120, blank=True)
    cell = models.CharField(max_length=12, blank=True, help_text=_("geohash"))
    geo_flag = models.TextField(blank=True, help_text=_("what the monitor should check"))

    class Meta:
        abstract = True


class CrossingState(models.TextChoices):
    OPEN = "open", _("Open")
    RESTRICTED = "restricted", _("Restricted")
    CLOSED = "closed", _("Closed")


AUDIENCES = ("trade", "travellers", "refugees")


def new_crossing_change_id() -> str:
    return new_id("XST")


class CrossingChange(models.Model):
    """A crossing's status from a time on, for whom, on whose word, as a monitor recorded it."""

    id = models.CharField(max_length=16, primary_key=True, default=new_crossing_change_id)
    crossing = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=12, choices=CrossingState.choices)
    audiences = models.JSONField(default=list, help_text=_("for whom it is open: trade, ..."))
    since = models.DateTimeField()
    source = models.TextField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    event_seq = models.BigIntegerField()

    class Meta:
        ordering = ["crossing_id", "-since", "-recorded_at"]
        indexes = [models.Index(fields=["crossing", "-since"])]

    def __str__(self) -> str:
        return f"{self.crossing_id} {self.status} since {self.since:%Y-%m-%d}"
