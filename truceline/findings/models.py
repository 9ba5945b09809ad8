"""Findings, the guarantors' signed votes on them, and the parties' acknowledgements.

A finding is frozen once anyone has voted on it: its canonical JSON and SHA-256 are what the
guarantors sign. Where the quorum cannot be reached, a monitor issues a revised finding that
supersedes it; both are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.incidents.models import Incident
from truceline.scenario.models import Organisation


class Determination(models.TextChoices):
    CONFIRMED = "confirmed-violation", _("Confirmed violation")
    LIKELY = "likely-violation", _("Likely violation")
    NOT_A_VIOLATION = "not-a-violation", _("Not a violation")
    INSUFFICIENT = "insufficient-evidence", _("Insufficient evidence")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Grade(models.TextChoices):
    DIRECT = "direct", _("Direct (a party's own forces)")
    OMISSION = "omission", _("By omission (a group operating from a party's territory)")
    SHARED = "shared", _("Shared")
    UNDETERMINED = "undetermined", _("Undetermined")
    UNFOUNDED = "unfounded", _("Unfounded")


class Intent(models.TextChoices):
    DELIBERATE = "deliberate", _("Deliberate")
    ACCIDENTAL = "accidental", _("Accidental")
    UNKNOWN = "unknown", _("Unknown")


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class FindingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, open for votes")
    ENDORSED = "endorsed", _("Endorsed")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


def new_finding_id() -> str:
    return new_id("FND")


class Finding(models.Model):
    id = models.CharField(max_length=16, primary_key=True, default=new_finding_id, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="findings")
    revision = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    status = models.CharField(max_length=12, choices=FindingStatus.choices, default="draft")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    determination = models.CharField(max_length=24, choices=Determination.choices)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    grade = models.CharField(max_length=14, choices=Grade.choices)
    actor = models.CharField(max_length=60, blank=True)
    territory = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attributed_party = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intent = models.CharField(max_length=12, choices=Intent.choices)
    clauses = models.JSONField(default=list, blank=True)
    summary = models.TextField()
    evidence = models.JSONField(default=list, blank=True)
    canonical = models.TextField(help_text="RFC 8785 JSON that the guarantors sign")
    sha256 = models.CharField(max_length=64)
    endorsed_at = models.DateTimeField(null=True, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "id"]

    def __str__(self) -> str:
        return f"{self.id} (rev {self.revision})"


class SigningKey(models.Model):
    """A guarantor organisation's Ed25519 public key. The private half stays in the data dir."""

    key_id = models.CharField(max_length=40, primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="keys")
    public_key = models.CharField(max_length=64, help_text="raw 32 bytes, base64")
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key_id


class VoteChoice(models.TextChoices):
    ENDORSE = "endorse", _("Endorse")
    ABSTAIN = "abstain", _("Abstain")
    DISSENT = "dissent", _("Dissent")


class Vote(models.Model):
    """One guarantor organisation's signed vote on one finding."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="votes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vote = models.CharField(max_length=8, choices=VoteChoice.choices)
    reasons = models.TextField(blank=True)
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(help_text="the canonical JSON that was signed")
    signature = models.CharField(max_length=100, help_text="Ed25519, base64")
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["cast_at"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "organisation"], name="one_vote_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.vote}"


class Acknowledgement(models.Model):
    """A party concerned has received an endorsed finding."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="acknowledgements")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "party"], name="one_ack_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party_id} acknowledged {self.finding_id}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


def new_reconsideration_id() -> str:
    return new_id("RCN")


class Reconsideration(models.Model):
    """A party's request to reconsider an inadmissibility ruling or a published finding."""

    id = models.CharField(
        max_length=16, primary_key=True, default=new_reconsideration_id, editable=False
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="reconsiderations"
    )
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    subject = models.CharField(
        max_length=16,
        choices=[("inadmissibility", _("Inadmissibility ruling")), ("finding", _("Finding"))],
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField()
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return self.id
