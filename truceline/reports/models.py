"""Reports: one account of an event by one source. Immutable once submitted: an amendment
is a new version (every version kept), a withdrawal a flag — never an edit in place."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.geo.models import Derived
from truceline.incidents.models import Incident
from truceline.scenario.models import Category, Organisation, Place


class TimePrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class PlacePrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    NEAR = "near", _("Near")
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")


class Confidentiality(models.TextChoices):
    MECHANISM = "mechanism", _("Mechanism only (never shared with the accused party)")
    PARTIES = "parties", _("Parties (substance shared with the accused party for reply)")
    PUBLIC = "public", _("Public once published")


class SourceType(models.TextChoices):
    DIRECT = "direct", _("Direct (the filer's own sources)")
    OPEN_SOURCE = "open-source", _("Open source (press, published statements)")


def new_report_id() -> str:
    return new_id("RPT")


class Report(Derived):
    """The current version of a report; ``versions`` holds every version as submitted."""

    id = models.CharField(max_length=16, primary_key=True, default=new_report_id, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filing_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    withdrawn = models.BooleanField(default=False)
    # Substance of the current version.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    accused_party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    origin = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    time_precision = models.CharField(max_length=8, choices=TimePrecision.choices)
    lat = models.FloatField()
    lon = models.FloatField()
    location_precision = models.CharField(max_length=10, choices=PlacePrecision.choices)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    narrative = models.TextField()
    casualties = models.JSONField(default=dict, blank=True)
    sources = models.JSONField(default=list, blank=True)
    source_type = models.CharField(
        max_length=12, choices=SourceType.choices, default=SourceType.DIRECT
    )
    evidence = models.JSONField(default=list, blank=True)
    confidentiality = models.CharField(max_length=10, choices=Confidentiality.choices)
    urgent = models.BooleanField(default=False)
    receipt_seq = models.BigIntegerField(help_text="event-log entry of the first submission")

    class Meta:
        ordering = ["-submitted_at", "id"]
        indexes = [models.Index(fields=["filing_org", "-submitted_at"])]

    def __str__(self) -> str:
        return self.id

    @property
    def filing_party_id(self) -> str | None:
        """The party that filed it, or None for a monitor's own observation."""
        return self.filing_org_id if self.filed_by_party else None

    @property
    def filed_by_party(self) -> bool:
        return self.filing_org.kind == "party"


class ReportVersion(models.Model):
    """One version of a report exactly as submitted (canonical JSON)."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    data = models.JSONField()
    event_seq = models.BigIntegerField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"


class DraftState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    DISCARDED = "discarded", _("Discarded")


def new_draft_id() -> str:
    return new_id("DRF")


class ReportDraft(models.Model):
    """A report being written, saved on the server so that a bad connection loses nothing.

    Private to its author (not even the mechanism reads a party's unsent draft) and not on
    the event log: nothing is filed until it is submitted. ``revision`` lets two devices of
    the same person notice that they overwrite each other.
    """

    id = models.CharField(max_length=16, primary_key=True, default=new_draft_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=DraftState.choices, default=DraftState.OPEN)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [models.Index(fields=["owner", "state", "-updated_at"])]

    def __str__(self) -> str:
        return self.id
